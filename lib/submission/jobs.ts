import { JOB_MAX_ATTEMPTS, SEND_BATCH_TASK } from './queue'
import type { Queryable } from './sql'

// The send jobs of batches (graphile-worker). A job only wakes a batch up: whether it is sent is decided by the
// batch's own state (transitions.ts), so adding a job twice, or one too many, is harmless.

// graphile-worker job specs for a set of batches; job_key makes re-enqueueing replace a waiting job, not double it.
export function jobSpecsSql(select: string, keyMode: 'replace' | 'preserve_run_at' = 'replace') {
  return `(SELECT count(*) FROM graphile_worker.add_jobs(ARRAY(
    SELECT ROW('${SEND_BATCH_TASK}', json_build_object('batchId', j.id, 'connectionId', j.connection_id), NULL,
      j.run_at, ${JOB_MAX_ATTEMPTS}::smallint, 'batch:' || j.id::text, NULL, NULL)::graphile_worker.job_spec
    FROM (${select}) AS j(id, connection_id, run_at)), ${keyMode === 'preserve_run_at'}))::int`
}

/** why a batch could not be claimed: still waiting (with its time), paused, or nothing left to do */
export async function batchClaimBlocker(q: Queryable, batchId: string) {
  const { rows } = await q.query<{
    status: string
    nextAttemptAt: Date | null
    paused: boolean
    connectionId: string
  }>(
    `SELECT b.status, b."nextAttemptAt", c.paused, b."connectionId"::text AS "connectionId"
     FROM "Batch" b JOIN "ConstructorConnection" c ON c.id = b."connectionId" WHERE b.id = $1::uuid`,
    [batchId],
  )
  return rows[0] ?? null
}

// Puts a send job back for a batch that is waiting (a job ran early, e.g. after a recovery).
export async function reenqueueBatch(
  q: Queryable,
  batchId: string,
  connectionId: string,
  runAt: Date | null,
) {
  await q.query(`SELECT ${jobSpecsSql('SELECT $1::uuid, $2::uuid, $3::timestamptz')}`, [
    batchId,
    connectionId,
    runAt,
  ])
}

// Waiting batches of a running connection with no runnable job (a job that gave up, a job that saw a stale paused
// flag): give one back.
export async function reenqueueOrphans(q: Queryable, olderThanMs: number) {
  const { rows } = await q.query<{ jobs: number }>(
    `SELECT ${jobSpecsSql(
      `SELECT b.id, b."connectionId", b."nextAttemptAt" FROM "Batch" b JOIN "ConstructorConnection" c ON c.id = b."connectionId"
       WHERE b.status IN ('QUEUED', 'RETRY_WAIT') AND NOT c.paused
         AND b."updatedAt" < clock_timestamp() - $1::float8 * interval '1 millisecond'
         AND NOT EXISTS (SELECT 1 FROM graphile_worker._private_jobs j
           WHERE j.key = 'batch:' || b.id::text AND j.attempts < j.max_attempts)
       LIMIT 1000`,
      'preserve_run_at',
    )} AS jobs`,
    [olderThanMs],
  )
  return rows[0]?.jobs ?? 0
}

// A job replaced while a worker held it (a recovery re-enqueued its batch) is left by graphile-worker without its key
// and with its attempts used up, so it never runs again; once the dead worker's lock is lifted nothing removes it, and
// it would count as stuck for ever. The batch has its new job: remove the old one (graphile-worker's complete_jobs
// deletes only unlocked jobs).
export async function removeSupersededJobs(q: Queryable) {
  const { rows } = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM graphile_worker.complete_jobs(ARRAY(
       SELECT j.id FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
       WHERE t.identifier = $1 AND j.key IS NULL AND j.attempts >= j.max_attempts AND j.locked_at IS NULL
       LIMIT 1000))`,
    [SEND_BATCH_TASK],
  )
  return rows[0]?.n ?? 0
}
