import { randomBytes } from 'node:crypto'
import { EventEmitter } from 'node:events'
import os from 'node:os'
import { type Runner, run, type WorkerEvents } from 'graphile-worker'
import pg from 'pg'
import { type SubmissionConfig, submissionConfig } from './config'
import { ConnectionCache } from './connections'
import { reenqueueOrphans } from './jobs'
import { ConnectionPacer, Semaphore } from './pace'
import { ensureQueueSchema, quietLogger, SEND_BATCH_TASK } from './queue'
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
  sweep(): Promise<{ retried: number; failed: number; unlockedWorkers: number; orphans: number }>
}

export type { WorkerLog } from './worker-log'

// Beats into WorkerHeartbeat with graphile-worker's ids of this process, so others can tell when it died.
async function beat(q: Queryable, id: string, startedAt: Date, queueWorkerIds: string[]) {
  await q.query(
    `INSERT INTO "WorkerHeartbeat" (id, host, pid, "startedAt", "seenAt", "queueWorkerIds")
     VALUES ($1, $2, $3, $4, clock_timestamp(), $5::text[])
     ON CONFLICT (id) DO UPDATE SET "seenAt" = clock_timestamp(), "queueWorkerIds" = EXCLUDED."queueWorkerIds"`,
    [id, os.hostname().slice(0, 200), process.pid, startedAt, queueWorkerIds],
  )
}

// Any worker may sweep; every step is guarded, so concurrent sweeps by several workers are harmless.
export async function sweepOnce(q: Queryable, cfg: SubmissionConfig) {
  const lost = await recoverLostBatches(q, { staleMs: cfg.staleMs, maxAttempts: cfg.maxAttempts })
  // jobs locked by a dead process would wait graphile-worker's 4 h lock timeout: unlock them now
  const { rows } = await q.query<{ ids: string[] | null; n: number }>(
    `WITH dead AS (
       DELETE FROM "WorkerHeartbeat" WHERE "seenAt" < clock_timestamp() - $1::float8 * interval '1 millisecond'
       RETURNING "queueWorkerIds"
     ) SELECT array_agg(w) AS ids, (SELECT count(*) FROM dead)::int AS n FROM dead, unnest(dead."queueWorkerIds") AS w`,
    [cfg.staleMs],
  )
  const ids = rows[0]?.ids ?? []
  if (ids.length > 0) await q.query('SELECT graphile_worker.force_unlock_workers($1::text[])', [ids])
  // an open batch and its job commit together, so a short grace only spares batches changing this instant
  const orphans = await reenqueueOrphans(q, 1_000)
  return { ...lost, unlockedWorkers: rows[0]?.n ?? 0, orphans }
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
  // Every write a worker makes is recoverable (a lost transition leaves a lease that the sweeper takes back, and a
  // resend is safe), so worker sessions skip waiting for the WAL flush: commits stop costing a disk sync each.
  // Submissions by people stay fully synchronous.
  const pgOptions = { connectionString: options.databaseUrl, options: '-c synchronous_commit=off' }
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
  const events: WorkerEvents = new EventEmitter() as WorkerEvents
  // the ids that lock this process's jobs: the pool's (its local queue fetches jobs in bulk) and each worker's
  events.on('pool:create', ({ workerPool }) => {
    queueWorkerIds.push(workerPool.id)
  })
  events.on('worker:create', ({ worker }) => {
    queueWorkerIds.push(worker.workerId)
  })
  const queuePool = new pg.Pool({ ...pgOptions, max: cfg.concurrency + 4 })
  queuePool.on('error', (e) => log('warn', 'idle queue connection failed', { err: e.message }))
  // a connection that fails while checked out reports through the query that was using it; this keeps the process up
  queuePool.on('connect', (client) => {
    client.on('error', (e) => log('warn', 'queue connection failed', { err: e.message }))
  })
  const runner: Runner = await run({
    pgPool: queuePool,
    concurrency: cfg.concurrency,
    noHandleSignals: true,
    pollInterval: 1_000,
    logger: quietLogger(),
    events,
    taskList: {
      [SEND_BATCH_TASK]: makeSendBatchTask(ctx),
      [RUN_SCHEDULES_TASK]: makeRunSchedulesTask(pool, log),
    },
    // the stores' scheduled submissions: graphile-worker fires each minute once across every worker
    crontab: SCHEDULES_CRONTAB,
    preset: {
      worker: {
        // jobs are fetched (and locked) a batch at a time and handed to the workers from memory, and completions are
        // written together: one query for many jobs instead of two per job. A killed process's locked jobs are
        // unlocked by the sweep (its pool id is in its heartbeat row), and a job run twice finds its batch claimed.
        localQueue: { size: cfg.concurrency * 2 },
        completeJobBatchDelay: 0,
        failJobBatchDelay: 0,
      },
    },
  })
  await beat(q, id, startedAt, queueWorkerIds)

  let stopping = false
  const heartbeat = setInterval(() => {
    beat(q, id, startedAt, queueWorkerIds).catch((e) =>
      log('warn', 'heartbeat failed', { err: (e as Error).message }),
    )
  }, cfg.heartbeatMs)
  const sweep = () => sweepOnce(q, cfg)
  const sweeper = setInterval(() => {
    if (stopping) return
    sweep()
      .then((r) => {
        if (r.retried || r.failed || r.unlockedWorkers || r.orphans)
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
      await runner.stop()
      await q.query('DELETE FROM "WorkerHeartbeat" WHERE id = $1', [id]).catch(() => {})
      connections.close()
      for (const p of pacers.values()) await p.close()
      await pool.end()
      await queuePool.end()
    },
  }
}
