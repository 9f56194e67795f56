import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeDbPool } from '@/lib/db'
import { migrate } from '@/lib/db/migrate'
import { createScratchDatabase, type ScratchDatabase } from '@/lib/db/scratch'
import { uuidv7 } from '@/lib/db/uuid7'
import { submissionConfig } from '@/lib/submission/config'
import { ensureQueueSchema } from '@/lib/submission/queue'
import { sweepOnce } from '@/lib/submission/worker'
import { writeUploadFile } from '../storage/files'
import { oneOrderCsv } from '../storage/testing'
import { queueCheck, queueCommit } from '../transitions'
import { addUploadJob, UPLOAD_JOB_MAX_ATTEMPTS, UPLOAD_TASKS, type UploadJobPayload } from './queue'
import { runUploadJob } from './run-job'
import { failLeftBehindUploads, unlockOrphanedUploadJobs } from './sweep'

// A worker whose heartbeat is late is thought dead: the sweep takes back the jobs it locked while their runs go on
// (seen in the kill loop, where a worker busy reading a file missed its beats: commits failed as "stopped 5 times"
// after 0 runs, and jobs ran twice). The worker's own sweep must not do that to it, and a run that lived on must not
// take the upload's next job with it when it finishes. And a worker killed before its heartbeat named the id that
// locked a job must not leave that job locked for hours (the kill loop stalled on such a commit).

// a database of its own: another file's worker must not take the jobs this file stages by hand
let scratch: ScratchDatabase
let url: string
let pool: pg.Pool
let userId: string
let store: { id: string; code: string }

beforeAll(async () => {
  scratch = await createScratchDatabase('thought-dead')
  url = scratch.url
  await migrate(url)
  await ensureQueueSchema(url)
  process.env.DATABASE_URL = url
  pool = new pg.Pool({ connectionString: url, max: 4 })
  userId = uuidv7()
  await pool.query(
    `INSERT INTO "User" (id, email, name, role, "passwordHash", active, "updatedAt")
     VALUES ($1::uuid, $2, 'Replaced job', 'ADMIN', 'x', true, now())`,
    [userId, `replaced-job-${randomUUID().slice(0, 8)}@test.store`],
  )
  store = { id: uuidv7(), code: `RJ-${randomUUID().slice(0, 6)}` }
  await pool.query(
    `INSERT INTO "Store" (id, code, name, latitude, longitude, "timeZone", "updatedAt")
     VALUES ($1::uuid, $2, $2, '40.7233', '-74.0030', 'America/New_York', now())`,
    [store.id, store.code],
  )
})
afterAll(async () => {
  await pool.end()
  await closeDbPool()
  await scratch?.close()
}, 60_000)

async function queued(uploadId: string, mode: 'preview' | 'commit'): Promise<UploadJobPayload> {
  const payload: UploadJobPayload = {
    uploadId,
    token: randomUUID(),
    mode,
    userId,
    email: 'rj@test.store',
    ip: null,
  }
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    expect(
      await (mode === 'preview' ? queueCheck : queueCommit)(client, uploadId, payload.token, 'small'),
    ).toBe(true)
    await addUploadJob(client, 'small', payload)
    await client.query('COMMIT')
  } finally {
    client.release()
  }
  return payload
}

/** a one-order file received (RECEIVED), as the web leaves it */
async function receivedUpload(fileName: string) {
  const id = uuidv7()
  const csv = Buffer.from(oneOrderCsv(store.code, `RJ-${randomUUID().slice(0, 8)}`))
  await pool.query(
    `INSERT INTO "Upload" (id, "fileName", "sizeBytes", sha256, "uploaderId", "storeId", status, "updatedAt")
     VALUES ($1::uuid, $5, 0, $2, $3::uuid, $4::uuid, 'RECEIVING', now())`,
    [id, '0'.repeat(64), userId, store.id, fileName],
  )
  const file = await writeUploadFile(pool, id, [csv], 1_000_000)
  await pool.query(
    `UPDATE "Upload" SET status = 'RECEIVED', "sizeBytes" = $2, sha256 = $3 WHERE id = $1::uuid`,
    [id, file.sizeBytes, file.sha256],
  )
  return id
}

/** the upload's jobs that can still run, by the token they carry */
const runnable = async (token: string) =>
  (
    await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE payload->>'token' = $1 AND attempts < max_attempts`,
      [token],
    )
  ).rows[0]?.n

describe('a worker thought dead', () => {
  it('is not thought dead by its own sweep: the jobs it runs stay locked', async () => {
    const self = `self-${randomUUID()}`
    const queueId = `pool-${self}`
    // just late for this sweep, and well within the staleness other test files' workers allow
    await pool.query(
      `INSERT INTO "WorkerHeartbeat" (id, host, pid, "startedAt", "seenAt", "queueWorkerIds")
       VALUES ($1, 'test', 1, now(), clock_timestamp() - interval '300 milliseconds', ARRAY[$2])`,
      [self, queueId],
    )
    const { rows } = await pool.query<{ id: string }>(
      `SELECT (graphile_worker.add_job('test:thought-dead', '{}'::json)).id::text AS id`,
    )
    const jobId = rows[0]?.id
    await pool.query(
      `UPDATE graphile_worker._private_jobs SET locked_at = now(), locked_by = $2, attempts = 1 WHERE id = $1::bigint`,
      [jobId, queueId],
    )
    const locked = async () =>
      (
        await pool.query<{ by: string | null }>(
          `SELECT locked_by AS by FROM graphile_worker._private_jobs WHERE id = $1::bigint`,
          [jobId],
        )
      ).rows[0]?.by
    const cfg = submissionConfig({}, { staleMs: 100 })
    try {
      await sweepOnce(pool, cfg, self)
      expect(await locked()).toBe(queueId)
      // any other worker's sweep takes them back
      await sweepOnce(pool, cfg, `other-${randomUUID()}`)
      expect(await locked()).toBeNull()
    } finally {
      await pool.query('SELECT graphile_worker.complete_jobs(ARRAY[$1::bigint])', [jobId])
      await pool.query('DELETE FROM "WorkerHeartbeat" WHERE id = $1', [self])
    }
  })

  it('is declared dead and its jobs unlocked in one step: a sweep that fails midway keeps its heartbeat for the next', async () => {
    const dead = `dead-${randomUUID()}`
    const queueId = `pool-${dead}`
    // just late for this sweep, and well within the staleness other test files' workers allow
    await pool.query(
      `INSERT INTO "WorkerHeartbeat" (id, host, pid, "startedAt", "seenAt", "queueWorkerIds")
       VALUES ($1, 'test', 1, now(), clock_timestamp() - interval '300 milliseconds', ARRAY[$2])`,
      [dead, queueId],
    )
    const { rows } = await pool.query<{ id: string }>(
      `SELECT (graphile_worker.add_job('test:thought-dead', '{}'::json, run_at => now() + interval '1 hour')).id::text AS id`,
    )
    const jobId = rows[0]?.id
    await pool.query(
      `UPDATE graphile_worker._private_jobs SET locked_at = now(), locked_by = $2, attempts = 1 WHERE id = $1::bigint`,
      [jobId, queueId],
    )
    // the sweeping process goes away between deleting the heartbeat and unlocking its jobs: here, the unlock fails
    const fn = `fail_${randomUUID().replaceAll('-', '')}`
    await pool.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        RAISE EXCEPTION 'the sweeper went away'; END $$;
      CREATE TRIGGER ${fn} BEFORE UPDATE ON graphile_worker._private_jobs
        FOR EACH ROW WHEN (OLD.locked_by = '${queueId}') EXECUTE FUNCTION ${fn}()`)
    const cfg = submissionConfig({}, { staleMs: 100 })
    try {
      await expect(sweepOnce(pool, cfg, `other-${randomUUID()}`)).rejects.toThrow('the sweeper went away')
      const { rows: beats } = await pool.query('SELECT 1 FROM "WorkerHeartbeat" WHERE id = $1', [dead])
      expect(beats).toHaveLength(1)
      await pool.query(`DROP TRIGGER ${fn} ON graphile_worker._private_jobs; DROP FUNCTION ${fn}()`)
      // the next sweep finds it and unlocks its job
      await sweepOnce(pool, cfg, `other-${randomUUID()}`)
      const { rows: job } = await pool.query<{ by: string | null }>(
        `SELECT locked_by AS by FROM graphile_worker._private_jobs WHERE id = $1::bigint`,
        [jobId],
      )
      expect(job).toEqual([{ by: null }])
    } finally {
      await pool.query(
        `DROP TRIGGER IF EXISTS ${fn} ON graphile_worker._private_jobs; DROP FUNCTION IF EXISTS ${fn}()`,
      )
      await pool.query(
        'UPDATE graphile_worker._private_jobs SET locked_at = NULL, locked_by = NULL WHERE id = $1::bigint',
        [jobId],
      )
      await pool.query('SELECT graphile_worker.complete_jobs(ARRAY[$1::bigint])', [jobId])
      await pool.query('DELETE FROM "WorkerHeartbeat" WHERE id = $1', [dead])
    }
  })

  it('killed before its heartbeat named the id that locked an upload job: the sweep unlocks that job', async () => {
    const live = `live-${randomUUID()}`
    const gone = `pool-gone-${randomUUID()}`
    await pool.query(
      `INSERT INTO "WorkerHeartbeat" (id, host, pid, "startedAt", "seenAt", "queueWorkerIds")
       VALUES ($1, 'test', 1, now(), clock_timestamp(), ARRAY[$2])`,
      [live, `pool-${live}`],
    )
    // two upload jobs locked an hour ago (due in an hour, so no worker of another test file fetches them once free)
    const { rows } = await pool.query<{ id: string }>(
      `SELECT (graphile_worker.add_job($1, '{}'::json, run_at => now() + interval '1 hour')).id::text AS id
       FROM generate_series(1, 2)`,
      [UPLOAD_TASKS.small],
    )
    const [orphan, held] = rows.map((r) => r.id)
    await pool.query(
      `UPDATE graphile_worker._private_jobs SET locked_at = now() - interval '1 hour', attempts = 1,
         locked_by = CASE WHEN id = $1::bigint THEN $2 ELSE $3 END
       WHERE id = ANY(ARRAY[$1, $4]::bigint[])`,
      [orphan, gone, `pool-${live}`, held],
    )
    const lockedBy = async (id: string | undefined) =>
      (
        await pool.query<{ by: string | null }>(
          `SELECT locked_by AS by FROM graphile_worker._private_jobs WHERE id = $1::bigint`,
          [id],
        )
      ).rows[0]?.by
    try {
      expect(await unlockOrphanedUploadJobs(pool, 1_500)).toBeGreaterThanOrEqual(1)
      expect(await lockedBy(orphan)).toBeNull()
      // a live worker's job stays its own, however long it runs
      expect(await lockedBy(held)).toBe(`pool-${live}`)
    } finally {
      await pool.query(
        `UPDATE graphile_worker._private_jobs SET locked_at = NULL, locked_by = NULL WHERE id = ANY(ARRAY[$1, $2]::bigint[])`,
        [orphan, held],
      )
      await pool.query('SELECT graphile_worker.complete_jobs(ARRAY[$1, $2]::bigint[])', [orphan, held])
      await pool.query('DELETE FROM "WorkerHeartbeat" WHERE id = $1', [live])
    }
  })

  it('finishing an upload job after its lock was taken back leaves the next job of the upload in the queue', async () => {
    const id = await receivedUpload('rj.csv')
    const check = await queued(id, 'preview')
    // a worker takes the check; its heartbeat is late, so a sweep takes the lock back while the run goes on
    const { rows } = await pool.query<{ id: string }>(
      `UPDATE graphile_worker._private_jobs SET locked_at = now(), locked_by = 'worker-thought-dead', attempts = attempts + 1
       WHERE payload->>'token' = $1 RETURNING id::text`,
      [check.token],
    )
    const checkJobId = rows[0]?.id
    expect(checkJobId).toBeDefined()
    await pool.query(`SELECT graphile_worker.force_unlock_workers(ARRAY['worker-thought-dead'])`)
    expect(await runUploadJob(check, { pool, heapLimitBytes: 512 * 1024 * 1024 })).toBe('done')
    // the person stores the checked file at once
    const commit = await queued(id, 'commit')
    expect(await runnable(commit.token)).toBe(1)
    // the run that lived on is over: its worker completes its job, by the id it was given
    await pool.query('SELECT graphile_worker.complete_jobs(ARRAY[$1::bigint])', [checkJobId])

    expect(await runnable(commit.token)).toBe(1)
    expect(await failLeftBehindUploads(pool, 0)).toBe(0)
    expect(await runUploadJob(commit, { pool, heapLimitBytes: 512 * 1024 * 1024 })).toBe('done')
    const { rows: after } = await pool.query<{ status: string; events: number }>(
      `SELECT status::text, (SELECT count(*)::int FROM "SaleEvent" WHERE "uploadId" = $1::uuid) AS events
       FROM "Upload" WHERE id = $1::uuid`,
      [id],
    )
    expect(after).toEqual([{ status: 'COMMITTED', events: 1 }])
  })

  it('a commit started again while its first run still stores the file waits for it, without using up its attempts', async () => {
    const id = await receivedUpload('busy.csv')
    expect(await runUploadJob(await queued(id, 'preview'), { pool, heapLimitBytes: 512 * 1024 * 1024 })).toBe(
      'done',
    )
    const commit = await queued(id, 'commit')
    // the first run (its worker thought dead) is inside its transaction; this one was given the job again
    const firstRun = await pool.connect()
    const job = async () =>
      (
        await pool.query<{ attempts: number; later: boolean }>(
          `SELECT attempts, run_at > now() + interval '5 seconds' AS later FROM graphile_worker._private_jobs
           WHERE key = $1`,
          [`upload:${id}:${commit.token}`],
        )
      ).rows
    try {
      await firstRun.query('BEGIN')
      await firstRun.query(`SELECT pg_advisory_xact_lock(hashtext('upload-commit'), hashtext($1))`, [id])
      for (let i = 0; i <= UPLOAD_JOB_MAX_ATTEMPTS; i++) {
        await pool.query(
          `UPDATE graphile_worker._private_jobs SET locked_at = now(), locked_by = 'second-worker', attempts = attempts + 1
           WHERE key = $1`,
          [`upload:${id}:${commit.token}`],
        )
        expect(await runUploadJob(commit, { pool, heapLimitBytes: 512 * 1024 * 1024 })).toBe('waiting')
        // queued again for later, with its attempts whole
        expect(await job()).toEqual([{ attempts: 0, later: true }])
      }
      const { rows } = await pool.query(
        `SELECT status::text, "jobRuns" AS runs FROM "Upload" WHERE id = $1::uuid`,
        [id],
      )
      expect(rows).toEqual([{ status: 'COMMITTING', runs: 0 }])
    } finally {
      await firstRun.query('ROLLBACK')
      firstRun.release()
    }
    // the first run is gone without storing: the job, due again, stores the file
    expect(await runUploadJob(commit, { pool, heapLimitBytes: 512 * 1024 * 1024 })).toBe('done')
    const { rows: after } = await pool.query(
      `SELECT status::text, (SELECT count(*)::int FROM "SaleEvent" WHERE "uploadId" = $1::uuid) AS events
       FROM "Upload" WHERE id = $1::uuid`,
      [id],
    )
    expect(after).toEqual([{ status: 'COMMITTED', events: 1 }])
    await pool.query(`SELECT graphile_worker.remove_job($1)`, [`upload:${id}:${commit.token}`])
  })
})
