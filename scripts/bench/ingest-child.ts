import fs from 'node:fs'
import { closeDbPool, dbPool } from '@/lib/db'
import { uuidv7 } from '@/lib/db/uuid7'
import { writeUploadFile } from '@/lib/uploads/storage/files'
import { commitUpload, type IngestStore, previewUpload } from '@/lib/uploads/storage/ingest'
import { finishReceiving } from '@/lib/uploads/transitions'

// bench:feed's upload child (feed-run.ts): the upload path of the same sales, called directly in one process (the
// file into UploadFileChunk, then previewUpload and commitUpload, which queue and start themselves without a
// worker); prints its figures as one line of JSON. bench:ingest measures the job path with a worker process
// (ingest-run.ts). Only `import type` from here: importing it runs it.

export type ChildFigures = {
  receiveSeconds: number
  previewSeconds: number
  commitSeconds: number
  events: number
  lineItems: number
  maxRssMb: number
}

async function ingest(file: string): Promise<ChildFigures> {
  const pool = dbPool()
  const { rows: stores } = await pool.query<IngestStore>(
    `SELECT id::text, code, "timeZone", latitude, longitude FROM "Store" ORDER BY code`,
  )
  const { rows: users } = await pool.query<{ id: string; email: string }>(
    `SELECT id::text, email FROM "User" LIMIT 1`,
  )
  const user = users[0] as { id: string; email: string }
  const uploadId = uuidv7()
  const t0 = performance.now()
  await pool.query(
    `INSERT INTO "Upload" (id, "fileName", "sizeBytes", sha256, "uploaderId", status, "updatedAt") VALUES ($1, 'bench.csv', 0, $2, $3, 'RECEIVING', now())`,
    [uploadId, '0'.repeat(64), user.id],
  )
  const received = await writeUploadFile(
    pool,
    uploadId,
    fs.createReadStream(file, { highWaterMark: 256 * 1024 }),
    Number.MAX_SAFE_INTEGER,
  )
  await finishReceiving(pool, uploadId, received)
  const t1 = performance.now()
  const preview = await previewUpload({
    uploadId,
    sizeBytes: received.sizeBytes,
    sha256: received.sha256,
    storeId: null,
    stores,
    settings: {},
  })
  const t2 = performance.now()
  const summary = await commitUpload({ uploadId, actor: { userId: user.id, email: user.email }, stores })
  const t3 = performance.now()
  if (preview.counts.invalidEvents > 0 || summary.counts.new !== preview.counts.events)
    throw new Error(`unexpected outcome: ${JSON.stringify(summary.counts)}`)
  await closeDbPool()
  return {
    receiveSeconds: (t1 - t0) / 1000,
    previewSeconds: (t2 - t1) / 1000,
    commitSeconds: (t3 - t2) / 1000,
    events: summary.counts.events,
    lineItems: summary.counts.lineItems,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  }
}

const figures = await ingest(process.argv[2] as string)
process.stdout.write(`${JSON.stringify(figures)}\n`)
process.exit(0)
