import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { UploadFileError, type UploadFileErrorCode } from '../errors'
import type { ChunkRows } from './commit-rows'
import type { PortCall, ReadJob, ReadOutcome, SerializedError, ToMain, ToWorker } from './ingest-read'
import type { EventKeys, ExistingRow, IngestProgress } from './ingest-rows'

// Preview and commit read the file in a worker thread with a heap of its own, capped by the file's size:
// one large upload can't grow the web server's heap, and V8 collects the parser's garbage as it goes
// instead of letting it pile up to the server's default limit.

export type ReadHandlers = {
  lookup: (keys: EventKeys) => Promise<ExistingRow[]>
  store?: (rows: ChunkRows) => Promise<void>
  rowIssues?: (text: Uint8Array) => Promise<void>
  onProgress?: (p: IngestProgress) => void
}

/**
 * The reading thread's heap cap, grown with the file: the parser keeps every order until the end of the file,
 * and rows with problems carry a message each (the measured heap per MB of CSV is in docs/performance.md).
 * A file that needs more than its cap is refused (TOO_LARGE_TO_READ) instead of growing the server.
 */
export function readHeapMb(sizeBytes: number): number {
  return Math.min(1536, Math.ceil(256 + (6 * sizeBytes) / 2 ** 20))
}

function startWorker(job: ReadJob, heapMb: number): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 16 }
  // outside Next.js (tsx scripts, vitest) the entry is TypeScript: have tsx compile it in the new thread too
  if (process.env.NEXT_RUNTIME === undefined) {
    const entry = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'ingest-worker.ts'))
    const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}) })`
    return new Worker(boot, { eval: true, workerData: job, resourceLimits })
  }
  // built by Next.js: Turbopack bundles this entry as a worker chunk; it needs the options as an object literal
  return new Worker(new URL('./ingest-worker.ts', import.meta.url), { workerData: job, resourceLimits })
}

function errorFrom(e: SerializedError): Error {
  if (e.name === 'UploadFileError' && e.code !== undefined)
    return new UploadFileError(e.code as UploadFileErrorCode, e.message, e.line ?? null)
  const error = new Error(e.message)
  error.name = e.name
  if (e.stack !== undefined) error.stack = e.stack
  return error
}

/** Runs readUpload (ingest-read.ts) in a worker thread; the handlers are the database side, called one at a time. */
export function readInWorker(
  job: ReadJob,
  handlers: ReadHandlers,
  heapMb = readHeapMb(job.sizeBytes),
): Promise<ReadOutcome> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(job, heapMb)
    let settled = false
    const finish = (error: unknown, outcome?: ReadOutcome) => {
      if (settled) return
      settled = true
      void worker.terminate()
      if (outcome) resolve(outcome)
      else reject(error)
    }
    const answer = async (c: PortCall): Promise<Omit<ToWorker, 'id'>> => {
      if (c.kind === 'lookup')
        return {
          existing: await handlers.lookup({ storeIds: c.storeIds, kinds: c.kinds, orderIds: c.orderIds }),
        }
      if (c.kind === 'store') await handlers.store?.(c.rows)
      else await handlers.rowIssues?.(c.text)
      return {}
    }
    // the worker waits for each answer before it goes on, so calls never overlap
    let calls = Promise.resolve()
    worker.on('message', (m: ToMain) => {
      if (settled) return
      if (m.type === 'progress') {
        try {
          handlers.onProgress?.(m.progress)
        } catch (e) {
          finish(e)
        }
      } else if (m.type === 'call') {
        calls = calls
          .then(async () => {
            const reply = await answer(m.call)
            if (!settled) worker.postMessage({ id: m.id, ...reply } satisfies ToWorker)
          })
          .catch((e) => finish(e))
      } else if (m.type === 'done') finish(null, m.outcome)
      else finish(errorFrom(m.error))
    })
    worker.on('error', (e: Error & { code?: string }) =>
      finish(
        e.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new UploadFileError(
              'TOO_LARGE_TO_READ',
              'This file is too large to check in one go. Export a shorter period (for example one week) and upload each file.',
            )
          : e,
      ),
    )
    worker.on('exit', (code) => finish(new Error(`the reading thread stopped early (exit code ${code})`)))
  })
}
