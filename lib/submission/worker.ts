import { randomBytes } from 'node:crypto'
import os from 'node:os'
import pg from 'pg'
import { UPLOAD_RETENTION_TASK, UPLOAD_TASKS } from '@/lib/uploads/jobs/queue'
import { failLeftBehindUploads, unlockOrphanedUploadJobs } from '@/lib/uploads/jobs/sweep'
import {
  makeUploadJobTask,
  makeUploadRetentionTask,
  UPLOAD_RETENTION_CRONTAB,
  uploadJobConfig,
} from '@/lib/uploads/jobs/tasks'
import { type SubmissionConfig, submissionConfig } from './config'
import { ConnectionCache } from './connections'
import { reenqueueOrphans, removeSupersededJobs } from './jobs'
import { ConnectionPacer, Semaphore } from './pace'
import { ensureQueueSchema, SEND_BATCH_TASK } from './queue'
import { type QueueSpec, superviseQueue } from './queue-runner'
import { RUN_SCHEDULES_TASK, SCHEDULES_CRONTAB } from './schedule'
import { pgQueryable, type SendContext } from './send-batch'
import type { Queryable } from './sql'
import { makeRunSchedulesTask } from './tasks/run-schedules'
import { makeSendBatchTask } from './tasks/send-batch'
import { recoverLostBatches } from './transitions'
import { type WorkerLog, workerLog } from './worker-log'

export type SubmissionWorker = {
  id: string
  stop(): Promise<void>
  /** one sweep now (tests): recover batches of dead workers, unlock their jobs, give orphans a job */
  sweep(): Promise<{
    retried: number
    failed: number
    unlockedWorkers: number
    orphans: number
    superseded: number
    uploadsOrphaned: number
    uploadsLeftBehind: number
  }>
}

export type { WorkerLog } from './worker-log'

const QUEUE_HAND_BACK_ERROR = 'Error occurred whilst returning jobs from local queue to database queue'

/**
 * For the worker process: graphile-worker 0.17 can leave one promise unhandled while its pool shuts down without a
 * database (its local queue hands jobs back after it was released: "Error occurred whilst returning jobs from
 * local queue to database queue"), which would end the process. Those jobs stay locked by the stopped pool and are
 * unlocked when the queue restarts, so that one error is logged; any other unhandled rejection still ends the
 * process, as Node would.
 */
export function surviveQueueHandBackErrors(log: WorkerLog = workerLog) {
  process.on('unhandledRejection', (reason) => {
    const message = reason instanceof Error ? reason.message : String(reason)
    if (!message.startsWith(QUEUE_HAND_BACK_ERROR)) throw reason
    log('warn', 'the stopped job queue could not hand its jobs back; they are unlocked when it restarts', {
      err: message,
    })
  })
}

// Beats into WorkerHeartbeat with graphile-worker's ids of this process, so others can tell when it died.
async function beat(q: Queryable, id: string, startedAt: Date, queueWorkerIds: string[]) {
  await q.query(
    `INSERT INTO "WorkerHeartbeat" (id, host, pid, "startedAt", "seenAt", "queueWorkerIds")
     VALUES ($1, $2, $3, $4, clock_timestamp(), $5::text[])
     ON CONFLICT (id) DO UPDATE SET "seenAt" = clock_timestamp(), "queueWorkerIds" = EXCLUDED."queueWorkerIds"`,
    [id, os.hostname().slice(0, 200), process.pid, startedAt, queueWorkerIds],
  )
}

// Any worker may sweep; every step is guarded, so concurrent sweeps by several workers are harmless. `self`: the
// sweeping worker's id. It is alive, whatever its own heartbeat says: a beat held up behind a busy event loop or a
// slow database must not make it take back the jobs it is running (they would run twice).
export async function sweepOnce(q: Queryable, cfg: SubmissionConfig, self: string | null = null) {
  const lost = await recoverLostBatches(q, { staleMs: cfg.staleMs, maxLostAttempts: cfg.maxLostAttempts })
  // jobs locked by a dead process would wait graphile-worker's 4 h lock timeout: unlock them now, in the statement
  // that deletes its heartbeat (apart, a sweeper killed in between left the jobs locked and their ids forgotten)
  const { rows } = await q.query<{ n: number }>(
    `WITH dead AS (
       DELETE FROM "WorkerHeartbeat" WHERE "seenAt" < clock_timestamp() - $1::float8 * interval '1 millisecond'
         AND id IS DISTINCT FROM $2::text
       RETURNING "queueWorkerIds"
     ), ids AS (SELECT coalesce(array_agg(w), '{}') AS ids FROM dead, unnest(dead."queueWorkerIds") AS w)
     SELECT (SELECT count(*) FROM dead)::int AS n, graphile_worker.force_unlock_workers(ids.ids)::text FROM ids`,
    [cfg.staleMs, self],
  )
  const superseded = await removeSupersededJobs(q)
  // an open batch and its job commit together, so a short grace only spares batches changing this instant
  const orphans = await reenqueueOrphans(q, 1_000)
  return { ...lost, unlockedWorkers: rows[0]?.n ?? 0, orphans, superseded }
}

export async function startSubmissionWorker(options: {
  databaseUrl: string
  config?: Partial<SubmissionConfig>
  log?: WorkerLog
  env?: Record<string, string | undefined>
}): Promise<SubmissionWorker> {
  const cfg = submissionConfig(options.env ?? process.env, options.config)
  const log = options.log ?? workerLog
  await ensureQueueSchema(options.databaseUrl)
  const id = `${os.hostname().slice(0, 40)}:${process.pid}:${randomBytes(4).toString('hex')}`
  // Durable commits: a claim or an outcome acknowledged and then lost in a database crash would leave a request
  // Constructor accepted without its attempt record (issue 17), so worker sessions wait for the WAL flush.
  const pgOptions = { connectionString: options.databaseUrl }
  const pool = new pg.Pool({ ...pgOptions, max: cfg.dbConcurrency + 2 })
  pool.on('error', (e) => log('warn', 'idle database connection failed', { err: e.message }))
  const q = pgQueryable(pool)
  const startedAt = new Date()
  const queueWorkerIds: string[] = []
  await beat(q, id, startedAt, queueWorkerIds)

  const connections = new ConnectionCache(q, {
    ttlMs: 1_000,
    timeoutMs: cfg.requestTimeoutMs,
    maxSockets: Math.max(16, cfg.concurrency),
  })
  // each connection's slots are session locks on a session of their own (see pace.ts)
  const pacers = new Map<string, ConnectionPacer>()
  const pacerFor = (connectionId: string) => {
    let p = pacers.get(connectionId)
    if (!p) {
      p = new ConnectionPacer(
        connectionId,
        async () => {
          const session = new pg.Client(pgOptions)
          await session.connect()
          return session
        },
        undefined,
        (e) => log('warn', 'pace session failed', { connectionId, err: e.message }),
      )
      pacers.set(connectionId, p)
    }
    return p
  }
  const ctx: SendContext = {
    pool,
    config: cfg,
    workerId: id,
    connections,
    pacerFor,
    ahead: new Map(),
    dbGate: new Semaphore(cfg.dbConcurrency),
    log,
  }
  const uploadCfg = uploadJobConfig(options.env ?? process.env)
  // upload jobs hold a connection for a whole commit and read the file beside it: a pool of their own
  const uploadPool = new pg.Pool({ ...pgOptions, max: 2 * (uploadCfg.concurrency + 1) + 2 })
  uploadPool.on('error', (e) => log('warn', 'idle upload connection failed', { err: e.message }))
  const uploadJob = makeUploadJobTask({ pool: uploadPool, heapLimitBytes: uploadCfg.heapLimitBytes })

  // Three queues, each its own graphile-worker runner: sending batches (with the crontab), and the two upload
  // lanes, so a small upload never waits behind large ones and large ones never take more than their slots.
  const queues: QueueSpec[] = [
    {
      name: 'submission',
      concurrency: cfg.concurrency,
      taskList: {
        [SEND_BATCH_TASK]: makeSendBatchTask(ctx),
        [RUN_SCHEDULES_TASK]: makeRunSchedulesTask(pool, log),
        [UPLOAD_RETENTION_TASK]: makeUploadRetentionTask(uploadPool, uploadCfg.retentionDays, log),
      },
      // the stores' scheduled submissions and the uploads' retention: graphile-worker fires each once across workers
      crontab: `${SCHEDULES_CRONTAB}\n${UPLOAD_RETENTION_CRONTAB}`,
      // jobs are fetched (and locked) a batch at a time and handed to the workers from memory, and completions
      // are written together: one query for many jobs instead of two per job. A killed process's locked jobs
      // are unlocked by the sweep (its pool id is in its heartbeat row), and a job run twice finds its batch
      // claimed.
      localQueue: cfg.concurrency * 2,
    },
    // one job fetched per free slot: a worker never holds an upload it cannot start yet
    { name: 'uploads', concurrency: uploadCfg.concurrency, taskList: { [UPLOAD_TASKS.large]: uploadJob } },
    { name: 'uploads-small', concurrency: 1, taskList: { [UPLOAD_TASKS.small]: uploadJob } },
  ]
  let stopping = false
  const runners = await Promise.all(
    queues.map((spec) =>
      superviseQueue(spec, {
        pgOptions,
        queueWorkerIds,
        unlock: (ids) =>
          q.query('SELECT graphile_worker.force_unlock_workers($1::text[])', [ids]).then(() => {}),
        log,
        stopping: () => stopping,
      }),
    ),
  )
  await beat(q, id, startedAt, queueWorkerIds)

  const heartbeat = setInterval(() => {
    beat(q, id, startedAt, queueWorkerIds).catch((e) =>
      log('warn', 'heartbeat failed', { err: (e as Error).message }),
    )
  }, cfg.heartbeatMs)
  const sweep = async () => ({
    ...(await sweepOnce(q, cfg, id)),
    uploadsOrphaned: await unlockOrphanedUploadJobs(q, cfg.staleMs),
    uploadsLeftBehind: await failLeftBehindUploads(q, cfg.staleMs),
  })
  const sweeper = setInterval(() => {
    if (stopping) return
    sweep()
      .then((r) => {
        if (
          r.retried ||
          r.failed ||
          r.unlockedWorkers ||
          r.orphans ||
          r.superseded ||
          r.uploadsOrphaned ||
          r.uploadsLeftBehind
        )
          log('info', 'recovered work of stopped workers', r)
      })
      .catch((e) => log('warn', 'sweep failed', { err: (e as Error).message }))
  }, cfg.sweepMs)

  return {
    id,
    sweep,
    async stop() {
      if (stopping) return
      stopping = true
      clearInterval(heartbeat)
      clearInterval(sweeper)
      await Promise.all(runners.map((r) => r.stop()))
      await q.query('DELETE FROM "WorkerHeartbeat" WHERE id = $1', [id]).catch(() => {})
      connections.close()
      for (const p of pacers.values()) await p.close()
      await pool.end()
      await uploadPool.end()
    },
  }
}
