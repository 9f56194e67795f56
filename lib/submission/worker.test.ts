import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Caller } from '@/lib/auth/caller'
import { getOperations, getPipelineHealth } from '@/lib/operations/queries'
import { submissionConfig } from './config'
import { SEND_BATCH_TASK } from './queue'
import { createConnection, createStore, seedReadyEvents, waitFor } from './testing'
import { claimBatch, claimEventsIntoBatches } from './transitions'
import { startSubmissionWorker, sweepOnce } from './worker'

// The worker process as the database sees it: how durable its commits are, and what its recoveries leave in the
// job queue.

const url = inject('databaseUrl')
let c: pg.Client
let q: { query: pg.Client['query'] }

beforeAll(async () => {
  c = new pg.Client({ connectionString: url })
  await c.connect()
  q = { query: (text: string, values?: unknown[]) => c.query(text, values) } as never
})
afterAll(async () => {
  await c.end()
})

const admin: Caller = {
  userId: randomUUID(),
  email: 'admin@example.com',
  name: 'Admin',
  role: 'ADMIN',
  storeIds: [],
  allStores: true,
  mustChangePassword: false,
}

describe('worker sessions', () => {
  it('commit durably: synchronous_commit is on for its statements and for its queue', async () => {
    // triggers record the setting of the session that writes: the worker's heartbeat (the pool its claims and
    // outcomes use) and the lock of a job it fetches (graphile-worker's pool)
    const schema = `probe_${randomUUID().slice(0, 8)}`
    const key = `probe:${randomUUID()}`
    await c.query(`CREATE SCHEMA ${schema};
      CREATE TABLE ${schema}.seen (what text, id text, setting text);
      CREATE FUNCTION ${schema}.heartbeat() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        INSERT INTO ${schema}.seen VALUES ('heartbeat', NEW.id, current_setting('synchronous_commit')); RETURN NEW; END $$;
      CREATE FUNCTION ${schema}.job() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
        IF NEW.key = '${key}' AND NEW.locked_at IS NOT NULL THEN
          INSERT INTO ${schema}.seen VALUES ('job', NEW.key, current_setting('synchronous_commit'));
        END IF; RETURN NEW; END $$;
      CREATE TRIGGER ${schema}_heartbeat AFTER INSERT OR UPDATE ON "WorkerHeartbeat"
        FOR EACH ROW EXECUTE FUNCTION ${schema}.heartbeat();
      CREATE TRIGGER ${schema}_job AFTER UPDATE ON graphile_worker._private_jobs
        FOR EACH ROW EXECUTE FUNCTION ${schema}.job();`)
    try {
      // a job for a batch that does not exist: the worker fetches it, finds nothing to send, and completes it
      await c.query(
        `SELECT graphile_worker.add_job($1, json_build_object('batchId', $2::text, 'connectionId', $2::text),
           job_key := $3)`,
        [SEND_BATCH_TASK, randomUUID(), key],
      )
      const w = await startSubmissionWorker({
        databaseUrl: url,
        config: { concurrency: 2, heartbeatMs: 100, sweepMs: 60_000 },
        log: () => {},
      })
      try {
        const seen = async () =>
          (await c.query<{ what: string; id: string; setting: string }>(`SELECT * FROM ${schema}.seen`)).rows
        const rows = await waitFor(
          seen,
          (r) => r.some((x) => x.what === 'job') && r.filter((x) => x.id === w.id).length >= 2,
          {
            timeoutMs: 20_000,
            what: 'a heartbeat and a fetched job',
          },
        )
        const mine = rows.filter((x) => x.id === w.id || x.id === key)
        expect(new Set(mine.map((x) => x.what))).toEqual(new Set(['heartbeat', 'job']))
        expect(new Set(mine.map((x) => x.setting))).toEqual(new Set(['on']))
      } finally {
        await w.stop()
      }
    } finally {
      await c.query(`DROP TRIGGER ${schema}_heartbeat ON "WorkerHeartbeat";
        DROP TRIGGER ${schema}_job ON graphile_worker._private_jobs; DROP SCHEMA ${schema} CASCADE`)
    }
  })
})

describe('dead jobs', () => {
  it('a batch recovered from a killed worker leaves no job behind at its last attempt, and none is counted stuck', async () => {
    const code = `DEAD-${randomUUID().slice(0, 6)}`
    const connectionId = await createConnection(c, { baseUrl: 'http://127.0.0.1:9', token: 'sbx_dead_jobs' })
    const storeId = await createStore(c, code)
    await seedReadyEvents(c, storeId, 2, { orderPrefix: `${code}-` })
    const { batchIds } = await claimEventsIntoBatches(q as never, {
      where: `e."storeId" = $1::uuid`,
      params: [storeId],
      connectionId,
      createdById: null,
    })
    const batchId = batchIds[0] as string
    // a worker process fetched the batch's job, claimed the batch, and was killed mid-request
    const queueWorker = `dead-queue-${randomUUID()}`
    const deadWorker = `dead-${randomUUID()}`
    await c.query(
      `INSERT INTO "WorkerHeartbeat" (id, host, pid, "startedAt", "seenAt", "queueWorkerIds")
       VALUES ($1, 'gone', 1, now() - interval '1 hour', now() - interval '1 hour', ARRAY[$2])`,
      [deadWorker, queueWorker],
    )
    await c.query(
      `UPDATE graphile_worker._private_jobs SET locked_at = now(), locked_by = $2, attempts = attempts + 1
       WHERE key = 'batch:' || $1`,
      [batchId, queueWorker],
    )
    expect(await claimBatch(q as never, { batchId, workerId: deadWorker, leaseMs: 600_000 })).not.toBeNull()

    const swept = await sweepOnce(q as never, submissionConfig({}, { staleMs: 30_000 }))
    expect(swept).toMatchObject({ retried: expect.any(Number), unlockedWorkers: expect.any(Number) })
    const jobs = await c.query<{
      key: string | null
      attempts: number
      max_attempts: number
      locked: boolean
    }>(
      `SELECT key, attempts, max_attempts, locked_at IS NOT NULL AS locked FROM graphile_worker._private_jobs
       WHERE payload->>'batchId' = $1`,
      [batchId],
    )
    // one job, the resend's; the killed worker's job is gone instead of waiting forever at 25 of 25 attempts
    expect(jobs.rows).toEqual([{ key: `batch:${batchId}`, attempts: 0, max_attempts: 25, locked: false }])
    const ops = await getOperations(admin)
    expect(ops?.queue.stuck).toBe(0)
    const dead = await c.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = $1 AND attempts >= max_attempts`,
      [SEND_BATCH_TASK],
    )
    expect(dead.rows[0]?.n).toBe(0)
    // the resend's job is the only one of this batch in the depth that /api/health reports
    expect((await getPipelineHealth()).queue.depth).toBeGreaterThanOrEqual(1)
    await c.query(`SELECT graphile_worker.remove_job($1)`, [`batch:${batchId}`])
  })

  it('a job replaced while its worker still held it is not counted in the queue depth or as stuck', async () => {
    // what the sweep cleans up, counted as nothing meanwhile: a superseded job (no key, out of attempts)
    const before = await getOperations(admin)
    const { rows } = await c.query<{ id: string }>(
      `SELECT id::text FROM graphile_worker.add_job($1, json_build_object('batchId', $2::text, 'connectionId', $2::text),
         job_key := $3)`,
      [SEND_BATCH_TASK, randomUUID(), `superseded:${randomUUID()}`],
    )
    const id = rows[0]?.id as string
    await c.query(
      `UPDATE graphile_worker._private_jobs SET key = NULL, attempts = max_attempts, run_at = now() + interval '1 day'
       WHERE id = $1::bigint`,
      [id],
    )
    try {
      const after = await getOperations(admin)
      expect(after?.queue.depth).toBe(before?.queue.depth)
      expect(after?.queue.stuck).toBe(before?.queue.stuck)
    } finally {
      await c.query('SELECT graphile_worker.complete_jobs(ARRAY[$1::bigint])', [id])
    }
  })
})
