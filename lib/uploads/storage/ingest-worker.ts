import { parentPort, workerData } from 'node:worker_threads'
import { isUploadFileError } from '../errors'
import { transferablesOf } from './commit-rows'
import {
  type PortCall,
  type ReadJob,
  readUpload,
  type SerializedError,
  type ToMain,
  type ToWorker,
} from './ingest-read'
import type { ExistingRow } from './ingest-rows'

// The reading thread's entry (started by ingest-thread.ts): one job from workerData, calls to the
// database side answered in order, then done or failed.

const port = parentPort
if (!port) throw new Error('ingest-worker.ts runs as a worker thread')

const send = (m: ToMain, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer)
const waiting = new Map<number, (reply: ToWorker) => void>()
let lastId = 0
port.on('message', (reply: ToWorker) => {
  const resolve = waiting.get(reply.id)
  waiting.delete(reply.id)
  resolve?.(reply)
})

function call(c: PortCall, transfer: ArrayBuffer[] = []): Promise<ToWorker> {
  const id = ++lastId
  return new Promise((resolve) => {
    waiting.set(id, resolve)
    send({ type: 'call', id, call: c }, transfer)
  })
}

function serialize(e: unknown): SerializedError {
  if (isUploadFileError(e)) return { name: e.name, message: e.message, code: e.code, line: e.line }
  if (e instanceof Error)
    return { name: e.name, message: e.message, ...(e.stack !== undefined && { stack: e.stack }) }
  return { name: 'Error', message: String(e) }
}

readUpload(workerData as ReadJob, {
  lookup: async (keys) => ((await call({ kind: 'lookup', ...keys })).existing ?? []) as ExistingRow[],
  store: async (rows) => {
    await call({ kind: 'store', rows }, transferablesOf(rows))
  },
  rowIssues: async (text) => {
    await call({ kind: 'rowIssues', text }, text.buffer instanceof ArrayBuffer ? [text.buffer] : [])
  },
  progress: (progress) => send({ type: 'progress', progress }),
}).then(
  (outcome) => send({ type: 'done', outcome }),
  (error) => send({ type: 'failed', error: serialize(error) }),
)
