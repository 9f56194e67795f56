import type pg from 'pg'
import { buildAction, checkEventAgainstContract, type StoredEventForPayload } from '@/lib/constructor/payload'
import type { OfflineBehavioralAction } from '@/lib/constructor/schema'
import type { DecimalSeparator } from '@/lib/money/decimal'
import type { DayMonthOrder } from '@/lib/time/parse-date'
import type { Delimiter } from '../csv-tokenizer'
import { isUploadFileError } from '../errors'
import { SALES_FIELDS } from '../fields'
import { type ParseProgress, type ParseResult, parseSalesFile } from '../parse-sales-file'
import type { ColumnMapping, MappingEdit, PresetId } from '../presets'
import type { ParsedSaleEvent, RowIssue, StoreInfo } from '../types'
import { copyField, copyRows, ingestPool } from './copy'
import { openUploadFile, removeUploadFile } from './files'
import { uuidv7 } from './uuid7'

// Preview and commit read the stored file through the same parser with the same settings, and classify
// every event against what is stored with the same rule; only the commit writes, in ONE transaction.

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

// Unchanged wins first (even in a batch: nothing to do); a batch in flight is never touched; a sent event
// comes back as a correction to resubmit; anything else not yet sent is simply brought up to date.
export function dispositionOf(event: ParsedSaleEvent, existing: ExistingEvent | undefined): Disposition {
  if (!existing) return 'new'
  if (existing.contentHash === event.contentHash) return 'unchanged'
  if (existing.inOpenBatch || existing.status === 'QUEUED') return 'queued'
  if (existing.status === 'SUBMITTED') return 'correction'
  return 'update'
}

export type IngestCounts = {
  rows: number
  blankRows: number
  lineItems: number
  events: number
  validEvents: number
  invalidEvents: number
  returns: number
  rowIssues: number
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

export type UploadPreview = {
  checkedAt: string
  encoding: string
  delimiter: string
  headerRowNumber: number
  header: string[]
  preset: PresetId
  mapping: ColumnMapping
  dateOrder: string
  decimalSeparator: string
  counts: IngestCounts
  firstEvents: PreviewEvent[]
  /** the first problems, in file order; problemTotal says how many there are in all */
  problems: PreviewProblem[]
  problemTotal: number
  /** orders of the file in an open batch, left as they are */
  queuedOrders: string[]
  warnings: string[]
  settings: IngestSettings
  /** the same file (same sha256, same store) is already stored: committing changes nothing */
  sameFileAs: { uploadId: string; committedAt: string | null } | null
}

export const PREVIEW_EVENTS = 5
export const PREVIEW_PROBLEMS = 500
const LOOKUP_CHUNK = 5_000

export type IngestProgress = {
  fraction: number
  phase: 'reading' | 'building' | 'storing'
  rows: number
  events: number
}

type RunOptions = {
  uploadId: string
  sizeBytes: number
  stores: readonly IngestStore[]
  defaultStoreCode?: string
  settings: IngestSettings
  now?: Date
  onProgress?: (p: IngestProgress) => void
}

function storeInfos(stores: readonly IngestStore[]): Record<string, StoreInfo> {
  const out: Record<string, StoreInfo> = {}
  for (const s of stores) out[s.code] = { id: s.id, timeZone: s.timeZone }
  return out
}

function progressReporter(sizeBytes: number, onProgress: RunOptions['onProgress']) {
  let last = 0
  return (p: ParseProgress) => {
    if (!onProgress) return
    const now = Date.now()
    if (now - last < 100) return
    last = now
    const reading = sizeBytes > 0 ? Math.min(1, p.bytesRead / sizeBytes) : 1
    // building: events ≤ rows, so events/rows is a lower bound of the share done (exact for one row per order)
    const fraction =
      p.phase === 'reading' ? reading * 0.8 : 0.8 + 0.2 * Math.min(1, p.events / Math.max(1, p.rows))
    onProgress({ fraction, phase: p.phase, rows: p.rows, events: p.events })
  }
}

function parse(
  opts: RunOptions,
  hooks: {
    onEvents: (events: ParsedSaleEvent[]) => Promise<void>
    onRowIssues: (issues: RowIssue[]) => Promise<void>
  },
): Promise<ParseResult> {
  const s = opts.settings
  return parseSalesFile(openUploadFile(opts.uploadId), {
    stores: storeInfos(opts.stores),
    ...(opts.defaultStoreCode !== undefined && { defaultStoreCode: opts.defaultStoreCode }),
    ...(s.mapping !== undefined && { mapping: s.mapping }),
    ...(s.dateOrder !== undefined && { dateOrder: s.dateOrder }),
    ...(s.decimalSeparator !== undefined && { decimalSeparator: s.decimalSeparator }),
    ...(s.encoding !== undefined && { encoding: s.encoding }),
    ...(s.delimiter !== undefined && { delimiter: s.delimiter }),
    ...(s.headerRowNumber !== undefined && { headerRowNumber: s.headerRowNumber }),
    now: opts.now ?? new Date(),
    onProgress: progressReporter(opts.sizeBytes, opts.onProgress),
    onEvents: hooks.onEvents,
    onRowIssues: hooks.onRowIssues,
    keepEvents: false,
    eventChunkSize: LOOKUP_CHUNK,
  })
}

const key = (storeId: string, kind: string, orderId: string) => `${storeId}\u0001${kind}\u0001${orderId}`

/** what is stored for these events' (store, kind, order): one indexed probe per chunk; locked when committing */
async function lookupExisting(
  client: pg.Pool | pg.ClientBase,
  events: readonly ParsedSaleEvent[],
  lock: boolean,
) {
  const { rows } = await client.query<ExistingEvent & { storeId: string; kind: string; orderId: string }>(
    `SELECT e.id::text AS id, e."storeId"::text AS "storeId", e.kind::text AS kind, e."orderId", e.status::text AS status,
            e."contentHash", e.version, (e."openBatchId" IS NOT NULL) AS "inOpenBatch"
     FROM unnest($1::uuid[], $2::"EventKind"[], $3::text[]) AS k(s, k, o)
     JOIN "SaleEvent" e ON e."storeId" = k.s AND e.kind = k.k AND e."orderId" = k.o
     ${lock ? 'FOR UPDATE OF e' : ''}`,
    [events.map((e) => e.storeId), events.map((e) => e.kind), events.map((e) => e.orderId)],
  )
  const found = new Map<string, ExistingEvent>()
  for (const r of rows) found.set(key(r.storeId, r.kind, r.orderId), r)
  return found
}

function emptyCounts(): IngestCounts {
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

function countDisposition(counts: IngestCounts, d: Disposition) {
  if (d === 'new') counts.new++
  else if (d === 'unchanged') counts.unchanged++
  else if (d === 'update') counts.updated++
  else if (d === 'correction') counts.corrections++
  else counts.queued++
}

function finishCounts(counts: IngestCounts, result: ParseResult) {
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

function previewEventOf(e: ParsedSaleEvent, d: Disposition, store: IngestStore | undefined): PreviewEvent {
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

/** the settings that make the commit read the file exactly as the preview did */
function resolvedSettings(result: ParseResult, requested: IngestSettings): IngestSettings {
  const mapping: MappingEdit = {}
  for (const f of SALES_FIELDS) mapping[f] = result.mapping[f]?.index ?? null
  const out: IngestSettings = {
    mapping,
    decimalSeparator: result.decimalSeparator,
    encoding: result.encoding,
    delimiter: result.delimiter,
    headerRowNumber: result.headerRowNumber,
  }
  const order =
    requested.dateOrder ??
    (result.dateOrder === 'DMY' || result.dateOrder === 'MDY' ? result.dateOrder : undefined)
  if (order !== undefined) out.dateOrder = order
  return out
}

export class UploadStateError extends Error {
  override name = 'UploadStateError'
}

/**
 * Reads the whole stored file and says what a commit would do, without writing any sale: counts, the
 * first events exactly as they will be sent, and the problems with their rows. Saved on the Upload row.
 */
export async function previewUpload(
  opts: RunOptions & { pool?: pg.Pool; sha256: string; storeId: string | null },
): Promise<UploadPreview> {
  const pool = opts.pool ?? ingestPool()
  const byId = new Map(opts.stores.map((s) => [s.id, s]))
  const counts = emptyCounts()
  const firstEvents: PreviewEvent[] = []
  const problems: PreviewProblem[] = []
  const queuedOrders: string[] = []
  let problemTotal = 0
  const addProblem = (p: PreviewProblem) => {
    problemTotal++
    if (problems.length < PREVIEW_PROBLEMS) problems.push(p)
  }
  await pool.query(
    `UPDATE "Upload" SET status = 'PARSING', "errorMessage" = NULL, "updatedAt" = now() WHERE id = $1`,
    [opts.uploadId],
  )
  let result: ParseResult
  try {
    result = await parse(opts, {
      onRowIssues: async (issues) => {
        for (const i of issues)
          for (const r of i.reasons)
            addProblem({ row: i.rowNumber, orderId: null, field: r.field, message: r.message })
      },
      onEvents: async (events) => {
        const existing = await lookupExisting(pool, events, false)
        for (const e of events) {
          const d = dispositionOf(e, existing.get(key(e.storeId, e.kind, e.orderId)))
          countDisposition(counts, d)
          if (d === 'queued' && queuedOrders.length < PREVIEW_PROBLEMS) queuedOrders.push(e.orderId)
          if (firstEvents.length < PREVIEW_EVENTS) firstEvents.push(previewEventOf(e, d, byId.get(e.storeId)))
          if (e.status === 'INVALID') {
            counts.invalidRows += e.sourceRows.length
            for (const i of e.issues)
              addProblem({
                row: i.row ?? e.sourceRows[0] ?? null,
                orderId: e.orderId,
                field: i.field,
                message: i.message,
              })
          }
        }
      },
    })
  } catch (e) {
    const message = isUploadFileError(e)
      ? e.line === null
        ? e.message
        : `Row ${e.line}: ${e.message}`
      : 'The file could not be read. Try again; if it keeps failing, tell your administrator.'
    await pool.query(
      `UPDATE "Upload" SET status = 'FAILED', "errorMessage" = $2, "updatedAt" = now() WHERE id = $1 AND status = 'PARSING'`,
      [opts.uploadId, message],
    )
    throw e
  }
  finishCounts(counts, result)
  problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0))
  const same = await pool.query<{ id: string; committedAt: Date | null }>(
    `SELECT id::text, "committedAt" FROM "Upload"
     WHERE sha256 = $1 AND "storeId" IS NOT DISTINCT FROM $2::uuid AND status = 'COMMITTED' AND id <> $3::uuid
     ORDER BY "committedAt" DESC LIMIT 1`,
    [opts.sha256, opts.storeId, opts.uploadId],
  )
  const sameRow = same.rows[0]
  const preview: UploadPreview = {
    checkedAt: new Date().toISOString(),
    encoding: result.encoding,
    delimiter: result.delimiter,
    headerRowNumber: result.headerRowNumber,
    header: result.header,
    preset: result.preset,
    mapping: result.mapping,
    dateOrder: result.dateOrder,
    decimalSeparator: result.decimalSeparator,
    counts,
    firstEvents,
    problems,
    problemTotal,
    queuedOrders,
    warnings: result.warnings,
    settings: resolvedSettings(result, opts.settings),
    sameFileAs: sameRow
      ? { uploadId: sameRow.id, committedAt: sameRow.committedAt?.toISOString() ?? null }
      : null,
  }
  await pool.query(
    `UPDATE "Upload" SET status = 'PREVIEW', "rowCount" = $2, "eventCount" = $3, "validEventCount" = $4,
       "invalidRowCount" = $5, "duplicateCount" = $6, "updatedCount" = $7, "correctionCount" = $8, "returnCount" = $9,
       "queuedSkipCount" = $10, encoding = $11, delimiter = $12, "dateOrder" = $13, source = $14,
       "columnMapping" = $15::jsonb, preview = $16::jsonb, "parsedAt" = now(), "errorMessage" = NULL, "updatedAt" = now()
     WHERE id = $1 AND status = 'PARSING'`,
    [
      opts.uploadId,
      counts.rows,
      counts.events,
      counts.validEvents,
      counts.invalidRows,
      counts.unchanged,
      counts.updated,
      counts.corrections,
      counts.returns,
      counts.queued,
      result.encoding,
      result.delimiter === '\t' ? 'tab' : result.delimiter,
      result.dateOrder.slice(0, 3),
      result.preset,
      JSON.stringify(preview.mapping),
      JSON.stringify(preview),
    ],
  )
  return preview
}

// ——— commit ———

const EVENT_COLUMNS = [
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

const LINE_COLUMNS = [
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

const ISSUE_COLUMNS = ['id', 'uploadId', 'rowNumber', 'raw', 'reasons', 'createdAt'] as const

function eventLine(
  id: string,
  e: ParsedSaleEvent,
  ctx: { uploadId: string; userId: string | null; at: string },
  correction: boolean,
  version: number,
): string {
  const f = copyField
  return `${id}\t${e.kind}\t${e.storeId}\t${f(e.orderId)}\t${e.orderIdGenerated ? 't' : 'f'}\t${
    e.occurredAt === null ? '\\N' : e.occurredAt.toISOString()
  }\t${f(e.customerId)}\t${f(e.revenue)}\t${f(e.returnExpenses)}\t${f(e.refund)}\t${f(e.returnShippingCost)}\t${f(
    e.returnReason,
  )}\t${f(e.returnType)}\t${f(e.returnPreference)}\t${f(e.returnDropOff)}\t${e.status}\t${f(
    JSON.stringify(e.issues),
  )}\t${e.itemCount}\t${e.itemsTotal}\t${e.contentHash}\t${correction ? 't' : 'f'}\t${version}\t${ctx.uploadId}\t${f(
    ctx.userId,
  )}\t${f(ctx.userId)}\t${ctx.at}\t${ctx.at}\n`
}

function lineItemLines(eventId: string, e: ParsedSaleEvent): string {
  let out = ''
  for (const li of e.lineItems) {
    out += `${uuidv7()}\t${eventId}\t${li.lineNumber}\t${li.role}\t${copyField(li.itemId)}\t${copyField(
      li.itemName,
    )}\t${copyField(li.variationId)}\t${copyField(li.unitPrice)}\t${copyField(li.quantity)}\n`
  }
  return out
}

export type CommitActor = { userId: string | null; email: string | null }

export type CommitSummary = {
  uploadId: string
  /** the upload had already been stored (a second click, or the same file again): nothing changed */
  noOp: boolean
  counts: IngestCounts
}

type UploadRow = {
  id: string
  status: string
  storeId: string | null
  sha256: string
  sizeBytes: string
  columnMapping: unknown
  preview: UploadPreview | null
}

function countsOfRow(preview: UploadPreview | null): IngestCounts {
  return preview?.counts ?? emptyCounts()
}

/**
 * Stores the upload's events: PREVIEW → COMMITTING is a compare-and-set (a double click loses), then the
 * file is parsed again and written with COPY inside ONE transaction (all or nothing), COMMITTING → COMMITTED
 * in the same transaction. New orders are inserted; unchanged ones skipped; changed ones updated in place;
 * sent ones stored again as corrections; orders in an open batch left alone and counted.
 */
export async function commitUpload(opts: {
  uploadId: string
  actor: CommitActor
  ip?: string | null
  stores: readonly IngestStore[]
  defaultStoreCode?: string
  now?: Date
  pool?: pg.Pool
  onProgress?: (p: IngestProgress) => void
}): Promise<CommitSummary> {
  const pool = opts.pool ?? ingestPool()
  const client = await pool.connect()
  const counts = emptyCounts()
  let upload: UploadRow | undefined
  try {
    await client.query('BEGIN')
    // PREVIEW → COMMITTING inside the storing transaction, under the row's lock: a double click finds the row
    // locked, and a crash mid-way rolls the status back with everything else, so no upload is left stuck
    let locked: pg.QueryResult<{ status: string; preview: UploadPreview | null }>
    try {
      locked = await client.query(
        `SELECT status::text, preview FROM "Upload" WHERE id = $1::uuid FOR UPDATE NOWAIT`,
        [opts.uploadId],
      )
    } catch (e) {
      if ((e as { code?: string }).code === '55P03')
        throw new UploadStateError('This file is being stored right now. Wait a moment and reload the page.')
      throw e
    }
    const current = locked.rows[0]
    if (current?.status === 'COMMITTED') {
      await client.query('ROLLBACK')
      return { uploadId: opts.uploadId, noOp: true, counts: countsOfRow(current.preview) }
    }
    if (current?.status !== 'PREVIEW')
      throw new UploadStateError('Check the rows of this file first: the preview comes before storing.')
    const claimed = await client.query<UploadRow>(
      `UPDATE "Upload" SET status = 'COMMITTING', "errorMessage" = NULL, "updatedAt" = now()
       WHERE id = $1::uuid AND status = 'PREVIEW'
       RETURNING id::text, status::text, "storeId"::text AS "storeId", sha256, "sizeBytes"::text AS "sizeBytes", "columnMapping", preview`,
      [opts.uploadId],
    )
    upload = claimed.rows[0]
    if (!upload)
      throw new UploadStateError('Check the rows of this file first: the preview comes before storing.')
    const preview = upload.preview
    const ctx = { uploadId: upload.id, userId: opts.actor.userId, at: (opts.now ?? new Date()).toISOString() }

    // the same file already stored for the same store: a no-op, said so on the upload
    const same = await client.query<{ id: string }>(
      `SELECT id::text FROM "Upload" WHERE sha256 = $1 AND "storeId" IS NOT DISTINCT FROM $2::uuid
         AND status = 'COMMITTED' AND id <> $3::uuid LIMIT 1`,
      [upload.sha256, upload.storeId, upload.id],
    )
    if (same.rows[0]) {
      const c = { ...countsOfRow(preview), new: 0, updated: 0, corrections: 0, queued: 0 }
      c.unchanged = c.events
      await finishUpload(client, upload.id, c, true)
      await auditCommit(client, opts, upload, c, same.rows[0].id)
      await client.query('COMMIT')
      removeUploadFile(upload.id)
      return { uploadId: upload.id, noOp: true, counts: c }
    }
    const settings = (preview?.settings ?? {}) as IngestSettings
    let pendingWrite: Promise<void> = Promise.resolve()
    const result = await parse(
      {
        uploadId: upload.id,
        sizeBytes: Number(upload.sizeBytes),
        stores: opts.stores,
        ...(opts.defaultStoreCode !== undefined && { defaultStoreCode: opts.defaultStoreCode }),
        settings,
        ...(opts.now !== undefined && { now: opts.now }),
        ...(opts.onProgress !== undefined && { onProgress: opts.onProgress }),
      },
      {
        onRowIssues: async (issues) => {
          let text = ''
          for (const i of issues)
            text += `${uuidv7()}\t${ctx.uploadId}\t${i.rowNumber}\t${copyField(JSON.stringify(i.raw))}\t${copyField(
              JSON.stringify(i.reasons),
            )}\t${ctx.at}\n`
          await copyRows(client, '"UploadRowIssue"', ISSUE_COLUMNS, text)
        },
        onEvents: async (events) => {
          // the previous chunk's COPY ran while the parser built this chunk; one statement at a time per client
          await pendingWrite
          pendingWrite = (await storeChunk(client, events, ctx, counts)).written
          pendingWrite.catch(() => {}) // awaited (and rethrown) at the next chunk or the end
        },
      },
    )
    await pendingWrite
    finishCounts(counts, result)
    await finishUpload(client, upload.id, counts, false)
    await auditCommit(client, opts, upload, counts, null)
    await client.query('COMMIT')
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {})
    if (upload) {
      const message = isUploadFileError(e)
        ? e.message
        : 'Storing the file failed and nothing was stored. Try again; if it keeps failing, tell your administrator.'
      // the rollback returned the upload to PREVIEW; keep the reason for the page
      await pool.query(
        `UPDATE "Upload" SET "errorMessage" = $2, "updatedAt" = now() WHERE id = $1 AND status = 'PREVIEW'`,
        [upload.id, message],
      )
    }
    throw e
  } finally {
    client.release()
  }
  removeUploadFile(upload.id)
  return { uploadId: upload.id, noOp: false, counts }
}

/** classifies and writes one chunk; resolves once the rows are handed to PostgreSQL, with a promise of their COPY */
async function storeChunk(
  client: pg.ClientBase,
  events: ParsedSaleEvent[],
  ctx: { uploadId: string; userId: string | null; at: string },
  counts: IngestCounts,
): Promise<{ written: Promise<void> }> {
  const existing = await lookupExisting(client, events, true)
  let newEvents = ''
  let changed = ''
  let lines = ''
  const changedIds: string[] = []
  for (const e of events) {
    const found = existing.get(key(e.storeId, e.kind, e.orderId))
    const d = dispositionOf(e, found)
    countDisposition(counts, d)
    if (e.status === 'INVALID') counts.invalidRows += e.sourceRows.length
    if (d === 'new') {
      const id = uuidv7()
      newEvents += eventLine(id, e, ctx, false, 1)
      lines += lineItemLines(id, e)
    } else if ((d === 'update' || d === 'correction') && found) {
      changed += eventLine(found.id, e, ctx, d === 'correction', found.version)
      changedIds.push(found.id)
      lines += lineItemLines(found.id, e)
    }
  }
  // handed back unawaited: the caller lets the parser build the next chunk while PostgreSQL writes this one
  const inserted = copyRows(client, '"SaleEvent"', EVENT_COLUMNS, newEvents)
  if (changedIds.length > 0) {
    await inserted
    await client.query(
      `CREATE TEMP TABLE IF NOT EXISTS ingest_changed (LIKE "SaleEvent" INCLUDING DEFAULTS) ON COMMIT DROP`,
    )
    await client.query('TRUNCATE ingest_changed')
    await copyRows(client, 'ingest_changed', EVENT_COLUMNS, changed)
    // in place, so the event keeps its id and its batch history; version names the row the lookup locked
    const updated = await client.query(
      `UPDATE "SaleEvent" e SET kind = c.kind, "orderIdGenerated" = c."orderIdGenerated", "occurredAt" = c."occurredAt",
         "customerId" = c."customerId", revenue = c.revenue, "returnExpenses" = c."returnExpenses", refund = c.refund,
         "returnShippingCost" = c."returnShippingCost", "returnReason" = c."returnReason", "returnType" = c."returnType",
         "returnPreference" = c."returnPreference", "returnDropOff" = c."returnDropOff", status = c.status,
         issues = c.issues, "itemCount" = c."itemCount", "itemsTotal" = c."itemsTotal", "contentHash" = c."contentHash",
         "isCorrection" = e."isCorrection" OR c."isCorrection", version = e.version + 1, "lastError" = NULL,
         "uploadId" = c."uploadId", "updatedById" = c."updatedById", "updatedAt" = c."updatedAt"
       FROM ingest_changed c
       WHERE e.id = c.id AND e.version = c.version AND e."openBatchId" IS NULL`,
    )
    if (updated.rowCount !== changedIds.length)
      throw new Error('a stored event changed while this file was being stored')
    await client.query(`DELETE FROM "LineItem" WHERE "eventId" = ANY($1::uuid[])`, [changedIds])
  }
  const written = inserted.then(() => copyRows(client, '"LineItem"', LINE_COLUMNS, lines))
  // wrapped: an async function would otherwise wait for the returned promise itself
  return { written }
}

async function finishUpload(client: pg.ClientBase, uploadId: string, c: IngestCounts, sameFile: boolean) {
  const done = await client.query(
    `UPDATE "Upload" SET status = 'COMMITTED', "rowCount" = $2, "eventCount" = $3, "validEventCount" = $4,
       "invalidRowCount" = $5, "duplicateCount" = $6, "updatedCount" = $7, "correctionCount" = $8, "returnCount" = $9,
       "queuedSkipCount" = $10, "committedAt" = now(), "updatedAt" = now(),
       preview = CASE WHEN $11 THEN jsonb_set(preview, '{committedAsSameFile}', 'true') ELSE preview END
     WHERE id = $1::uuid AND status = 'COMMITTING'`,
    [
      uploadId,
      c.rows,
      c.events,
      c.validEvents,
      c.invalidRows,
      c.unchanged,
      c.updated,
      c.corrections,
      c.returns,
      c.queued,
      sameFile,
    ],
  )
  if (done.rowCount !== 1) throw new Error('the upload left COMMITTING while it was being stored')
}

async function auditCommit(
  client: pg.ClientBase,
  opts: { actor: CommitActor; ip?: string | null },
  upload: UploadRow,
  c: IngestCounts,
  sameFileAs: string | null,
) {
  // counts and an id only: nothing here can hold a secret (the audit writer's redaction is for free-form details)
  const details = { counts: c, sameFileAs }
  await client.query(
    `INSERT INTO "AuditLog" (id, "actorId", "actorEmail", action, entity, "entityId", "storeId", details, ip, at)
     VALUES ($1::uuid, $2::uuid, $3, 'upload.committed', 'Upload', $4, $5::uuid, $6::jsonb, $7, now())`,
    [
      uuidv7(),
      opts.actor.userId,
      opts.actor.email,
      upload.id,
      upload.storeId,
      JSON.stringify(details),
      opts.ip?.slice(0, 100) ?? null,
    ],
  )
}
