import { CopyBinary, PLAIN_DECIMAL } from '@/lib/db/copy/binary'
import { CopyText, copyField } from '@/lib/db/copy/text'
import { uuidv7 } from '@/lib/db/uuid7'
import { SALE_LIMITS } from '@/lib/sales/limits'
import type { ParsedSaleEvent, RowIssue } from '../types'
import {
  countDisposition,
  dispositionOf,
  type ExistingEvent,
  eventKey,
  type IngestCounts,
  problemRowCount,
} from './ingest-rows'

// The rows the commit writes, in the order of their COPY columns: each event of a chunk classified by the
// rules of ingest-rows.ts, then encoded (lib/db/copy) by the reading thread, which has time to spare while
// the database writes. Only finished bytes go to the database side.

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
/** an event's rows: from an upload, or from the sales feed (no upload, no user) */
export type EventRowContext = Omit<CommitContext, 'uploadId'> & { uploadId: string | null }

/**
 * What a column can hold of a value the file had (limits: lib/sales/limits.ts; over-long texts are cut by
 * build-event.ts). Validation keeps amounts within Decimal(18, 4) and quantities within 1–10,000 for a valid
 * event, but an INVALID event keeps what it was given (a quantity of 99999999999, a price with 17 digits)
 * until someone fixes it; its issue names the value. Stored as is it would fail the whole file's COPY, so
 * the column is left empty (null; a total: 0) and the issue stays.
 */
const INTEGER_DIGITS = SALE_LIMITS.maxIntegerDigits
const DECIMAL_18_4_LIMIT = 10n ** BigInt(INTEGER_DIGITS + SALE_LIMITS.maxFractionDigits)
function storableAmount(value: string | null): string | null {
  if (value === null) return null
  const m = PLAIN_DECIMAL.exec(value)
  if (!m) return value // not plain: the writer refuses it loudly
  const int = (m[2] as string).replace(/^0+/, '')
  if (int.length < INTEGER_DIGITS) return value
  if (int.length > INTEGER_DIGITS) return null
  const fraction = (m[3] ?? '').padEnd(5, '0')
  // rounded to the column's 4 decimals, half away from zero, as PostgreSQL does
  const scaled = BigInt(int + fraction.slice(0, 4)) + (fraction.charCodeAt(4) >= 53 ? 1n : 0n)
  return scaled < DECIMAL_18_4_LIMIT ? value : null
}

function storableInteger(value: number | null): number | null {
  return value !== null && Number.isInteger(value) && value >= -2147483648 && value <= 2147483647
    ? value
    : null
}

function eventLine(
  out: CopyBinary,
  id: string,
  e: ParsedSaleEvent,
  ctx: EventRowContext & { atMs: number },
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
  if (ctx.uploadId === null) out.null()
  else out.uuid(ctx.uploadId)
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
  /** INVALID events the file carries unchanged: they now need attention as part of this upload */
  carriedInvalidIds: string[]
  lines: Uint8Array
}

/** classifies a chunk against what is stored and writes its COPY rows; counts what becomes of each event */
export function chunkRows(
  events: readonly ParsedSaleEvent[],
  existing: ReadonlyMap<string, ExistingEvent>,
  ctx: EventRowContext,
  counts: IngestCounts,
): ChunkRows {
  const newEvents = new CopyBinary()
  const changed = new CopyBinary(0)
  const lines = new CopyBinary(1024 * 1024)
  const at = { ...ctx, atMs: Date.parse(ctx.at) }
  const changedIds: string[] = []
  const carriedInvalidIds: string[] = []
  for (const e of events) {
    const found = existing.get(eventKey(e.storeId, e.kind, e.orderId))
    const d = dispositionOf(e, found)
    countDisposition(counts, d)
    if (e.status === 'INVALID') counts.invalidRows += problemRowCount(e)
    if (d === 'new') {
      const id = uuidv7()
      eventLine(newEvents, id, e, at, false, 1)
      lineItemLines(lines, id, e)
    } else if ((d === 'update' || d === 'correction') && found) {
      eventLine(changed, found.id, e, at, d === 'correction', found.version)
      changedIds.push(found.id)
      lineItemLines(lines, found.id, e)
    } else if (d === 'unchanged' && found && e.status === 'INVALID') carriedInvalidIds.push(found.id)
  }
  return {
    newEvents: newEvents.bytes(),
    changed: changed.bytes(),
    changedIds,
    carriedInvalidIds,
    lines: lines.bytes(),
  }
}

/** the buffers to hand over (not copy) when the chunk goes to another thread */
export function transferablesOf(rows: ChunkRows): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>()
  for (const b of [rows.newEvents, rows.changed, rows.lines])
    if (b.byteLength > 0 && b.buffer instanceof ArrayBuffer) out.add(b.buffer)
  return [...out]
}
