import { buildAction, checkEventAgainstContract, type StoredEventForPayload } from '@/lib/constructor/payload'
import type { OfflineBehavioralAction } from '@/lib/constructor/schema'
import type { DecimalSeparator } from '@/lib/money/decimal'
import type { DayMonthOrder } from '@/lib/time/parse-date'
import type { FileDecisions } from '../convert'
import type { Delimiter } from '../csv-tokenizer'
import type { ParseCounts, ParseResult } from '../parse-sales-file'
import type { MappingEdit } from '../presets'
import type { ParsedSaleEvent, RowIssue } from '../types'
import { uuidv7 } from './uuid7'

// What preview and commit decide for each event, and the COPY rows the commit writes: no database here,
// so the reading thread can do all of it and hand the database side only keys and finished text.

export type IngestStore = {
  id: string
  code: string
  timeZone: string
  latitude: string | null
  longitude: string | null
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
  /** file rows that are part of an INVALID event or are a row issue */
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
  rows: number
  events: number
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

export function finishCounts(counts: IngestCounts, result: ParseResult) {
  counts.rows = result.counts.rows
  counts.blankRows = result.counts.blankRows
  counts.lineItems = result.counts.lineItems
  counts.events = result.counts.events
  counts.validEvents = result.counts.validEvents
  counts.invalidEvents = result.counts.invalidEvents
  counts.returns = result.counts.returns
  counts.rowIssues = result.counts.rowIssues
  counts.invalidRows += result.counts.rowIssues
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

// ——— COPY rows of the commit ———

const SPECIAL = /[\\\t\n\r\0]/
const SPECIAL_ALL = /[\\\t\n\r\0]/g
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '' }

/** one field of COPY's text format: \N for null, backslash escapes for the rest (NUL can't be stored: dropped) */
export function copyField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N'
  if (typeof value !== 'string') return String(value)
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c] ?? '') : value
}

export const EVENT_COLUMNS = [
  'id',
  'kind',
  'storeId',
  'orderId',
  'orderIdGenerated',
  'occurredAt',
  'customerId',
  'revenue',
  'returnExpenses',
  'refund',
  'returnShippingCost',
  'returnReason',
  'returnType',
  'returnPreference',
  'returnDropOff',
  'status',
  'issues',
  'itemCount',
  'itemsTotal',
  'contentHash',
  'isCorrection',
  'version',
  'uploadId',
  'createdById',
  'updatedById',
  'createdAt',
  'updatedAt',
] as const

export const LINE_COLUMNS = [
  'id',
  'eventId',
  'lineNumber',
  'role',
  'itemId',
  'itemName',
  'variationId',
  'unitPrice',
  'quantity',
] as const

export const ISSUE_COLUMNS = ['id', 'uploadId', 'rowNumber', 'raw', 'reasons', 'createdAt'] as const

/** who stores the file and when: the same on every row of one commit */
export type CommitContext = { uploadId: string; userId: string | null; at: string }

/**
 * COPY text written straight into bytes: no string per row for the garbage collector to trace, and the
 * finished bytes move to the database side without a copy (a transferable buffer).
 */
export class CopyText {
  private buf: Buffer
  private n = 0

  constructor(size = 256 * 1024) {
    this.buf = Buffer.allocUnsafeSlow(size)
  }

  private room(bytes: number) {
    if (this.n + bytes <= this.buf.length) return
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.n + bytes))
    this.buf.copy(bigger, 0, 0, this.n)
    this.buf = bigger
  }

  /** one row: fields already in COPY form (see copyField), tab-separated and ended by a newline */
  row(...fields: string[]): void {
    let bytes = fields.length
    for (const f of fields) bytes += f.length * 3
    this.room(bytes)
    const buf = this.buf
    let n = this.n
    for (let i = 0; i < fields.length; i++) {
      if (i > 0) buf[n++] = 9
      n += buf.write(fields[i]!, n)
    }
    buf[n++] = 10
    this.n = n
  }

  get length(): number {
    return this.n
  }

  /** the rows written so far; the writer must not be used after */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.n)
  }
}

function eventLine(
  out: CopyText,
  id: string,
  e: ParsedSaleEvent,
  ctx: CommitContext,
  correction: boolean,
  version: number,
): void {
  const f = copyField
  const user = f(ctx.userId)
  out.row(
    id,
    e.kind,
    e.storeId,
    f(e.orderId),
    e.orderIdGenerated ? 't' : 'f',
    e.occurredAt === null ? '\\N' : e.occurredAt.toISOString(),
    f(e.customerId),
    f(e.revenue),
    f(e.returnExpenses),
    f(e.refund),
    f(e.returnShippingCost),
    f(e.returnReason),
    f(e.returnType),
    f(e.returnPreference),
    f(e.returnDropOff),
    e.status,
    f(JSON.stringify(e.issues)),
    String(e.itemCount),
    e.itemsTotal,
    e.contentHash,
    correction ? 't' : 'f',
    String(version),
    ctx.uploadId,
    user,
    user,
    ctx.at,
    ctx.at,
  )
}

function lineItemLines(out: CopyText, eventId: string, e: ParsedSaleEvent): void {
  for (const li of e.lineItems)
    out.row(
      uuidv7(),
      eventId,
      String(li.lineNumber),
      li.role,
      copyField(li.itemId),
      copyField(li.itemName),
      copyField(li.variationId),
      copyField(li.unitPrice),
      copyField(li.quantity),
    )
}

/** UploadRowIssue rows for issues the parser could not attribute to an event */
export function rowIssueRows(issues: readonly RowIssue[], ctx: CommitContext): Uint8Array {
  const out = new CopyText(64 * 1024)
  for (const i of issues)
    out.row(
      uuidv7(),
      ctx.uploadId,
      String(i.rowNumber),
      copyField(JSON.stringify(i.raw)),
      copyField(JSON.stringify(i.reasons)),
      ctx.at,
    )
  return out.bytes()
}

/** one chunk of the commit as COPY text: new events, changed events (by their stored id) and all their lines */
export type ChunkRows = {
  newEvents: Uint8Array
  changed: Uint8Array
  changedIds: string[]
  lines: Uint8Array
}

/** classifies a chunk against what is stored and writes its COPY rows; counts what becomes of each event */
export function chunkRows(
  events: readonly ParsedSaleEvent[],
  existing: ReadonlyMap<string, ExistingEvent>,
  ctx: CommitContext,
  counts: IngestCounts,
): ChunkRows {
  const newEvents = new CopyText()
  const changed = new CopyText(0)
  const lines = new CopyText(1024 * 1024)
  const changedIds: string[] = []
  for (const e of events) {
    const found = existing.get(eventKey(e.storeId, e.kind, e.orderId))
    const d = dispositionOf(e, found)
    countDisposition(counts, d)
    if (e.status === 'INVALID') counts.invalidRows += e.sourceRows.length
    if (d === 'new') {
      const id = uuidv7()
      eventLine(newEvents, id, e, ctx, false, 1)
      lineItemLines(lines, id, e)
    } else if ((d === 'update' || d === 'correction') && found) {
      eventLine(changed, found.id, e, ctx, d === 'correction', found.version)
      changedIds.push(found.id)
      lineItemLines(lines, found.id, e)
    }
  }
  return { newEvents: newEvents.bytes(), changed: changed.bytes(), changedIds, lines: lines.bytes() }
}

/** the buffers to hand over (not copy) when the chunk goes to another thread */
export function transferablesOf(rows: ChunkRows): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>()
  for (const b of [rows.newEvents, rows.changed, rows.lines])
    if (b.byteLength > 0 && b.buffer instanceof ArrayBuffer) out.add(b.buffer)
  return [...out]
}
