import { dbPool } from '@/lib/db'
import { UPLOAD_JOB_KEY_SQL, type UploadJobPayload } from './queue'
import { runUploadJob, type UploadJobOutcome } from './run-job'
import { uploadJobConfig } from './tasks'

// Test helper: tests have no worker process of their own, so the upload's queued job is taken off the queue and run
// here, as a worker would run it. Test files share one database, and a test beside this one may run a worker: when
// that worker has taken the job already, this waits for it to end instead.

const WAIT_FOR_OTHER_WORKER_MS = 60_000

export async function runQueuedUploadJob(uploadId: string): Promise<UploadJobOutcome | 'ran elsewhere'> {
  const pool = dbPool()
  const { rows } = await pool.query<{ payload: UploadJobPayload | null; locked: boolean }>(
    `SELECT r.payload, r.locked_at IS NOT NULL AS locked
     FROM "Upload" u, graphile_worker.remove_job(${UPLOAD_JOB_KEY_SQL}) r WHERE u.id = $1::uuid`,
    [uploadId],
  )
  const job = rows[0]
  if (!job?.payload) throw new Error(`no job is queued for upload ${uploadId}`)
  if (!job.locked) {
    return runUploadJob(job.payload, { pool, heapLimitBytes: uploadJobConfig({}).heapLimitBytes })
  }
  const until = Date.now() + WAIT_FOR_OTHER_WORKER_MS
  for (;;) {
    const { rows: current } = await pool.query<{ running: boolean }>(
      `SELECT status IN ('PARSING', 'COMMITTING') AND "jobToken" = $2::uuid AS running FROM "Upload" WHERE id = $1::uuid`,
      [uploadId, job.payload.token],
    )
    if (!current[0]?.running) return 'ran elsewhere'
    if (Date.now() > until)
      throw new Error(`the job of upload ${uploadId} taken by another worker did not end`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
