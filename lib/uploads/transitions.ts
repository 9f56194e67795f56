import type { UploadStatus } from '@/lib/generated/prisma/enums'
import type { Queryable } from '@/lib/submission/sql'

// The upload's state machine: every change of an upload's status is a compare-and-set statement here, run on the
// caller's executor (a pool, the commit's own connection inside its transaction, or a Prisma transaction through
// prismaQueryable). An upload is created RECEIVING while its file arrives (receive.ts); creating it is not a move.
//
// Preview (PARSING) and commit (COMMITTING) run as queued jobs (lib/uploads/jobs.ts). Queueing one gives the upload
// a new jobToken; every write of a job names its token, so a job that was replaced (the rows checked again with
// other settings) or whose upload was cancelled finds nothing to write and stops.

export type { UploadStatus }

/** the state an upload is created in */
export const UPLOAD_INITIAL = ['RECEIVING'] as const satisfies readonly UploadStatus[]

/** the states from which a file's rows can be checked (again): the preview; a check waiting or running is replaced */
export const CHECKABLE = [
  'RECEIVED',
  'PARSING',
  'PREVIEW',
  'FAILED',
  'COMMIT_FAILED',
] as const satisfies readonly UploadStatus[]

/** the states from which a person can drop an upload: any moment before it is stored, storing included */
export const CANCELLABLE = [
  'RECEIVED',
  'PARSING',
  'PREVIEW',
  'FAILED',
  'COMMIT_FAILED',
  'COMMITTING',
] as const satisfies readonly UploadStatus[]

/** the states from which the previewed file can be stored: checked, or an earlier try failed */
export const COMMITTABLE = ['PREVIEW', 'COMMIT_FAILED'] as const satisfies readonly UploadStatus[]

/** a job is queued or running for the upload */
export const IN_PROGRESS = ['PARSING', 'COMMITTING'] as const satisfies readonly UploadStatus[]

/** the states the retention job removes a file from once it is old: never while a job runs */
export const EXPIRABLE = [
  'RECEIVING',
  'RECEIVED',
  'PREVIEW',
  'FAILED',
  'COMMIT_FAILED',
] as const satisfies readonly UploadStatus[]

/** every allowed move, with the writer that makes it */
export const UPLOAD_MOVES = [
  { from: ['RECEIVING'], to: 'RECEIVED', writer: 'finishReceiving' },
  { from: CHECKABLE, to: 'PARSING', writer: 'queueCheck' },
  { from: ['PARSING'], to: 'PREVIEW', writer: 'finishParsing' },
  { from: ['PARSING'], to: 'FAILED', writer: 'failParsing' },
  { from: COMMITTABLE, to: 'COMMITTING', writer: 'queueCommit' },
  // inside the commit's transaction, with the events: a crash rolls both back and the job runs again
  { from: ['COMMITTING'], to: 'COMMITTED', writer: 'finishCommitting' },
  { from: ['COMMITTING'], to: 'COMMIT_FAILED', writer: 'failCommitting' },
  { from: CANCELLABLE, to: 'CANCELLED', writer: 'cancelUpload' },
  { from: EXPIRABLE, to: 'CANCELLED', writer: 'expireUploads' },
] as const satisfies readonly { from: readonly UploadStatus[]; to: UploadStatus; writer: string }[]

export function isCheckable(status: UploadStatus) {
  return (CHECKABLE as readonly UploadStatus[]).includes(status)
}

export function isCommittable(status: UploadStatus) {
  return (COMMITTABLE as readonly UploadStatus[]).includes(status)
}

export function isCancellable(status: UploadStatus) {
  return (CANCELLABLE as readonly UploadStatus[]).includes(status)
}

export function isInProgress(status: UploadStatus) {
  return (IN_PROGRESS as readonly UploadStatus[]).includes(status)
}

const applied = (rows: { n: number }[]) => (rows[0]?.n ?? 0) > 0

// RECEIVING → RECEIVED: the whole file is stored, with its size and hash.
export async function finishReceiving(
  q: Queryable,
  uploadId: string,
  file: { sizeBytes: number; sha256: string },
) {
  const { rows } = await q.query<{ n: number }>(
    `WITH u AS (
       UPDATE "Upload" SET status = 'RECEIVED', "sizeBytes" = $2, sha256 = $3, "updatedAt" = now()
       WHERE id = $1::uuid AND status = 'RECEIVING' RETURNING 1
     ) SELECT count(*)::int AS n FROM u`,
    [uploadId, file.sizeBytes, file.sha256],
  )
  return applied(rows)
}

const QUEUE_JOB = `"jobToken" = $2::uuid, "jobLane" = $3, "jobQueuedAt" = clock_timestamp(), "jobStartedAt" = NULL,
  "jobRuns" = 0, "progressBytes" = 0, "progressRows" = 0, "progressEvents" = 0, "errorMessage" = NULL, "updatedAt" = now()`

// → PARSING: a check of the file's rows is queued under a new token (one waiting or running is replaced by it).
export async function queueCheck(q: Queryable, uploadId: string, token: string, lane: string) {
  const { rows } = await q.query<{ n: number }>(
    `WITH u AS (
       UPDATE "Upload" SET status = 'PARSING', ${QUEUE_JOB}
       WHERE id = $1::uuid AND status = ANY($4::"UploadStatus"[]) RETURNING 1
     ) SELECT count(*)::int AS n FROM u`,
    [uploadId, token, lane, CHECKABLE],
  )
  return applied(rows)
}

// PREVIEW/COMMIT_FAILED → COMMITTING: storing is queued under a new token.
export async function queueCommit(q: Queryable, uploadId: string, token: string, lane: string) {
  const { rows } = await q.query<{ n: number }>(
    `WITH u AS (
       UPDATE "Upload" SET status = 'COMMITTING', ${QUEUE_JOB}
       WHERE id = $1::uuid AND status = ANY($4::"UploadStatus"[]) RETURNING 1
     ) SELECT count(*)::int AS n FROM u`,
    [uploadId, token, lane, COMMITTABLE],
  )
  return applied(rows)
}

/** a worker starts (or, after one died, restarts) the upload's job; null when the job is no longer the upload's */
export async function startJobRun(q: Queryable, uploadId: string, token: string) {
  const { rows } = await q.query<{ runs: number; status: UploadStatus }>(
    `UPDATE "Upload" SET "jobStartedAt" = clock_timestamp(), "jobRuns" = "jobRuns" + 1,
       "progressBytes" = 0, "progressRows" = 0, "progressEvents" = 0, "updatedAt" = now()
     WHERE id = $1::uuid AND "jobToken" = $2::uuid AND status = ANY($3::"UploadStatus"[])
     RETURNING "jobRuns" AS runs, status::text AS status`,
    [uploadId, token, IN_PROGRESS],
  )
  return rows[0] ?? null
}

/** the running job's progress, for the page; false when the job is no longer the upload's (cancelled, replaced) */
export async function noteJobProgress(
  q: Queryable,
  uploadId: string,
  token: string,
  p: { bytes: number; rows: number; events: number },
) {
  const { rows } = await q.query<{ n: number }>(
    `WITH u AS (
       UPDATE "Upload" SET "progressBytes" = $3, "progressRows" = $4, "progressEvents" = $5
       WHERE id = $1::uuid AND "jobToken" = $2::uuid AND status = ANY($6::"UploadStatus"[]) RETURNING 1
     ) SELECT count(*)::int AS n FROM u`,
    [uploadId, token, p.bytes, p.rows, p.events, IN_PROGRESS],
  )
  return applied(rows)
}

// PARSING → FAILED: the file could not be read (or its job could not finish); the message is for the page.
export async function failParsing(q: Queryable, uploadId: string, token: string, message: string) {
  const { rows } = await q.query<{ n: number }>(
    `WITH u AS (
       UPDATE "Upload" SET status = 'FAILED', "errorMessage" = $3, "jobToken" = NULL, "updatedAt" = now()
       WHERE id = $1::uuid AND status = 'PARSING' AND "jobToken" = $2::uuid RETURNING 1
     ) SELECT count(*)::int AS n FROM u`,
    [uploadId, token, message],
  )
  return applied(rows)
}

/** what the preview found, as stored on the Upload row */
export type ParsedUpload = {
  counts: {
    rows: number
    events: number
    validEvents: number
    invalidRows: number
    unchanged: number
    updated: number
    corrections: number
    returns: number
    queued: number
  }
  encoding: string | null
  delimiter: string | null
  dateOrder: string | null
  source: string
  columnMapping: unknown
  preview: unknown
}

// PARSING → PREVIEW with what the preview found.
export async function finishParsing(q: Queryable, uploadId: string, token: string, p: ParsedUpload) {
  const { rows } = await q.query<{ n: number }>(
    `WITH u AS (
       UPDATE "Upload" SET status = 'PREVIEW', "rowCount" = $2, "eventCount" = $3, "validEventCount" = $4,
         "invalidRowCount" = $5, "duplicateCount" = $6, "updatedCount" = $7, "correctionCount" = $8, "returnCount" = $9,
         "queuedSkipCount" = $10, encoding = $11, delimiter = $12, "dateOrder" = $13, source = $14,
         "columnMapping" = $15::jsonb, preview = $16::jsonb, "parsedAt" = now(), "errorMessage" = NULL, "updatedAt" = now(),
         "jobToken" = NULL
       WHERE id = $1::uuid AND status = 'PARSING' AND "jobToken" = $17::uuid RETURNING 1
     ) SELECT count(*)::int AS n FROM u`,
    [
      uploadId,
      p.counts.rows,
      p.counts.events,
      p.counts.validEvents,
      p.counts.invalidRows,
      p.counts.unchanged,
      p.counts.updated,
      p.counts.corrections,
      p.counts.returns,
      p.counts.queued,
      p.encoding,
      p.delimiter,
      p.dateOrder,
      p.source,
      JSON.stringify(p.columnMapping),
      JSON.stringify(p.preview),
      token,
    ],
  )
  return applied(rows)
}

/** the upload as the commit reads it once it holds it */
export type CommittingUpload<Preview> = {
  id: string
  status: string
  storeId: string | null
  sha256: string
  sizeBytes: string
  columnMapping: unknown
  preview: Preview | null
}

/** the upload as its commit job reads it; null when the job is no longer the upload's */
export async function committingUpload<Preview>(q: Queryable, uploadId: string, token: string) {
  const { rows } = await q.query<CommittingUpload<Preview>>(
    `SELECT id::text, status::text, "storeId"::text AS "storeId", sha256, "sizeBytes"::text AS "sizeBytes",
       "columnMapping", preview
     FROM "Upload" WHERE id = $1::uuid AND status = 'COMMITTING' AND "jobToken" = $2::uuid`,
    [uploadId, token],
  )
  return rows[0] ?? null
}

// COMMITTING → COMMIT_FAILED: storing failed (rolled back) for a reason in the file or outside it, or its job could not
// finish; the message is for the page, and storing can be tried again.
export async function failCommitting(q: Queryable, uploadId: string, token: string, message: string) {
  const { rows } = await q.query<{ n: number }>(
    `WITH u AS (
       UPDATE "Upload" SET status = 'COMMIT_FAILED', "errorMessage" = $3, "jobToken" = NULL, "updatedAt" = now()
       WHERE id = $1::uuid AND status = 'COMMITTING' AND "jobToken" = $2::uuid RETURNING 1
     ) SELECT count(*)::int AS n FROM u`,
    [uploadId, token, message],
  )
  return applied(rows)
}

// COMMITTING → COMMITTED with what storing did, in the commit's transaction (with the events: all or nothing);
// sameFile: the same file was already stored, so nothing was written.
export async function finishCommitting(
  q: Queryable,
  uploadId: string,
  token: string,
  c: ParsedUpload['counts'],
  sameFile: boolean,
) {
  const { rows } = await q.query<{ n: number }>(
    `WITH u AS (
       UPDATE "Upload" SET status = 'COMMITTED', "rowCount" = $2, "eventCount" = $3, "validEventCount" = $4,
         "invalidRowCount" = $5, "duplicateCount" = $6, "updatedCount" = $7, "correctionCount" = $8, "returnCount" = $9,
         "queuedSkipCount" = $10, "committedAt" = now(), "updatedAt" = now(), "jobToken" = NULL,
         preview = CASE WHEN $11 THEN jsonb_set(preview, '{committedAsSameFile}', 'true') ELSE preview END
       WHERE id = $1::uuid AND status = 'COMMITTING' AND "jobToken" = $12::uuid RETURNING 1
     ) SELECT count(*)::int AS n FROM u`,
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
      token,
    ],
  )
  return applied(rows)
}

// → CANCELLED by a person, at any moment before the file is stored: a waiting or running job finds its token gone
// and stops (a commit that was running rolls back).
export async function cancelUpload(q: Queryable, uploadId: string) {
  const { rows } = await q.query<{ n: number }>(
    `WITH u AS (
       UPDATE "Upload" SET status = 'CANCELLED', "jobToken" = NULL, "updatedAt" = now()
       WHERE id = $1::uuid AND status = ANY($2::"UploadStatus"[]) RETURNING 1
     ) SELECT count(*)::int AS n FROM u`,
    [uploadId, CANCELLABLE],
  )
  return applied(rows)
}

// → CANCELLED by the retention job: uploads not stored within `days` (and files that stopped arriving, an hour after
// their last piece) lose their file; the message says why. Returns the ids, whose files the caller deletes in the same transaction.
export async function expireUploads(q: Queryable, days: number) {
  const { rows } = await q.query<{ id: string }>(
    `UPDATE "Upload" SET status = 'CANCELLED', "jobToken" = NULL, "updatedAt" = now(),
       "errorMessage" = CASE WHEN status = 'RECEIVING'
         THEN 'The file did not arrive completely, so it was removed. Upload it again.'
         ELSE format('This file was not stored within %s days, so it was removed. Upload it again to store its sales.', $1::int) END
     WHERE status = ANY($2::"UploadStatus"[])
       AND CASE WHEN status = 'RECEIVING'
         -- still arriving while its pieces keep coming, however long the whole file takes
         THEN coalesce((SELECT max(c."writtenAt") FROM "UploadFileChunk" c WHERE c."uploadId" = "Upload".id), "createdAt")
           < clock_timestamp() - interval '1 hour'
         ELSE "createdAt" < clock_timestamp() - $1::int * interval '1 day' END
     RETURNING id::text`,
    [days, EXPIRABLE],
  )
  return rows.map((r) => r.id)
}
