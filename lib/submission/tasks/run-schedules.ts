import type { Task } from 'graphile-worker'
import type pg from 'pg'
import { runDueSchedules } from '../schedule'
import type { WorkerLog } from '../worker-log'

// Every minute from the worker's crontab (once across all workers): the stores whose scheduled submission is due.
// Any error is retried by the queue; a run that already submitted moved its schedule on, so a retry finds it done.
export function makeRunSchedulesTask(pool: pg.Pool, log: WorkerLog): Task {
  return async () => {
    const runs = await runDueSchedules(pool)
    for (const r of runs) log(r.ok ? 'info' : 'warn', 'scheduled submission', r)
  }
}
