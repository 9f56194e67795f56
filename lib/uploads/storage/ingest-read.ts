import v8 from 'node:v8'
import type { ByteInput } from '../decode'
import { UploadFileError } from '../errors'
import { SALES_FIELDS } from '../fields'
import { type ParseProgress, type ParseResult, parseSalesFile } from '../parse-sales-file'
import type { ColumnMapping, MappingEdit, PresetId } from '../presets'
import type { ParsedSaleEvent, StoreInfo } from '../types'
import type { UnknownStoreName } from '../upload-stores'
import { type ChunkRows, type CommitContext, chunkRows, rowIssueRows } from './commit-rows'
import {
  countDisposition,
  dispositionOf,
  type EventKeys,
  type ExistingEvent,
  type ExistingRow,
  emptyCounts,
  eventKey,
  finishCounts,
  type IngestCounts,
  type IngestProgress,
  type IngestSettings,
  type IngestStore,
  keysOf,
  PREVIEW_EVENTS,
  PREVIEW_PROBLEMS,
  type PreviewEvent,
  type PreviewProblem,
  previewEventOf,
  problemRowCount,
} from './ingest-rows'
import type { StagedChunk } from './staged-events'

// The reading side of preview and commit (run by the upload's job in a worker process): parse the stored file,
// classify each chunk of events against what the database side looked up, and for the commit turn it into
// COPY rows. Everything that grows with the file lives here; the database side only sees keys and rows.

const LOOKUP_CHUNK = 5_000

export type ReadJob = {
  mode: 'preview' | 'commit'
  /** the stored file, piece by piece (files.ts#readUploadFile) */
  source: ByteInput
  sizeBytes: number
  stores: IngestStore[]
  defaultStoreCode?: string
  /** normalized codes and names of stores the uploader may not write: their rows say so */
  otherStoreNames?: string[]
  settings: IngestSettings
  /** epoch ms: "now" for the age and clock-skew rules */
  now: number
  /** the process's heap may grow to this while the file is read; beyond it the file is refused (TOO_LARGE_TO_READ) */
  heapLimitBytes?: number
  /** the commit's rows say who stored them and when */
  commit?: CommitContext
}

/** what the file turned out to be, as the preview saves it */
export type ReadFileFacts = {
  encoding: string
  delimiter: string
  headerRowNumber: number
  header: string[]
  preset: PresetId
  mapping: ColumnMapping
  dateOrder: string
  decimalSeparator: string
  warnings: string[]
  /** store names no store keeps (the preview asks which store each is) */
  unknownStores: UnknownStoreName[]
}

export type ReadOutcome = {
  file: ReadFileFacts
  /** the settings that make the commit read the file exactly as this read did */
  settings: IngestSettings
  counts: IngestCounts
  /** preview only (empty for a commit) */
  firstEvents: PreviewEvent[]
  /** preview only: the first problems, in file order */
  problems: PreviewProblem[]
  problemTotal: number
  queuedOrders: string[]
  /** preview only: each store's distinct item ids with how many of the file's valid sales list them, for the
   * catalog pre-flight (lib/catalog); at most PREVIEW_ITEM_IDS of them */
  itemIds?: { storeId: string; itemId: string; events: number }[]
}

/** distinct (store, item id) pairs a preview gathers for the catalog check */
export const PREVIEW_ITEM_IDS = 20_000

/** how the reading side reaches the database side; each call resolves once the database side is done with it */
export interface ReadPort {
  lookup(keys: EventKeys): Promise<ExistingRow[]>
  /** commit: COPY this chunk (resolves once it is handed to PostgreSQL) */
  store(rows: ChunkRows): Promise<void>
  /** commit: COPY these UploadRowIssue rows */
  rowIssues(text: Uint8Array): Promise<void>
  /** progress, at most every 100 ms; may throw to stop the read (the job was cancelled or replaced) */
  progress(p: IngestProgress): void
  /** preview: keep this chunk of what was parsed, for the commit (parse once; resolves once it is handed over) */
  stage?(chunk: StagedChunk): Promise<void>
}

export const TOO_LARGE_TO_READ_MESSAGE =
  'This file is too large to check in one go. Export a shorter period (for example one week) and upload each file.'

function storeInfos(stores: readonly IngestStore[]): Record<string, StoreInfo> {
  const out: Record<string, StoreInfo> = {}
  for (const s of stores) out[s.code] = { id: s.id, timeZone: s.timeZone, aliases: s.aliases ?? [] }
  return out
}

function progressReporter(
  sizeBytes: number,
  onProgress: (p: IngestProgress) => void,
  heapLimitBytes: number,
) {
  let last = 0
  return (p: ParseProgress) => {
    const now = Date.now()
    if (now - last < 100) return
    last = now
    // the parser keeps every order until the end: a file whose orders don't fit is refused, the process stays up
    if (v8.getHeapStatistics().used_heap_size > heapLimitBytes)
      throw new UploadFileError('TOO_LARGE_TO_READ', TOO_LARGE_TO_READ_MESSAGE)
    const reading = sizeBytes > 0 ? Math.min(1, p.bytesRead / sizeBytes) : 1
    // building: events ≤ rows, so events/rows is a lower bound of the share done (exact for one row per order)
    const fraction =
      p.phase === 'reading' ? reading * 0.8 : 0.8 + 0.2 * Math.min(1, p.events / Math.max(1, p.rows))
    onProgress({ fraction, phase: p.phase, bytes: p.bytesRead, rows: p.rows, events: p.events })
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
  if (result.ordersContiguous)
    out.streamDecisions = { decimalSeparator: result.decimalSeparator, dayMonthOrder: result.dayMonthOrder }
  return out
}

async function existingFor(port: ReadPort, events: readonly ParsedSaleEvent[]) {
  const rows = await port.lookup(keysOf(events))
  const found = new Map<string, ExistingEvent>()
  for (const r of rows) found.set(eventKey(r.storeId, r.kind, r.orderId), r)
  return found
}

/** Reads the whole stored file once: preview counts and problems, or the commit's COPY rows chunk by chunk. */
export async function readUpload(job: ReadJob, port: ReadPort): Promise<ReadOutcome> {
  const counts = emptyCounts()
  const firstEvents: PreviewEvent[] = []
  const problems: PreviewProblem[] = []
  const queuedOrders: string[] = []
  let problemTotal = 0
  const itemEvents = new Map<string, { storeId: string; itemId: string; events: number }>()
  const addItemIds = (e: ParsedSaleEvent) => {
    if (e.status !== 'READY' || !e.storeId) return
    for (const itemId of new Set(e.lineItems.map((li) => li.itemId))) {
      if (!itemId) continue
      const key = `${e.storeId}\u0000${itemId}`
      const seen = itemEvents.get(key)
      if (seen) seen.events++
      else if (itemEvents.size < PREVIEW_ITEM_IDS)
        itemEvents.set(key, { storeId: e.storeId, itemId, events: 1 })
    }
  }
  const addProblem = (p: PreviewProblem) => {
    problemTotal++
    if (problems.length < PREVIEW_PROBLEMS) problems.push(p)
  }
  const byId = new Map(job.stores.map((s) => [s.id, s]))
  const ctx = job.commit
  const s = job.settings
  // assigned in onEvents, which control-flow analysis doesn't follow
  let waiting = null as { events: ParsedSaleEvent[]; existing: Promise<Map<string, ExistingEvent>> } | null
  const classify = async (events: ParsedSaleEvent[], existing: Map<string, ExistingEvent>) => {
    if (ctx) {
      await port.store(chunkRows(events, existing, ctx, counts))
      return
    }
    for (const e of events) {
      const d = dispositionOf(e, existing.get(eventKey(e.storeId, e.kind, e.orderId)))
      countDisposition(counts, d)
      if (d === 'queued' && queuedOrders.length < PREVIEW_PROBLEMS) queuedOrders.push(e.orderId)
      if (firstEvents.length < PREVIEW_EVENTS) firstEvents.push(previewEventOf(e, d, byId.get(e.storeId)))
      addItemIds(e)
      if (e.status === 'INVALID') {
        counts.invalidRows += problemRowCount(e)
        for (const i of e.issues)
          addProblem({
            row: i.row ?? e.sourceRows[0] ?? null,
            orderId: e.orderId,
            field: i.field,
            message: i.message,
          })
      }
    }
    await port.stage?.({ events })
  }
  const result = await parseSalesFile(job.source, {
    stores: storeInfos(job.stores),
    ...(job.defaultStoreCode !== undefined && { defaultStoreCode: job.defaultStoreCode }),
    ...(job.otherStoreNames !== undefined && { otherStoreNames: job.otherStoreNames }),
    ...(s.mapping !== undefined && { mapping: s.mapping }),
    ...(s.dateOrder !== undefined && { dateOrder: s.dateOrder }),
    ...(s.decimalSeparator !== undefined && { decimalSeparator: s.decimalSeparator }),
    ...(s.encoding !== undefined && { encoding: s.encoding }),
    ...(s.delimiter !== undefined && { delimiter: s.delimiter }),
    ...(s.headerRowNumber !== undefined && { headerRowNumber: s.headerRowNumber }),
    ...(ctx && s.streamDecisions !== undefined && { streamDecisions: s.streamDecisions }),
    now: new Date(job.now),
    onProgress: progressReporter(
      job.sizeBytes,
      (p) => port.progress(p),
      job.heapLimitBytes ?? Number.POSITIVE_INFINITY,
    ),
    keepEvents: false,
    eventChunkSize: LOOKUP_CHUNK,
    onRowIssues: async (issues) => {
      if (ctx) {
        await port.rowIssues(rowIssueRows(issues, ctx))
        return
      }
      for (const i of issues)
        for (const r of i.reasons)
          addProblem({ row: i.rowNumber, orderId: null, field: r.field, message: r.message })
      await port.stage?.({ rowIssues: issues })
    },
    onEvents: async (events) => {
      // one chunk ahead: this chunk's lookup runs while the previous one is classified (and written)
      const next = { events, existing: existingFor(port, events) }
      const previous = waiting
      waiting = next
      if (previous) await classify(previous.events, await previous.existing)
    },
  })
  if (waiting) await classify(waiting.events, await waiting.existing)
  finishCounts(counts, result.counts)
  problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0))
  return {
    file: {
      encoding: result.encoding,
      delimiter: result.delimiter,
      headerRowNumber: result.headerRowNumber,
      header: result.header,
      preset: result.preset,
      mapping: result.mapping,
      dateOrder: result.dateOrder,
      decimalSeparator: result.decimalSeparator,
      warnings: result.warnings,
      unknownStores: result.unknownStores,
    },
    settings: resolvedSettings(result, job.settings),
    counts,
    firstEvents,
    problems,
    problemTotal,
    queuedOrders,
    ...(!ctx && { itemIds: [...itemEvents.values()] }),
  }
}

/** the commit of a checked upload: the events its check kept (staged-events.ts), in the order they were parsed */
export type StagedCommitJob = {
  chunks: AsyncIterable<StagedChunk>
  /** how many events the check kept, for progress */
  events: number
  /** the file's size and rows, for progress in the same terms as reading it */
  sizeBytes: number
  rows: number
  /** the stores the uploader may write now: the check's events must all belong to them */
  storeIds: ReadonlySet<string>
  commit: CommitContext
}

export const STORES_CHANGED_MESSAGE =
  'Which stores you may write changed since this file was checked, so it was not stored. Check the file again, then store it.'

/**
 * Stores what the check kept without reading the file again: each chunk classified against what is stored now
 * (an order may have changed since the check) and written as COPY rows, the next chunk's lookup running while
 * this one is written. Counts what becomes of each event; the file's own counts are the check's.
 */
export async function storeStagedEvents(job: StagedCommitJob, port: ReadPort): Promise<IngestCounts> {
  const counts = emptyCounts()
  const ctx = job.commit
  let read = 0
  let written = 0
  // the bar follows the events read (one chunk ahead of those written), the text the events written
  const note = () => {
    const fraction = job.events > 0 ? Math.min(1, read / job.events) : 1
    port.progress({
      fraction,
      phase: 'storing',
      bytes: Math.round(job.sizeBytes * fraction),
      rows: Math.round(job.rows * fraction),
      events: written,
    })
  }
  let waiting: { events: ParsedSaleEvent[]; existing: Promise<Map<string, ExistingEvent>> } | null = null
  const store = async (w: NonNullable<typeof waiting>) => {
    await port.store(chunkRows(w.events, await w.existing, ctx, counts))
    written += w.events.length
    note()
  }
  for await (const chunk of job.chunks) {
    if ('rowIssues' in chunk) {
      await port.rowIssues(rowIssueRows(chunk.rowIssues, ctx))
      continue
    }
    if (chunk.events.some((e) => !job.storeIds.has(e.storeId)))
      throw new UploadFileError('STORES_CHANGED', STORES_CHANGED_MESSAGE)
    read += chunk.events.length
    note()
    const next = { events: chunk.events, existing: existingFor(port, chunk.events) }
    const previous = waiting
    waiting = next
    if (previous) await store(previous)
  }
  if (waiting) await store(waiting)
  return counts
}
