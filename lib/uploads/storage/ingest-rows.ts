import { buildAction, checkEventAgainstContract, type StoredEventForPayload } from '@/lib/constructor/payload'
import type { OfflineBehavioralAction } from '@/lib/constructor/schema'
import type { DecimalSeparator } from '@/lib/money/decimal'
import type { DayMonthOrder } from '@/lib/time/parse-date'
import type { Delimiter } from '../csv-tokenizer'
import type { FileDecisions } from '../file-decisions'
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

const PG_EPOCH_MS = 946_684_800_000
const COPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1')
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 97 && c <= 102) return c - 87
  if (c >= 65 && c <= 70) return c - 55
  throw new Error(`not a hexadecimal digit: ${String.fromCharCode(c)}`)
}

/**
 * COPY rows in PostgreSQL's binary format, written straight into bytes. The database then only copies
 * values instead of parsing text (a uuid, a time, a decimal): a million line items and their events cost it
 * 1.2 s less, and the database is what the commit waits for. The reading thread, which has time to spare
 * while the database writes, does the encoding.
 */
export class CopyBinary {
  private buf: Buffer
  private n = 0
  private rows = 0

  constructor(size = 256 * 1024) {
    this.buf = Buffer.allocUnsafeSlow(Math.max(size, 64))
    COPY_SIGNATURE.copy(this.buf, 0)
    this.buf.writeInt32BE(0, 11) // flags
    this.buf.writeInt32BE(0, 15) // header extension length
    this.n = 19
  }

  private room(bytes: number) {
    if (this.n + bytes <= this.buf.length) return
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.n + bytes))
    this.buf.copy(bigger, 0, 0, this.n)
    this.buf = bigger
  }

  /** starts a row of `fields` values */
  row(fields: number): this {
    this.room(2)
    this.buf.writeInt16BE(fields, this.n)
    this.n += 2
    this.rows++
    return this
  }

  null(): this {
    this.room(4)
    this.buf.writeInt32BE(-1, this.n)
    this.n += 4
    return this
  }

  /** text, varchar and enum labels: their UTF-8 bytes */
  text(s: string | null): this {
    if (s === null) return this.null()
    this.room(4 + s.length * 3)
    const len = this.buf.write(s, this.n + 4, 'utf8')
    this.buf.writeInt32BE(len, this.n)
    this.n += 4 + len
    return this
  }

  /** jsonb: a version byte, then the JSON text */
  jsonb(json: string): this {
    this.room(5 + json.length * 3)
    const len = this.buf.write(json, this.n + 5, 'utf8')
    this.buf.writeInt32BE(len + 1, this.n)
    this.buf[this.n + 4] = 1
    this.n += 5 + len
    return this
  }

  bool(b: boolean): this {
    this.room(5)
    this.buf.writeInt32BE(1, this.n)
    this.buf[this.n + 4] = b ? 1 : 0
    this.n += 5
    return this
  }

  int4(v: number | null): this {
    if (v === null) return this.null()
    if (!Number.isInteger(v)) throw new Error(`not an integer: ${v}`)
    this.room(8)
    this.buf.writeInt32BE(4, this.n)
    this.buf.writeInt32BE(v, this.n + 4)
    this.n += 8
    return this
  }

  uuid(id: string): this {
    this.room(20)
    const buf = this.buf
    buf.writeInt32BE(16, this.n)
    let o = this.n + 4
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i)
      if (c === 45) continue // -
      buf[o++] = (hexValue(c) << 4) | hexValue(id.charCodeAt(++i))
    }
    if (o !== this.n + 20) throw new Error(`not a uuid: ${id}`)
    this.n = o
    return this
  }

  /** timestamptz from epoch milliseconds: microseconds since 2000-01-01 UTC as a 64-bit integer */
  timestamp(ms: number | null): this {
    if (ms === null) return this.null()
    const us = (ms - PG_EPOCH_MS) * 1000
    const hi = Math.floor(us / 2 ** 32)
    this.room(12)
    this.buf.writeInt32BE(8, this.n)
    this.buf.writeInt32BE(hi, this.n + 4)
    this.buf.writeUInt32BE(us - hi * 2 ** 32, this.n + 8)
    this.n += 12
    return this
  }

  /** numeric from a plain decimal string (-12.5): base-10000 digits, weight, sign and display scale */
  numeric(value: string | null): this {
    if (value === null) return this.null()
    const m = DECIMAL.exec(value)
    if (!m) throw new Error(`not a plain decimal: ${value}`)
    const negative = m[1] === '-'
    const whole = (m[2] as string).replace(/^0+/, '')
    const fraction = m[3] ?? ''
    const wholePadded = '0'.repeat((4 - (whole.length % 4)) % 4) + whole
    const fractionPadded = fraction + '0'.repeat((4 - (fraction.length % 4)) % 4)
    const all = wholePadded + fractionPadded
    const groups: number[] = []
    for (let i = 0; i < all.length; i += 4) groups.push(Number(all.slice(i, i + 4)))
    let weight = wholePadded.length / 4 - 1
    let start = 0
    while (start < groups.length && groups[start] === 0) {
      start++
      weight--
    }
    let end = groups.length
    while (end > start && groups[end - 1] === 0) end--
    const digits = end - start
    this.room(12 + 2 * digits)
    const buf = this.buf
    buf.writeInt32BE(8 + 2 * digits, this.n)
    buf.writeInt16BE(digits, this.n + 4)
    buf.writeInt16BE(digits === 0 ? 0 : weight, this.n + 6)
    buf.writeUInt16BE(negative && digits > 0 ? 0x4000 : 0, this.n + 8)
    buf.writeInt16BE(fraction.length, this.n + 10)
    let o = this.n + 12
    for (let i = start; i < end; i++) {
      buf.writeInt16BE(groups[i] as number, o)
      o += 2
    }
    this.n = o
    return this
  }

  /** the rows with their header and trailer (nothing at all for no rows); the writer must not be used after */
  bytes(): Uint8Array {
    if (this.rows === 0) return new Uint8Array(0)
    this.room(2)
    this.buf.writeInt16BE(-1, this.n)
    return this.buf.subarray(0, this.n + 2)
  }
}

/**
 * What a column can hold of a value the file had. Validation keeps amounts within Decimal(18, 4) and
 * quantities within 1–10,000 for a valid event, but an INVALID event keeps what it was given (a quantity of
 * 99999999999, a price with 17 digits) until someone fixes it; its issue names the value. Stored as is it
 * would fail the whole file's COPY, so the column is left empty (null; a total: 0) and the issue stays.
 */
const DECIMAL_18_4_LIMIT = 10n ** 18n
export function storableAmount(value: string | null): string | null {
  if (value === null) return null
  const m = DECIMAL.exec(value)
  if (!m) return value // not plain: the writer refuses it loudly
  const int = (m[2] as string).replace(/^0+/, '')
  if (int.length < 14) return value
  if (int.length > 14) return null
  const fraction = (m[3] ?? '').padEnd(5, '0')
  // rounded to the column's 4 decimals, half away from zero, as PostgreSQL does
  const scaled = BigInt(int + fraction.slice(0, 4)) + (fraction.charCodeAt(4) >= 53 ? 1n : 0n)
  return scaled < DECIMAL_18_4_LIMIT ? value : null
}

export function storableInteger(value: number | null): number | null {
  return value !== null && Number.isInteger(value) && value >= -2147483648 && value <= 2147483647
    ? value
    : null
}

function eventLine(
  out: CopyBinary,
  id: string,
  e: ParsedSaleEvent,
  ctx: CommitContext & { atMs: number },
  correction: boolean,
  version: number,
): void {
  // the order of EVENT_COLUMNS
  out
    .row(EVENT_COLUMNS.length)
    .uuid(id)
    .text(e.kind)
    .uuid(e.storeId)
    .text(e.orderId)
    .bool(e.orderIdGenerated)
    .timestamp(e.occurredAt === null ? null : e.occurredAt.getTime())
    .text(e.customerId)
    .numeric(storableAmount(e.revenue))
    .numeric(storableAmount(e.returnExpenses))
    .numeric(storableAmount(e.refund))
    .numeric(storableAmount(e.returnShippingCost))
    .text(e.returnReason)
    .text(e.returnType)
    .text(e.returnPreference)
    .text(e.returnDropOff)
    .text(e.status)
    .jsonb(JSON.stringify(e.issues))
    .int4(e.itemCount)
    .numeric(storableAmount(e.itemsTotal) ?? '0')
    .text(e.contentHash)
    .bool(correction)
    .int4(version)
    .uuid(ctx.uploadId)
  if (ctx.userId === null) out.null().null()
  else out.uuid(ctx.userId).uuid(ctx.userId)
  out.timestamp(ctx.atMs).timestamp(ctx.atMs)
}

function lineItemLines(out: CopyBinary, eventId: string, e: ParsedSaleEvent): void {
  // the order of LINE_COLUMNS
  for (const li of e.lineItems)
    out
      .row(LINE_COLUMNS.length)
      .uuid(uuidv7())
      .uuid(eventId)
      .int4(li.lineNumber)
      .text(li.role)
      .text(li.itemId)
      .text(li.itemName)
      .text(li.variationId)
      .numeric(storableAmount(li.unitPrice))
      .int4(storableInteger(li.quantity))
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

/** one chunk of the commit as binary COPY rows: new events, changed events (by their stored id) and all their lines */
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
  const newEvents = new CopyBinary()
  const changed = new CopyBinary(0)
  const lines = new CopyBinary(1024 * 1024)
  const at = { ...ctx, atMs: Date.parse(ctx.at) }
  const changedIds: string[] = []
  for (const e of events) {
    const found = existing.get(eventKey(e.storeId, e.kind, e.orderId))
    const d = dispositionOf(e, found)
    countDisposition(counts, d)
    if (e.status === 'INVALID') counts.invalidRows += e.sourceRows.length
    if (d === 'new') {
      const id = uuidv7()
      eventLine(newEvents, id, e, at, false, 1)
      lineItemLines(lines, id, e)
    } else if ((d === 'update' || d === 'correction') && found) {
      eventLine(changed, found.id, e, at, d === 'correction', found.version)
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
