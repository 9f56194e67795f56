import type pg from 'pg'
import { audit } from '@/lib/audit/log'
import { mapUploadItemIds } from '@/lib/catalog/mappings'
import { checkUploadItems, type PreviewCatalog, withCatalogIds } from '@/lib/catalog/upload-check'
import { dbPool } from '@/lib/db'
import { copyRows } from '@/lib/db/copy/copy-rows'
import { loggableDbError, logger } from '@/lib/log'
import { storeUploadedChanges } from '@/lib/sales/transitions'
import type { Queryable } from '@/lib/submission/sql'
import { isUploadFileError } from '../errors'
import {
  type CommittingUpload,
  committingUpload,
  failCommitting,
  failParsing,
  finishCommitting,
  finishParsing,
  queueCheck,
  queueCommit,
  startJobRun,
} from '../transitions'
import { type ChunkRows, type CommitContext, EVENT_COLUMNS, ISSUE_COLUMNS, LINE_COLUMNS } from './commit-rows'
import { readUploadFile, removeUploadFile } from './files'
import {
  type ReadFileFacts,
  type ReadJob,
  type ReadOutcome,
  type ReadPort,
  readUpload,
  storeStagedEvents,
} from './ingest-read'
import {
  type EventKeys,
  type ExistingRow,
  emptyCounts,
  finishCounts,
  type IngestCounts,
  type IngestProgress,
  type IngestSettings,
  type IngestStore,
  type PreviewEvent,
  type PreviewProblem,
} from './ingest-rows'
import { laneOf } from './lanes'
import {
  hasStagedChunks,
  readStagedChunks,
  removeStagedChunks,
  type StagedChunk,
  type StagedRef,
  writeStagedChunk,
} from './staged-events'

// The preview parses the stored file once and keeps its events (staged-events.ts); the commit stores those, and
// classifies them again against what is stored with the same rule; only the commit writes, in ONE transaction.
// Both run as the upload's queued job (lib/uploads/jobs.ts) in a worker process; called without a job token (tests,
// scripts) they queue and start themselves here, with the same state moves.

export {
  type Disposition,
  dispositionOf,
  type ExistingEvent,
  type IngestCounts,
  type IngestProgress,
  type IngestSettings,
  type IngestStore,
  PREVIEW_EVENTS,
  PREVIEW_PROBLEMS,
  type PreviewEvent,
  type PreviewProblem,
  payloadViewOf,
} from './ingest-rows'

/** what the file turned out to be (ReadFileFacts, warnings included) and what storing it would do */
export type UploadPreview = ReadFileFacts & {
  checkedAt: string
  counts: IngestCounts
  firstEvents: PreviewEvent[]
  /** the first problems, in file order; problemTotal says how many there are in all */
  problems: PreviewProblem[]
  problemTotal: number
  /** orders of the file in an open batch, left as they are */
  queuedOrders: string[]
  settings: IngestSettings
  /** the same file (same sha256, same store) is already stored: committing changes nothing */
  sameFileAs: { uploadId: string; committedAt: string | null } | null
  /** the catalog pre-flight of the file's item ids (absent: no connection, or no item ids) */
  catalog?: PreviewCatalog
  /** where the check kept what it parsed, for the commit (absent in previews saved before parse once) */
  staged?: StagedRef
}

type RunOptions = {
  uploadId: string
  sizeBytes: number
  stores: readonly IngestStore[]
  defaultStoreCode?: string
  /** normalized codes and names of stores the uploader may not write (getOtherStoreNames) */
  otherStoreNames?: string[]
  settings: IngestSettings
  now?: Date
  pool?: pg.Pool
  /** the job's token (jobs.ts); absent: the check or commit is queued and started here */
  token?: string
  /** may throw JobStoppedError to stop the read (the job was cancelled or replaced) */
  onProgress?: (p: IngestProgress) => void
  /** see ReadJob.heapLimitBytes */
  heapLimitBytes?: number
}

/** the job is no longer the upload's: it was cancelled, or replaced by a newer check; nothing more is written */
export class JobStoppedError extends Error {
  override name = 'JobStoppedError'
  constructor() {
    super('the upload was cancelled or checked again meanwhile')
  }
}

/**
 * What is stored for these (store, kind, order) keys, locked when committing: one probe of the unique key
 * per key. Written as a lateral probe because the commit asks while its own transaction fills the table: the
 * planner, seeing a table that grew since it was last analysed, chose to scan all of it for every chunk.
 */
export async function lookupExisting(client: pg.Pool | pg.ClientBase, keys: EventKeys, lock: boolean) {
  const { rows } = await client.query<ExistingRow>(
    `SELECT e.id::text AS id, e."storeId"::text AS "storeId", e.kind::text AS kind, e."orderId", e.status::text AS status,
            e."contentHash", e.version, (e."openBatchId" IS NOT NULL) AS "inOpenBatch"
     FROM unnest($1::uuid[], $2::"EventKind"[], $3::text[]) AS k(s, k, o)
     CROSS JOIN LATERAL (
       SELECT * FROM "SaleEvent" x WHERE x."storeId" = k.s AND x.kind = k.k AND x."orderId" = k.o
       ${lock ? 'FOR UPDATE' : ''}
     ) e`,
    [keys.storeIds, keys.kinds, keys.orderIds],
  )
  return rows
}

/** what the reader needs: the stored file (read through the pool, not the commit's own connection) and the options */
function readJob(mode: ReadJob['mode'], pool: pg.Pool, opts: RunOptions, commit?: CommitContext): ReadJob {
  return {
    mode,
    source: readUploadFile(pool, opts.uploadId, opts.sizeBytes),
    sizeBytes: opts.sizeBytes,
    stores: opts.stores.map((s) => ({
      id: s.id,
      code: s.code,
      timeZone: s.timeZone,
      latitude: s.latitude,
      longitude: s.longitude,
      ...(s.aliases !== undefined && { aliases: s.aliases }),
    })),
    ...(opts.defaultStoreCode !== undefined && { defaultStoreCode: opts.defaultStoreCode }),
    ...(opts.otherStoreNames !== undefined && { otherStoreNames: opts.otherStoreNames }),
    settings: opts.settings,
    now: (opts.now ?? new Date()).getTime(),
    ...(opts.heapLimitBytes !== undefined && { heapLimitBytes: opts.heapLimitBytes }),
    ...(commit !== undefined && { commit }),
  }
}

const readPortProgress = (opts: RunOptions) => (p: IngestProgress) => opts.onProgress?.(p)

// Called without a job: queue the move here and start it at once, as a worker would.
async function startHere(
  pool: pg.Pool,
  opts: { uploadId: string; sizeBytes: number },
  queue: typeof queueCheck,
): Promise<string | null> {
  const token = crypto.randomUUID()
  if (!(await queue(pool, opts.uploadId, token, laneOf(opts.sizeBytes)))) return null
  return (await startJobRun(pool, opts.uploadId, token)) ? token : null
}

export class UploadStateError extends Error {
  override name = 'UploadStateError'
}

/**
 * Reads the whole stored file and says what a commit would do, without writing any sale: counts, the
 * first events exactly as they will be sent, and the problems with their rows. Saved on the Upload row.
 */
export async function previewUpload(
  opts: RunOptions & { sha256: string; storeId: string | null },
): Promise<UploadPreview> {
  const pool = opts.pool ?? dbPool()
  const token = opts.token ?? (await startHere(pool, opts, queueCheck))
  if (!token)
    throw new UploadStateError('This file is stored or cancelled: its rows cannot be checked again.')
  let read: ReadOutcome
  // parse once: every chunk the check parsed is kept for the commit, written while the next one is parsed, under an
  // id of this run (a run started again after its worker died writes beside the dead one's chunks, not into them)
  const staged: StagedRef = { run: crypto.randomUUID(), chunks: 0, events: 0 }
  let pendingStage: Promise<void> = Promise.resolve()
  const stage = async (chunk: StagedChunk) => {
    await pendingStage
    const seq = staged.chunks++
    if ('events' in chunk) staged.events += chunk.events.length
    pendingStage = writeStagedChunk(
      pool,
      { uploadId: opts.uploadId, token, run: staged.run },
      seq,
      chunk,
    ).then((kept) => {
      if (!kept) throw new JobStoppedError()
    })
    pendingStage.catch(() => {}) // awaited (and rethrown) at the next chunk or the end
  }
  try {
    // what earlier checks (or runs of this one) kept is of no more use; a run still alive beside this one that
    // finishes last saves a preview whose chunks are incomplete, and the commit then reads the file instead
    await removeStagedChunks(pool, opts.uploadId)
    read = await readUpload(readJob('preview', pool, opts), {
      lookup: (keys) => lookupExisting(pool, keys, false),
      store: async () => {},
      rowIssues: async () => {},
      progress: readPortProgress(opts),
      stage,
    })
    await pendingStage
  } catch (e) {
    if (e instanceof JobStoppedError) throw e
    // a message about a row already names it
    const message = isUploadFileError(e)
      ? e.message
      : 'The file could not be read. Try again; if it keeps failing, tell your administrator.'
    await failParsing(pool, opts.uploadId, token, message)
    throw e
  }
  const { file: result, counts } = read
  const same = await pool.query<{ id: string; committedAt: Date | null }>(
    `SELECT id::text, "committedAt" FROM "Upload"
     WHERE sha256 = $1 AND "storeId" IS NOT DISTINCT FROM $2::uuid AND status = 'COMMITTED' AND id <> $3::uuid
     ORDER BY "committedAt" DESC LIMIT 1`,
    [opts.sha256, opts.storeId, opts.uploadId],
  )
  const sameRow = same.rows[0]
  const catalog = await checkUploadItems(read.itemIds ?? [], { q: pool })
  const preview: UploadPreview = {
    checkedAt: new Date().toISOString(),
    ...result,
    counts,
    firstEvents: withCatalogIds(read.firstEvents, opts.stores, catalog),
    problems: read.problems,
    problemTotal: read.problemTotal,
    queuedOrders: read.queuedOrders,
    settings: read.settings,
    sameFileAs: sameRow
      ? { uploadId: sameRow.id, committedAt: sameRow.committedAt?.toISOString() ?? null }
      : null,
    ...(catalog !== undefined && { catalog }),
    staged,
  }
  const finished = await finishParsing(pool, opts.uploadId, token, {
    counts,
    encoding: result.encoding,
    delimiter: result.delimiter === '\t' ? 'tab' : result.delimiter,
    dateOrder: result.dateOrder.slice(0, 3),
    source: result.preset,
    columnMapping: preview.mapping,
    preview,
  })
  if (!finished) throw new JobStoppedError()
  return preview
}

// ——— commit ———

/** what the manager reads when storing failed for a reason that is not in the file */
export const STORE_FAILED_MESSAGE =
  'Storing this file failed because of a problem on our side, not in your file. Nothing was stored. Try again in a few minutes; if it fails again, tell your administrator.'

/** what the losing commit reads when the same file (same sha256, same store) was stored by another upload meanwhile */
export const SAME_FILE_JUST_STORED_MESSAGE =
  'Another upload of this file was just stored, so storing this one would change nothing. Open Uploads to see the stored one, and cancel this upload.'

export type CommitActor = { userId: string | null; email: string | null }

export type CommitSummary = {
  uploadId: string
  /** the upload had already been stored (a second click, or the same file again): nothing changed */
  noOp: boolean
  counts: IngestCounts
}

type UploadRow = CommittingUpload<UploadPreview>

function countsOfRow(preview: UploadPreview | null): IngestCounts {
  return preview?.counts ?? emptyCounts()
}

type CommitOptions = {
  uploadId: string
  actor: CommitActor
  ip?: string | null
  stores: readonly IngestStore[]
  defaultStoreCode?: string
  otherStoreNames?: string[]
  now?: Date
  pool?: pg.Pool
  token?: string
  onProgress?: (p: IngestProgress) => void
  heapLimitBytes?: number
}

/** how the commit reads the file again when the check kept nothing: with the check's settings */
function commitReadOptions(opts: CommitOptions, upload: UploadRow): RunOptions {
  return {
    uploadId: upload.id,
    sizeBytes: Number(upload.sizeBytes),
    stores: opts.stores,
    ...(opts.defaultStoreCode !== undefined && { defaultStoreCode: opts.defaultStoreCode }),
    ...(opts.otherStoreNames !== undefined && { otherStoreNames: opts.otherStoreNames }),
    settings: (upload.preview?.settings ?? {}) as IngestSettings,
    ...(opts.now !== undefined && { now: opts.now }),
    ...(opts.onProgress !== undefined && { onProgress: opts.onProgress }),
    ...(opts.heapLimitBytes !== undefined && { heapLimitBytes: opts.heapLimitBytes }),
  }
}

/**
 * Stores the upload's events (its job, or called directly: then PREVIEW → COMMITTING is queued and started here, and
 * a second call finds it COMMITTING or COMMITTED). The events the check kept (staged-events.ts) are read back, or,
 * when it kept none, the stored file is parsed again; they are written with COPY inside ONE transaction, with COMMITTING → COMMITTED and the file's deletion: all or nothing, so a process killed mid-way
 * leaves nothing half-stored and the job simply runs again. New orders are inserted; unchanged ones skipped;
 * changed ones updated in place; sent ones stored again as corrections; orders in an open batch left alone and
 * counted.
 */
export async function commitUpload(opts: CommitOptions): Promise<CommitSummary> {
  const pool = opts.pool ?? dbPool()
  let token = opts.token
  if (token === undefined) {
    const current = async () => {
      const { rows } = await pool.query<{ sizeBytes: string; status: string; preview: UploadPreview | null }>(
        `SELECT "sizeBytes"::text AS "sizeBytes", status::text, preview FROM "Upload" WHERE id = $1::uuid`,
        [opts.uploadId],
      )
      return rows[0]
    }
    // a second call (double click) finds it queued or stored
    const refusal = (row: Awaited<ReturnType<typeof current>>) => {
      if (row?.status === 'COMMITTED')
        return { uploadId: opts.uploadId, noOp: true, counts: countsOfRow(row.preview) }
      if (row?.status === 'COMMITTING')
        throw new UploadStateError('This file is being stored right now. Wait a moment and reload the page.')
      throw new UploadStateError('Check the rows of this file first: the preview comes before storing.')
    }
    const row = await current()
    const started = row
      ? await startHere(pool, { uploadId: opts.uploadId, sizeBytes: Number(row.sizeBytes) }, queueCommit)
      : null
    if (!started) return refusal(await current())
    token = started
  }
  const client = await pool.connect()
  let counts = emptyCounts()
  let upload: UploadRow | undefined
  try {
    await client.query('BEGIN')
    // one run at a time: a job run again while the worker thought dead still holds it finds it taken and waits its turn
    if (!(await takeCommitLock(client, opts.uploadId))) throw new UploadBusyError()
    upload = (await committingUpload<UploadPreview>(client, opts.uploadId, token)) ?? undefined
    if (!upload) throw new JobStoppedError()
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
      await finishUpload(client, upload.id, token, c, true)
      await auditCommit(client, opts, upload, c, same.rows[0].id)
      await client.query('COMMIT')
      return { uploadId: upload.id, noOp: true, counts: c }
    }
    let pendingWrite: Promise<void> = Promise.resolve()
    const port: ReadPort = {
      rowIssues: (text) => copyRows(client, '"UploadRowIssue"', ISSUE_COLUMNS, text),
      lookup: async (keys) => {
        // the reader builds a chunk while the previous one is copied; one statement at a time per client,
        // and a failed COPY is reported as itself, not as the lookup it would abort
        await pendingWrite
        return lookupExisting(client, keys, true)
      },
      store: async (rows) => {
        pendingWrite = (await storeChunk(client, ctx.uploadId, rows)).written
        pendingWrite.catch(() => {}) // awaited (and rethrown) at the next chunk or the end
      },
      progress: (p) => opts.onProgress?.(p),
    }
    const staged = preview?.staged
    if (preview && staged && (await hasStagedChunks(pool, upload.id, staged))) {
      // parse once: the events the check kept, as the preview showed them
      counts = await storeStagedEvents(
        {
          chunks: readStagedChunks(pool, upload.id, staged),
          events: staged.events,
          sizeBytes: Number(upload.sizeBytes),
          rows: preview.counts.rows,
          storeIds: new Set(opts.stores.map((st) => st.id)),
          commit: ctx,
        },
        port,
      )
      finishCounts(counts, preview.counts)
    } else {
      // checked before parse once (or its kept events are gone): the file is read again with the check's settings
      counts = (await readUpload(readJob('commit', pool, commitReadOptions(opts, upload), ctx), port)).counts
    }
    await pendingWrite
    // till SKUs the stores mapped to catalog ids (Needs attention) are stored as the catalog's ids
    await mapUploadItemIds(
      client,
      upload.id,
      opts.stores.map((st) => st.id),
    )
    await finishUpload(client, upload.id, token, counts, false)
    await auditCommit(client, opts, upload, counts, null)
    await client.query('COMMIT')
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {})
    if (upload && !(e instanceof JobStoppedError) && !(e instanceof UploadBusyError)) {
      // the rollback undid everything; the upload moves to COMMIT_FAILED with a message for the page: a reason in the
      // file as it is, anything else logged (the upload id and the error, no row values) and said as "try again"
      if (isUploadFileError(e)) await failCommitting(pool, upload.id, token, e.message)
      else if (isUniqueViolation(e) && (await sameFileStored(pool, upload))) {
        // the same file committed at the same moment: the other upload's sales took the keys first
        await failCommitting(pool, upload.id, token, SAME_FILE_JUST_STORED_MESSAGE)
        throw new UploadStateError(SAME_FILE_JUST_STORED_MESSAGE)
      } else {
        logger.error({ uploadId: upload.id, dbError: loggableDbError(e) }, 'storing an upload failed')
        await failCommitting(pool, upload.id, token, STORE_FAILED_MESSAGE)
        throw new UploadFailedError(STORE_FAILED_MESSAGE, { cause: e })
      }
    }
    throw e
  } finally {
    client.release()
  }
  return { uploadId: upload.id, noOp: false, counts }
}

/** one commit of an upload at a time: held by the commit's transaction; false when another run holds it */
async function takeCommitLock(q: Queryable, uploadId: string): Promise<boolean> {
  const { rows } = await q.query<{ ok: boolean }>(
    `SELECT pg_try_advisory_xact_lock(hashtext('upload-commit'), hashtext($1)) AS ok`,
    [uploadId],
  )
  return rows[0]?.ok === true
}

/** whether a run of the upload's commit is storing it right now (outside a transaction, the lock is let go at once) */
export async function commitRunning(q: Queryable, uploadId: string): Promise<boolean> {
  return !(await takeCommitLock(q, uploadId))
}

/** the commit failed for a reason logged with the upload, which is now COMMIT_FAILED and says "try again" */
export class UploadFailedError extends Error {
  override name = 'UploadFailedError'
}

/** another run of the same commit holds it (a job started again while the first run still lives) */
export class UploadBusyError extends Error {
  override name = 'UploadBusyError'
  constructor() {
    super('This file is being stored right now. Wait a moment and reload the page.')
  }
}

function isUniqueViolation(e: unknown) {
  return (e as { code?: string } | null)?.code === '23505'
}

async function sameFileStored(pool: pg.Pool, upload: UploadRow) {
  const { rowCount } = await pool.query(
    `SELECT 1 FROM "Upload" WHERE sha256 = $1 AND "storeId" IS NOT DISTINCT FROM $2::uuid
       AND status = 'COMMITTED' AND id <> $3::uuid LIMIT 1`,
    [upload.sha256, upload.storeId, upload.id],
  )
  return (rowCount ?? 0) > 0
}

/** writes one chunk the reader classified; resolves once the rows are handed to PostgreSQL, with a promise of their COPY */
export async function storeChunk(
  client: pg.ClientBase,
  /** null for sales that came through the feed API (no upload to list them on) */
  uploadId: string | null,
  rows: ChunkRows,
): Promise<{ written: Promise<void> }> {
  const { newEvents, changed, changedIds, carriedInvalidIds, lines } = rows
  // handed back unawaited: the reader builds the next chunk while PostgreSQL writes this one
  const inserted = copyRows(client, '"SaleEvent"', EVENT_COLUMNS, newEvents, 'binary')
  if (uploadId !== null && carriedInvalidIds.length > 0) {
    await inserted
    // an invalid sale the file carries unchanged is listed on this upload as needing attention (not a status move)
    await client.query(
      `UPDATE "SaleEvent" SET "uploadId" = $1::uuid WHERE id = ANY($2::uuid[]) AND status = 'INVALID'`,
      [uploadId, carriedInvalidIds],
    )
  }
  if (changedIds.length > 0) {
    await inserted
    await client.query(
      `CREATE TEMP TABLE IF NOT EXISTS ingest_changed (LIKE "SaleEvent" INCLUDING DEFAULTS) ON COMMIT DROP`,
    )
    await client.query('TRUNCATE ingest_changed')
    await copyRows(client, 'ingest_changed', EVENT_COLUMNS, changed, 'binary')
    // in place, so the event keeps its id and its batch history
    if ((await storeUploadedChanges(client)) !== changedIds.length)
      throw new Error('a stored event changed while this file was being stored')
    await client.query(`DELETE FROM "LineItem" WHERE "eventId" = ANY($1::uuid[])`, [changedIds])
  }
  const written = inserted.then(() => copyRows(client, '"LineItem"', LINE_COLUMNS, lines, 'binary'))
  // wrapped: an async function would otherwise wait for the returned promise itself
  return { written }
}

// COMMITTED, and the file is no longer needed: both in the storing transaction
async function finishUpload(
  client: pg.ClientBase,
  uploadId: string,
  token: string,
  c: IngestCounts,
  sameFile: boolean,
) {
  // cancelled (or its job replaced) meanwhile: the rollback undoes what was written
  if (!(await finishCommitting(client, uploadId, token, c, sameFile))) throw new JobStoppedError()
  await removeUploadFile(client, uploadId)
}

async function auditCommit(
  client: pg.ClientBase,
  opts: { actor: CommitActor; ip?: string | null },
  upload: UploadRow,
  c: IngestCounts,
  sameFileAs: string | null,
) {
  await audit(client, {
    actor: opts.actor,
    action: 'upload.committed',
    entity: 'Upload',
    entityId: upload.id,
    storeId: upload.storeId,
    details: { counts: c, sameFileAs },
    ip: opts.ip,
  })
}
