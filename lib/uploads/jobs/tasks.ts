import type { Task } from 'graphile-worker'
import type pg from 'pg'
import { z } from 'zod'
import { workerMemory } from '@/lib/process/worker-process'
import type { WorkerLog } from '@/lib/submission/worker-log'
import { UPLOAD_RETENTION_TASK, type UploadJobPayload } from './queue'
import { runUploadJob } from './run-job'
import { removeExpiredUploadFiles } from './sweep'

// The upload tasks as the worker process registers them (lib/submission/worker.ts).

const uploadJobEnv = z.object({
  UPLOAD_JOB_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  UPLOAD_RETENTION_DAYS: z.coerce.number().int().min(1).default(7),
})

/** the worker's upload settings (documented in lib/env.ts and docs/operations.md); UPLOAD_JOB_HEAP_MB is checked
 * against the worker's heap limit (lib/process/worker-process.ts) */
export function uploadJobConfig(source: Record<string, string | undefined>) {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''))
  const e = uploadJobEnv.parse(cleaned)
  return {
    concurrency: e.UPLOAD_JOB_CONCURRENCY,
    heapLimitBytes: workerMemory(source).jobHeapMb * 1024 * 1024,
    retentionDays: e.UPLOAD_RETENTION_DAYS,
  }
}

/** at minute 17 of every hour, once across all workers */
export const UPLOAD_RETENTION_CRONTAB = `17 * * * * ${UPLOAD_RETENTION_TASK} ?max=1`

export function makeUploadJobTask(opts: { pool: pg.Pool; heapLimitBytes: number }): Task {
  return async (payload) => {
    await runUploadJob(payload as UploadJobPayload, opts)
  }
}

export function makeUploadRetentionTask(pool: pg.Pool, days: number, log: WorkerLog): Task {
  return async () => {
    const removed = await removeExpiredUploadFiles(pool, days)
    if (removed > 0) log('info', 'removed the files of uploads never stored', { uploads: removed, days })
  }
}
