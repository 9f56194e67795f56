import type { UploadStatus } from '@/lib/generated/prisma/enums'
import type { Queryable } from '@/lib/submission/sql'

// The upload's state machine: every change of an upload's status is a compare-and-set statement here, run on the
// caller's executor (a pool, the commit's own connection inside its transaction, or a Prisma transaction through
// prismaQueryable). An upload is made RECEIVED when its file has been stored (receive.ts): creating it in that state
// is not a move and stays at the creation site.

export type { UploadStatus }

/** the state an upload is created in */
export const UPLOAD_INITIAL = ['RECEIVED'] as const satisfies readonly UploadStatus[]

/** the states from which a file's rows can be checked (again): the preview */
export const CHECKABLE = [
  'RECEIVED',
  'PARSING',
  'PREVIEW',
  'FAILED',
  'COMMIT_FAILED',
] as const satisfies readonly UploadStatus[]

/** the states from which an upload can be dropped: never while or after it is stored */
export const CANCELLABLE = [
  'RECEIVED',
  'PREVIEW',
  'FAILED',
  'COMMIT_FAILED',
] as const satisfies readonly UploadStatus[]

/** the states from which the previewed file can be stored: checked, or an earlier try failed */
export const COMMITTABLE = ['PREVIEW', 'COMMIT_FAILED'] as const satisfies readonly UploadStatus[]

/** every allowed move, with the writer that makes it */
export const UPLOAD_MOVES = [
  { from: CHECKABLE, to: 'PARSING', writer: 'startParsing' },
  { from: ['PARSING'], to: 'PREVIEW', writer: 'finishParsing' },
  { from: ['PARSING'], to: 'FAILED', writer: 'failParsing' },
  // inside the commit's transaction: a failure rolls it back with everything else, so none is left stuck in COMMITTING
  { from: COMMITTABLE, to: 'COMMITTING', writer: 'startCommitting' },
  { from: ['COMMITTING'], to: 'COMMITTED', writer: 'finishCommitting' },
  // after the failed commit's rollback put it back where it was (PREVIEW or COMMIT_FAILED), on a connection of its own
  { from: COMMITTABLE, to: 'COMMIT_FAILED', writer: 'failCommitting' },
  { from: CANCELLABLE, to: 'CANCELLED', writer: 'cancelUpload' },
] as const satisfies readonly { from: readonly UploadStatus[]; to: UploadStatus; writer: string }[]

export function isCheckable(status: UploadStatus) {
  return (CHECKABLE as readonly UploadStatus[]).includes(status)
}

export function isCommittable(status: UploadStatus) {
  return (COMMITTABLE as readonly UploadStatus[]).includes(status)
}

const applied = (rows: { n: number }[]) => (rows[0]?.n ?? 0) > 0

// → PARSING: the file is being read for its preview.
export async function startParsing(q: Queryable, uploadId: string) {
  const { rows } = await q.query<{ n: number }>(
    `WITH u AS (
       UPDATE "Upload" SET status = 'PARSING', "errorMessage" = NULL, "updatedAt" = now()
       WHERE id = $1::uuid AND status = ANY($2::"UploadStatus"[]) RETURNING 1
     ) SELECT count(*)::int AS n FROM u`,
    [uploadId, CHECKABLE],
  )
  return applied(rows)
}

// PARSING → FAILED: the file could not be read; the message is for the page.
export async function failParsing(q: Queryable, uploadId: string, message: string) {
  const { rows } = await q.query<{ n: number }>(
    `WITH u AS (
       UPDATE "Upload" SET status = 'FAILED', "errorMessage" = $2, "updatedAt" = now()
       WHERE id = $1::uuid AND status = 'PARSING' RETURNING 1
     ) SELECT count(*)::int AS n FROM u`,
    [uploadId, message],
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
export async function finishParsing(q: Queryable, uploadId: string, p: ParsedUpload) {
  const { rows } = await q.query<{ n: number }>(
    `WITH u AS (
       UPDATE "Upload" SET status = 'PREVIEW', "rowCount" = $2, "eventCount" = $3, "validEventCount" = $4,
         "invalidRowCount" = $5, "duplicateCount" = $6, "updatedCount" = $7, "correctionCount" = $8, "returnCount" = $9,
         "queuedSkipCount" = $10, encoding = $11, delimiter = $12, "dateOrder" = $13, source = $14,
         "columnMapping" = $15::jsonb, preview = $16::jsonb, "parsedAt" = now(), "errorMessage" = NULL, "updatedAt" = now()
       WHERE id = $1::uuid AND status = 'PARSING' RETURNING 1
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

// PREVIEW/COMMIT_FAILED → COMMITTING, on the commit's connection inside its transaction; null when the upload is in
// neither.
export async function startCommitting<Preview>(q: Queryable, uploadId: string) {
  const { rows } = await q.query<CommittingUpload<Preview>>(
    `UPDATE "Upload" SET status = 'COMMITTING', "errorMessage" = NULL, "updatedAt" = now()
     WHERE id = $1::uuid AND status = ANY($2::"UploadStatus"[])
     RETURNING id::text, status::text, "storeId"::text AS "storeId", sha256, "sizeBytes"::text AS "sizeBytes",
       "columnMapping", preview`,
    [uploadId, COMMITTABLE],
  )
  return rows[0] ?? null
}

// → COMMIT_FAILED: storing failed for a reason outside the file and was rolled back; the message is for the page.
export async function failCommitting(q: Queryable, uploadId: string, message: string) {
  const { rows } = await q.query<{ n: number }>(
    `WITH u AS (
       UPDATE "Upload" SET status = 'COMMIT_FAILED', "errorMessage" = $2, "updatedAt" = now()
       WHERE id = $1::uuid AND status = ANY($3::"UploadStatus"[]) RETURNING 1
     ) SELECT count(*)::int AS n FROM u`,
    [uploadId, message, COMMITTABLE],
  )
  return applied(rows)
}

// PREVIEW/COMMIT_FAILED keep their status when storing was refused for a reason in the file; the message is for
// the page.
export async function noteCommitRefusal(q: Queryable, uploadId: string, message: string) {
  const { rows } = await q.query<{ n: number }>(
    `WITH u AS (
       UPDATE "Upload" SET "errorMessage" = $2, "updatedAt" = now()
       WHERE id = $1::uuid AND status = ANY($3::"UploadStatus"[]) RETURNING 1
     ) SELECT count(*)::int AS n FROM u`,
    [uploadId, message, COMMITTABLE],
  )
  return applied(rows)
}

// COMMITTING → COMMITTED with what storing did, in the commit's transaction; sameFile: the same file was already
// stored, so nothing was written.
export async function finishCommitting(
  q: Queryable,
  uploadId: string,
  c: ParsedUpload['counts'],
  sameFile: boolean,
) {
  const { rows } = await q.query<{ n: number }>(
    `WITH u AS (
       UPDATE "Upload" SET status = 'COMMITTED', "rowCount" = $2, "eventCount" = $3, "validEventCount" = $4,
         "invalidRowCount" = $5, "duplicateCount" = $6, "updatedCount" = $7, "correctionCount" = $8, "returnCount" = $9,
         "queuedSkipCount" = $10, "committedAt" = now(), "updatedAt" = now(),
         preview = CASE WHEN $11 THEN jsonb_set(preview, '{committedAsSameFile}', 'true') ELSE preview END
       WHERE id = $1::uuid AND status = 'COMMITTING' RETURNING 1
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
    ],
  )
  return applied(rows)
}

// RECEIVED/PREVIEW/FAILED/COMMIT_FAILED → CANCELLED by a person.
export async function cancelUpload(q: Queryable, uploadId: string) {
  const { rows } = await q.query<{ n: number }>(
    `WITH u AS (
       UPDATE "Upload" SET status = 'CANCELLED', "updatedAt" = now()
       WHERE id = $1::uuid AND status = ANY($2::"UploadStatus"[]) RETURNING 1
     ) SELECT count(*)::int AS n FROM u`,
    [uploadId, CANCELLABLE],
  )
  return applied(rows)
}
