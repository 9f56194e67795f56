import type pg from 'pg'
import { audit } from '@/lib/audit/log'
import { mapUploadItemIds } from '@/lib/catalog/mappings'
import { checkUploadItems, type PreviewCatalog, withCatalogIds } from '@/lib/catalog/upload-check'
import { dbPool } from '@/lib/db'
import { copyRows } from '@/lib/db/copy/copy-rows'
import { loggableDbError, logger } from '@/lib/log'
import { storeUploadedChanges } from '@/lib/sales/transitions'
import { isUploadFileError } from '../errors'
import {
  type CommittingUpload,
  failCommitting,
  failParsing,
  finishCommitting,
  finishParsing,
  isCommittable,
  noteCommitRefusal,
  startCommitting,
  startParsing,
  type UploadStatus,
} from '../transitions'
import { type ChunkRows, type CommitContext, EVENT_COLUMNS, ISSUE_COLUMNS, LINE_COLUMNS } from './commit-rows'
import { removeUploadFile, uploadFilePath } from './files'
import type { ReadFileFacts, ReadJob, ReadOutcome } from './ingest-read'
import {
  type EventKeys,
  type ExistingRow,
  emptyCounts,
  type IngestCounts,
  type IngestProgress,
  type IngestSettings,
  type IngestStore,
  type PreviewEvent,
  type PreviewProblem,
} from './ingest-rows'
import { readInWorker } from './ingest-thread'

// Preview and commit read the stored file through the same parser with the same settings, and classify
// every event against what is stored with the same rule; only the commit writes, in ONE transaction.
// The reading runs in a worker thread (ingest-read.ts); this side holds the database connection.

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
  onProgress?: (p: IngestProgress) => void
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

/** what the reading thread needs, as plain data (it is copied to the thread) */
function readJob(mode: ReadJob['mode'], opts: RunOptions, commit?: CommitContext): ReadJob {
  return {
    mode,
    file: uploadFilePath(opts.uploadId),
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
    progress: opts.onProgress !== undefined,
    ...(commit !== undefined && { commit }),
  }
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
  const pool = opts.pool ?? dbPool()
  if (!(await startParsing(pool, opts.uploadId)))
    throw new UploadStateError('This file is stored or cancelled: its rows cannot be checked again.')
  let read: ReadOutcome
  try {
    read = await readInWorker(readJob('preview', opts), {
      lookup: (keys) => lookupExisting(pool, keys, false),
      ...(opts.onProgress !== undefined && { onProgress: opts.onProgress }),
    })
  } catch (e) {
    // a message about a row already names it
    const message = isUploadFileError(e)
      ? e.message
      : 'The file could not be read. Try again; if it keeps failing, tell your administrator.'
    await failParsing(pool, opts.uploadId, message)
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
  const catalog = await checkUploadItems(read.itemIds ?? [])
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
  }
  await finishParsing(pool, opts.uploadId, {
    counts,
    encoding: result.encoding,
    delimiter: result.delimiter === '\t' ? 'tab' : result.delimiter,
    dateOrder: result.dateOrder.slice(0, 3),
    source: result.preset,
    columnMapping: preview.mapping,
    preview,
  })
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
  otherStoreNames?: string[]
  now?: Date
  pool?: pg.Pool
  onProgress?: (p: IngestProgress) => void
}): Promise<CommitSummary> {
  const pool = opts.pool ?? dbPool()
  const client = await pool.connect()
  let counts = emptyCounts()
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
    if (!current || !isCommittable(current.status as UploadStatus))
      throw new UploadStateError('Check the rows of this file first: the preview comes before storing.')
    upload = (await startCommitting<UploadPreview>(client, opts.uploadId)) ?? undefined
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
    const read = await readInWorker(
      readJob(
        'commit',
        {
          uploadId: upload.id,
          sizeBytes: Number(upload.sizeBytes),
          stores: opts.stores,
          ...(opts.defaultStoreCode !== undefined && { defaultStoreCode: opts.defaultStoreCode }),
          ...(opts.otherStoreNames !== undefined && { otherStoreNames: opts.otherStoreNames }),
          settings,
          ...(opts.now !== undefined && { now: opts.now }),
          ...(opts.onProgress !== undefined && { onProgress: opts.onProgress }),
        },
        ctx,
      ),
      {
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
        ...(opts.onProgress !== undefined && { onProgress: opts.onProgress }),
      },
    )
    await pendingWrite
    // till SKUs the stores mapped to catalog ids (Needs attention) are stored as the catalog's ids
    await mapUploadItemIds(
      client,
      upload.id,
      opts.stores.map((st) => st.id),
    )
    counts = read.counts
    await finishUpload(client, upload.id, counts, false)
    await auditCommit(client, opts, upload, counts, null)
    await client.query('COMMIT')
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {})
    if (upload) {
      // the rollback put the upload back where it was; a reason in the file keeps it there with that reason,
      // anything else marks it failed (try again) and goes to the log: the upload id and the error, no row values
      if (isUploadFileError(e)) await noteCommitRefusal(pool, upload.id, e.message)
      else if (isUniqueViolation(e) && (await sameFileStored(pool, upload))) {
        // the same file committed at the same moment: the other upload's sales took the keys first
        await noteCommitRefusal(pool, upload.id, SAME_FILE_JUST_STORED_MESSAGE)
        throw new UploadStateError(SAME_FILE_JUST_STORED_MESSAGE)
      } else {
        logger.error({ uploadId: upload.id, dbError: loggableDbError(e) }, 'storing an upload failed')
        await failCommitting(pool, upload.id, STORE_FAILED_MESSAGE)
      }
    }
    throw e
  } finally {
    client.release()
  }
  removeUploadFile(upload.id)
  return { uploadId: upload.id, noOp: false, counts }
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

async function finishUpload(client: pg.ClientBase, uploadId: string, c: IngestCounts, sameFile: boolean) {
  if (!(await finishCommitting(client, uploadId, c, sameFile)))
    throw new Error('the upload left COMMITTING while it was being stored')
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
