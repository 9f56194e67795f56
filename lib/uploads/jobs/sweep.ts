import type pg from 'pg'
import type { Queryable } from '@/lib/submission/sql'
import { removeUploadFile } from '../storage/files'
import { expireUploads, failCommitting, failParsing } from '../transitions'
import { UPLOAD_JOB_KEY_SQL, UPLOAD_JOB_MAX_ATTEMPTS, UPLOAD_TASKS } from './queue'

// What a dead or exhausted job leaves behind, found by every worker's sweep (lib/submission/worker.ts), and the
// hourly retention of files never stored.

const LEFT_BEHIND = {
  PARSING: `Checking this file stopped ${UPLOAD_JOB_MAX_ATTEMPTS} times before it finished (the worker was restarted while it ran). Nothing was stored. Check the rows again; if it keeps happening, upload a shorter period.`,
  COMMITTING: `Storing this file stopped ${UPLOAD_JOB_MAX_ATTEMPTS} times before it finished (the worker was restarted while it ran). Nothing was stored. Try again; if it keeps happening, upload a shorter period.`,
}

/**
 * Uploads waiting for a job that no longer exists or has used its attempts (its worker died every time) fail with
 * a reason, and their used-up jobs are removed. `graceMs` spares an upload and its job being added this instant.
 * A locked job is alive even at its last attempt (graphile-worker counts an attempt when it locks the job); a dead
 * worker's jobs are unlocked by the sweep before this runs (sweepOnce).
 */
export async function failLeftBehindUploads(q: Queryable, graceMs: number) {
  const { rows } = await q.query<{ id: string; status: 'PARSING' | 'COMMITTING'; token: string }>(
    `SELECT u.id::text, u.status::text, u."jobToken"::text AS token FROM "Upload" u
     WHERE u.status IN ('PARSING', 'COMMITTING') AND u."jobToken" IS NOT NULL
       AND u."jobQueuedAt" < clock_timestamp() - $1::float8 * interval '1 millisecond'
       AND NOT EXISTS (SELECT 1 FROM graphile_worker._private_jobs j
         WHERE j.key = ${UPLOAD_JOB_KEY_SQL} AND (j.attempts < j.max_attempts OR j.locked_at IS NOT NULL))
     LIMIT 100`,
    [graceMs],
  )
  let failed = 0
  for (const u of rows) {
    const write = u.status === 'PARSING' ? failParsing : failCommitting
    if (await write(q, u.id, u.token, LEFT_BEHIND[u.status])) failed++
  }
  await q.query(
    `SELECT graphile_worker.complete_jobs(ARRAY(
       SELECT j.id FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
       WHERE t.identifier = ANY($1::text[]) AND j.attempts >= j.max_attempts AND j.locked_at IS NULL LIMIT 1000))`,
    [Object.values(UPLOAD_TASKS)],
  )
  return failed
}

/**
 * Upload jobs locked, for longer than `staleMs`, by a process that no heartbeat names are unlocked. The sweep unlocks
 * the jobs of dead workers by the ids in their heartbeat; a worker killed before its heartbeat named the id that
 * locked a job (seen in the kill loop: a commit locked by a pool id no row held) left that job locked for
 * graphile-worker's 4 hours, and the upload waiting for it. A live worker names its ids within one beat.
 */
export async function unlockOrphanedUploadJobs(q: Queryable, staleMs: number) {
  const { rows } = await q.query<{ n: number }>(
    `WITH unlocked AS (
       UPDATE graphile_worker._private_jobs j SET locked_at = NULL, locked_by = NULL
       FROM graphile_worker._private_tasks t
       WHERE t.id = j.task_id AND t.identifier = ANY($1::text[]) AND j.locked_by IS NOT NULL
         AND j.locked_at < clock_timestamp() - $2::float8 * interval '1 millisecond'
         AND NOT EXISTS (SELECT 1 FROM "WorkerHeartbeat" h WHERE j.locked_by = ANY(h."queueWorkerIds"))
       RETURNING 1
     ) SELECT count(*)::int AS n FROM unlocked`,
    [Object.values(UPLOAD_TASKS), staleMs],
  )
  return rows[0]?.n ?? 0
}

/** uploads not stored within `days` lose their file (and a file that stopped arriving, an hour after its last piece) */
export async function removeExpiredUploadFiles(pool: pg.Pool, days: number) {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const ids = await expireUploads(client, days)
    for (const id of ids) await removeUploadFile(client, id)
    await client.query('COMMIT')
    return ids.length
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {})
    throw e
  } finally {
    client.release()
  }
}
