import { buildAction, checkEventAgainstContract, type StoredEventForPayload } from '@/lib/constructor/payload'
import type { OfflineBehavioralAction } from '@/lib/constructor/schema'
import type { DecimalSeparator } from '@/lib/money/decimal'
import type { DayMonthOrder } from '@/lib/time/parse-date'
import type { Delimiter } from '../csv-tokenizer'
import type { FileDecisions } from '../file-decisions'
import type { ParseCounts } from '../parse-sales-file'
import type { MappingEdit } from '../presets'
import type { ParsedSaleEvent } from '../types'

// What preview and commit decide for each event of a file, given what is already stored: no database and
// no encoding here (the commit's COPY rows are commit-rows.ts), so the rules read on their own.

export type IngestStore = {
  id: string
  code: string
  timeZone: string
  latitude: string | null
  longitude: string | null
  /** names the store's tills write for it (StoreAlias) */
  aliases?: string[]
}

/** how the file is read: chosen on the mapping screen, fixed by the preview so the commit reads the same */
export type IngestSettings = {
  mapping?: MappingEdit
  dateOrder?: DayMonthOrder
  decimalSeparator?: DecimalSeparator
  encoding?: string
  delimiter?: Delimiter
  headerRowNumber?: number
  /**
   * Set by the preview, never by a person: it found every order's rows together and decided these, so the
   * commit hands each order on as soon as the next one starts (its database work begins with the file's
   * first rows instead of after the last one).
   */
  streamDecisions?: FileDecisions
}

/** what becomes of one event of the file, given what is already stored for its (store, kind, order) */
export type Disposition = 'new' | 'unchanged' | 'update' | 'correction' | 'queued'

export type ExistingEvent = {
  id: string
  status: string
  contentHash: string | null
  version: number
  inOpenBatch: boolean
}

/** a stored event found for a (store, kind, order) of the file */
export type ExistingRow = ExistingEvent & { storeId: string; kind: string; orderId: string }

/** the (store, kind, order) of a chunk of events, as three parallel arrays for one unnest() probe */
export type EventKeys = { storeIds: string[]; kinds: string[]; orderIds: string[] }

// Unchanged wins first (even in a batch: nothing to do); a batch in flight is never touched; a sent event
// comes back as a correction to resubmit; anything else not yet sent is simply brought up to date.
export function dispositionOf(event: ParsedSaleEvent, existing: ExistingEvent | undefined): Disposition {
  if (!existing) return 'new'
  if (existing.contentHash === event.contentHash) return 'unchanged'
  if (existing.inOpenBatch || existing.status === 'QUEUED') return 'queued'
  if (existing.status === 'SUBMITTED') return 'correction'
  return 'update'
}

/** the parser's counts (without repeated headers) and what storing the events does */
export type IngestCounts = Omit<ParseCounts, 'repeatedHeaders'> & {
  /** file rows a problem of an INVALID event names, and row issues: the rows the problem list shows */
  invalidRows: number
  new: number
  unchanged: number
  updated: number
  corrections: number
  queued: number
}

export type PreviewEvent = {
  orderId: string
  kind: 'PURCHASE' | 'RETURN'
  storeCode: string
  status: 'READY' | 'INVALID'
  disposition: Disposition
  rows: number[]
  /** the action exactly as it will be sent (built by lib/constructor's builder); null when INVALID */
  action: OfflineBehavioralAction | null
  issues: { field: string; message: string; row?: number }[]
}

export type PreviewProblem = { row: number | null; orderId: string | null; field: string; message: string }

export const PREVIEW_EVENTS = 5
export const PREVIEW_PROBLEMS = 500

export type IngestProgress = {
  fraction: number
  phase: 'reading' | 'building' | 'storing'
  /** bytes of the file read */
  bytes: number
  rows: number
  events: number
}

/** the file rows an INVALID event's problems name (an issue without a row names the event's first): what the
 * "Rows with problems" count adds, so it agrees with the listed problems */
export function problemRowCount(e: ParsedSaleEvent): number {
  return new Set(e.issues.map((i) => i.row ?? e.sourceRows[0] ?? null)).size
}

export const eventKey = (storeId: string, kind: string, orderId: string) =>
  `${storeId}\u0001${kind}\u0001${orderId}`

export function keysOf(events: readonly ParsedSaleEvent[]): EventKeys {
  return {
    storeIds: events.map((e) => e.storeId),
    kinds: events.map((e) => e.kind),
    orderIds: events.map((e) => e.orderId),
  }
}

export function emptyCounts(): IngestCounts {
  return {
    rows: 0,
    blankRows: 0,
    lineItems: 0,
    events: 0,
    validEvents: 0,
    invalidEvents: 0,
    returns: 0,
    rowIssues: 0,
    invalidRows: 0,
    new: 0,
    unchanged: 0,
    updated: 0,
    corrections: 0,
    queued: 0,
  }
}

export function countDisposition(counts: IngestCounts, d: Disposition) {
  if (d === 'new') counts.new++
  else if (d === 'unchanged') counts.unchanged++
  else if (d === 'update') counts.updated++
  else if (d === 'correction') counts.corrections++
  else counts.queued++
}

/** the counts the read of the file gives (the rest come from classifying its events) */
export function finishCounts(counts: IngestCounts, parsed: Omit<ParseCounts, 'repeatedHeaders'>) {
  counts.rows = parsed.rows
  counts.blankRows = parsed.blankRows
  counts.lineItems = parsed.lineItems
  counts.events = parsed.events
  counts.validEvents = parsed.validEvents
  counts.invalidEvents = parsed.invalidEvents
  counts.returns = parsed.returns
  counts.rowIssues = parsed.rowIssues
  counts.invalidRows += parsed.rowIssues
}

/** the event as the payload builder sees a stored one */
export function payloadViewOf(e: ParsedSaleEvent, store: IngestStore | undefined): StoredEventForPayload {
  return {
    kind: e.kind,
    orderId: e.orderId,
    occurredAt: e.occurredAt,
    customerId: e.customerId,
    revenue: e.revenue,
    returnExpenses: e.returnExpenses,
    refund: e.refund,
    returnShippingCost: e.returnShippingCost,
    returnReason: e.returnReason,
    returnType: e.returnType,
    returnPreference: e.returnPreference,
    returnDropOff: e.returnDropOff,
    store: {
      code: store?.code ?? e.storeCode,
      latitude: store?.latitude ?? null,
      longitude: store?.longitude ?? null,
    },
    lineItems: e.lineItems,
  }
}

export function previewEventOf(
  e: ParsedSaleEvent,
  d: Disposition,
  store: IngestStore | undefined,
): PreviewEvent {
  let action: OfflineBehavioralAction | null = null
  const issues = [...e.issues]
  if (e.status === 'READY') {
    const view = payloadViewOf(e, store)
    const contract = checkEventAgainstContract(view)
    if (contract.length === 0) action = buildAction(view)
    else for (const c of contract) issues.push({ field: c.storedField ?? c.field, message: c.message })
  }
  return {
    orderId: e.orderId,
    kind: e.kind,
    storeCode: e.storeCode,
    status: e.status,
    disposition: d,
    rows: e.sourceRows,
    action,
    issues,
  }
}
