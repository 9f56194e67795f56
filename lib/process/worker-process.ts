import { z } from 'zod'
import { ConfigError } from '@/lib/env'

// How a worker process (scripts/worker.ts) is started: the node flags that bound its memory. Without a heap limit V8
// sizes the heap from the machine's memory and leaves a 250 MB upload's garbage uncollected (587 MB of RSS for its
// check where 400 MB is the target; docs/performance.md, issue 19). `npm start`, the benchmarks and the
// multi-instance test start workers with these arguments; a process manager starting `node scripts/worker.ts`
// itself should pass them too (docs/operations.md).

const mb = z.coerce.number().int()

export const workerMemorySchema = z
  .object({
    /** the worker's V8 old-space limit (--max-old-space-size), in MB */
    WORKER_HEAP_MB: mb.min(128).default(384),
    /** the young generation's semi-space (--max-semi-space-size), in MB: smaller collects garbage sooner, costs CPU */
    WORKER_SEMI_SPACE_MB: mb.min(1).max(64).default(2),
    /** used heap past which one file's read is refused (TOO_LARGE_TO_READ) instead of the process running out */
    UPLOAD_JOB_HEAP_MB: mb.min(64).default(320),
  })
  .superRefine((e, ctx) => {
    if (e.UPLOAD_JOB_HEAP_MB >= e.WORKER_HEAP_MB)
      ctx.addIssue({
        code: 'custom',
        path: ['UPLOAD_JOB_HEAP_MB'],
        message: `must be below WORKER_HEAP_MB (${e.WORKER_HEAP_MB}), the worker's heap limit, or a large file ends the worker instead of being refused (it is ${e.UPLOAD_JOB_HEAP_MB})`,
      })
  })

export type WorkerMemory = { heapMb: number; semiSpaceMb: number; jobHeapMb: number }

/** the worker's memory settings, validated together; a bad one is named */
export function workerMemory(source: Record<string, string | undefined> = process.env): WorkerMemory {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''))
  const result = workerMemorySchema.safeParse(cleaned)
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`)
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}\nSee docs/operations.md.`)
  }
  const e = result.data
  return { heapMb: e.WORKER_HEAP_MB, semiSpaceMb: e.WORKER_SEMI_SPACE_MB, jobHeapMb: e.UPLOAD_JOB_HEAP_MB }
}

export type WorkerProcess = {
  /** node's arguments: the memory flags, tsx, the script */
  args: string[]
  /** added to the process's environment */
  env: Record<string, string>
}

/** node's arguments and environment for a worker process; throws a ConfigError naming a bad memory setting */
export function workerProcess(
  source: Record<string, string | undefined> = process.env,
  script = 'scripts/worker.ts',
): WorkerProcess {
  const m = workerMemory(source)
  return {
    args: [
      `--max-old-space-size=${m.heapMb}`,
      // a young generation this small promotes less garbage: ≈ 20 MB less at a 250 MB file's check than 4 MB; the
      // parser alone takes up to 40 % more CPU than with 8, not seen in the jobs' durations (docs/performance.md)
      `--max-semi-space-size=${m.semiSpaceMb}`,
      '--import',
      'tsx',
      script,
    ],
    env: {
      // glibc's malloc: two arenas rather than eight per core (zlib and pg's threads each took one), and large
      // blocks mapped on their own, so they go back to the system when freed
      MALLOC_ARENA_MAX: '2',
      MALLOC_MMAP_THRESHOLD_: '131072',
    },
  }
}
