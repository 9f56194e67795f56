import type pg from 'pg'
import type { Queryable } from '@/lib/submission/sql'
import type { IngestSettings } from '../storage/ingest-rows'
import type { UploadLane } from '../storage/lanes'

// The upload's preview and commit jobs (graphile-worker). The web request only moves the upload to PARSING or
// COMMITTING with a new token and adds the job, in one transaction; a worker process runs it (run-job.ts).

/** one task per lane: each worker process runs its own number of each (lib/submission/worker.ts) */
export const UPLOAD_TASKS = { large: 'uploads:ingest', small: 'uploads:ingest-small' } as const
/** hourly, from the worker's crontab: files of uploads never stored are removed after UPLOAD_RETENTION_DAYS */
export const UPLOAD_RETENTION_TASK = 'uploads:retention'
/** a job is started again after its worker died, at most this many times; then the upload fails with a reason */
export const UPLOAD_JOB_MAX_ATTEMPTS = 5

export type UploadJobPayload = {
  uploadId: string
  token: string
  mode: 'preview' | 'commit'
  /** preview: the column choices the person made */
  settings?: IngestSettings
  /** who asked: the job reads the stores they may write when it runs, and the commit is theirs in the audit trail */
  userId: string
  email: string
  ip: string | null
}

/**
 * One key per job (upload and token), never reused. With one key per upload, the next job (the commit after the
 * preview) replaced an unlocked job row in place, keeping its id; a run of the old job that was still alive after
 * its lock was taken back (its worker thought dead) then completed that id and so deleted the new job.
 */
export const uploadJobKey = (uploadId: string, token: string) => `upload:${uploadId}:${token}`
/** the same key in SQL, from an "Upload" row aliased u */
export const UPLOAD_JOB_KEY_SQL = `'upload:' || u.id::text || ':' || u."jobToken"::text`

/**
 * Adds the job. The upload's earlier job goes: one still waiting is deleted, a running one keeps running without its
 * key and is not tried again (its token is stale either way); a new row, so no run of the old one can complete it.
 */
export async function addUploadJob(
  q: Queryable,
  lane: UploadLane,
  payload: UploadJobPayload,
  runAt: Date | null = null,
) {
  // the job rows themselves are not read: a Prisma transaction could not decode graphile-worker's row type
  await q.query(
    `SELECT 1 AS removed FROM graphile_worker._private_jobs j, graphile_worker.remove_job(j.key)
     WHERE j.key LIKE $1 || '%'`,
    [`upload:${payload.uploadId}:`],
  )
  await q.query(
    `SELECT 1 AS added FROM graphile_worker.add_job($1, $2::json, job_key => $3, max_attempts => $4::int,
       run_at => coalesce($5::timestamptz, now()))`,
    [
      UPLOAD_TASKS[lane],
      JSON.stringify(payload),
      uploadJobKey(payload.uploadId, payload.token),
      UPLOAD_JOB_MAX_ATTEMPTS,
      runAt,
    ],
  )
}

/**
 * The job again, due in `delayMs`, with its attempts whole (for a commit whose other run is still storing the file:
 * waiting is not a failure). False when the job is no longer the upload's.
 */
export async function requeueUploadJob(pool: pg.Pool, payload: UploadJobPayload, delayMs: number) {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const { rows } = await client.query<{ lane: UploadLane }>(
      `SELECT "jobLane" AS lane FROM "Upload" WHERE id = $1::uuid AND "jobToken" = $2::uuid FOR UPDATE`,
      [payload.uploadId, payload.token],
    )
    const lane = rows[0]?.lane
    if (lane) await addUploadJob(client, lane, payload, new Date(Date.now() + delayMs))
    await client.query('COMMIT')
    return lane !== undefined
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {})
    throw e
  } finally {
    client.release()
  }
}
