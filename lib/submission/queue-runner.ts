import { EventEmitter } from 'node:events'
import { type Runner, run, type TaskList, type WorkerEvents } from 'graphile-worker'
import pg from 'pg'
import { quietLogger } from './queue'
import type { WorkerLog } from './worker-log'

// One graphile-worker runner of the worker process, kept running through database outages.

export type QueueSpec = {
  name: string
  concurrency: number
  taskList: TaskList
  crontab?: string
  /** fetch this many jobs at a time into memory (unset: one per free slot) */
  localQueue?: number
}

type Shared = {
  pgOptions: pg.PoolConfig
  /** graphile-worker's ids of this process's runners, in its heartbeat: the sweep unlocks their jobs once it is stale */
  queueWorkerIds: string[]
  unlock: (ids: string[]) => Promise<void>
  log: WorkerLog
  stopping: () => boolean
}

/**
 * Starts the runner. graphile-worker shuts its pool down when it cannot record a job's outcome or hand queued jobs
 * back (the database is gone): it announces that ('pool:gracefulShutdown'), and a shutdown that cannot reach the
 * database may never finish. The process stays: once the database answers, the jobs the stopped pool holds are
 * unlocked and a new runner takes over (a job run twice finds its work claimed or its token gone).
 */
export async function superviseQueue(spec: QueueSpec, shared: Shared): Promise<{ stop(): Promise<void> }> {
  const { log } = shared
  const events: WorkerEvents = new EventEmitter() as WorkerEvents
  const mine: string[] = []
  // the ids that lock this runner's jobs: the pool's (its local queue fetches jobs in bulk) and each worker's
  let currentPoolId: string | undefined
  events.on('pool:create', ({ workerPool }) => {
    mine.push(workerPool.id)
    shared.queueWorkerIds.push(workerPool.id)
    currentPoolId = workerPool.id
  })
  events.on('worker:create', ({ worker }) => {
    mine.push(worker.workerId)
    shared.queueWorkerIds.push(worker.workerId)
  })
  const queuePool = new pg.Pool({ ...shared.pgOptions, max: spec.concurrency + 4 })
  queuePool.on('error', (e) =>
    log('warn', 'idle queue connection failed', { queue: spec.name, err: e.message }),
  )
  // a connection that fails while checked out reports through the query that was using it; this keeps the process up
  queuePool.on('connect', (client) => {
    client.on('error', (e) => log('warn', 'queue connection failed', { queue: spec.name, err: e.message }))
  })
  const startRunner = () =>
    run({
      pgPool: queuePool,
      concurrency: spec.concurrency,
      noHandleSignals: true,
      pollInterval: 1_000,
      logger: quietLogger(),
      events,
      taskList: spec.taskList,
      ...(spec.crontab !== undefined && { crontab: spec.crontab }),
      preset: {
        worker: {
          ...(spec.localQueue !== undefined && { localQueue: { size: spec.localQueue } }),
          completeJobBatchDelay: 0,
          failJobBatchDelay: 0,
        },
      },
    })
  let runner: Runner = await startRunner()
  let restarting = false
  const restartQueue = async (reason: string) => {
    if (restarting || shared.stopping()) return
    restarting = true
    log('warn', 'the job queue stopped; it restarts once the database answers', {
      queue: spec.name,
      err: reason,
    })
    const stale = [...mine]
    for (let attempt = 1; !shared.stopping(); attempt++) {
      await new Promise((r) => setTimeout(r, Math.min(15_000, 250 * 2 ** Math.min(attempt, 6))))
      if (shared.stopping()) break
      try {
        await shared.unlock(stale)
        const next = await startRunner()
        // the new pool's ids came in through 'pool:create'; the old ones no longer lock anything
        for (const list of [mine, shared.queueWorkerIds]) {
          const kept = list.filter((w) => !stale.includes(w))
          list.splice(0, list.length, ...kept)
        }
        runner = next
        watchQueue(next)
        log('info', 'the job queue is running again', { queue: spec.name, attempt })
        break
      } catch (e) {
        if (attempt === 1 || attempt % 10 === 0)
          log('warn', 'the job queue cannot restart yet', {
            queue: spec.name,
            attempt,
            err: (e as Error).message,
          })
      }
    }
    restarting = false
  }
  const watchQueue = (r: Runner) => {
    // a pool that ends on its own (not through stop()) ends the queue as well; its error is reported here
    r.promise.then(
      () => {
        if (r === runner) void restartQueue('graphile-worker stopped its pool')
      },
      (e: unknown) => {
        log('warn', 'the job queue ended with an error', {
          queue: spec.name,
          err: (e as Error)?.message ?? String(e),
        })
        if (r === runner) void restartQueue((e as Error)?.message ?? String(e))
      },
    )
  }
  events.on('pool:gracefulShutdown', ({ workerPool, message }) => {
    if (workerPool.id === currentPoolId) void restartQueue(message)
  })
  watchQueue(runner)
  return {
    async stop() {
      // a runner that stopped on its own (the database went away) says so here: it is stopped either way
      await runner.stop().catch(() => {})
      await queuePool.end().catch(() => {})
    },
  }
}
