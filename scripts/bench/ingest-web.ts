import fs from 'node:fs'
import type { Caller } from '@/lib/auth/caller'
import { db } from '@/lib/db'
import { queuePreview } from '@/lib/uploads/storage/preview-run'
import { receiveUpload } from '@/lib/uploads/storage/receive'

// bench:ingest's receiving process (ingest-run.ts starts it, so its peak RSS is the web side's alone): the web
// route's own work for one file — receiveUpload streams it into UploadFileChunk, then queuePreview adds the preview
// job as POST /api/uploads/[id]/preview does — and prints its figures as one line of JSON. Only `import type` from
// here: importing it runs it. Run with scripts/bench/server-only-off.mjs, as outside Next.

export type WebFigures = {
  uploadId: string
  /** epoch ms (this host's clock, as the parent's): the file is stored and the upload RECEIVED */
  receivedAtMs: number
  receiveSeconds: number
  /** epoch ms: the preview job is queued */
  queuedAtMs: number
  /** RSS once Prisma has answered its first query (its query compiler loaded), before the first byte of the file */
  readyRssMb: number
  maxRssMb: number
}

async function receiveAndQueue(file: string): Promise<WebFigures> {
  const user = await db.user.findFirstOrThrow({ where: { role: 'ADMIN' }, select: { id: true, email: true } })
  const stores = await db.store.findMany({ select: { id: true } })
  const caller: Caller = {
    userId: user.id,
    email: user.email,
    name: 'Bench',
    role: 'ADMIN',
    storeIds: stores.map((s) => s.id),
    allStores: true,
    mustChangePassword: false,
  }
  const readyRssMb = process.memoryUsage().rss / 1024 / 1024
  const t0 = performance.now()
  // 64 KiB pieces, as a request body arrives from the network
  const received = await receiveUpload({
    caller,
    storeId: null,
    fileName: 'bench.csv',
    contentLength: fs.statSync(file).size,
    body: fs.createReadStream(file, { highWaterMark: 64 * 1024 }),
    ip: '127.0.0.1',
  })
  if (!received.ok) throw new Error(`receiving failed: ${received.error}`)
  const receivedAtMs = Date.now()
  const receiveSeconds = (performance.now() - t0) / 1000
  const queued = await queuePreview(caller, received.uploadId, {}, '127.0.0.1')
  if (!queued.ok) throw new Error(`queueing the preview failed: ${queued.error}`)
  return {
    uploadId: received.uploadId,
    receivedAtMs,
    receiveSeconds,
    queuedAtMs: Date.now(),
    readyRssMb,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  }
}

const figures = await receiveAndQueue(process.argv[2] as string)
await db.$disconnect()
process.stdout.write(`${JSON.stringify(figures)}\n`)
process.exit(0)
