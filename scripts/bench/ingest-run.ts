import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { migrate } from '@/lib/db/migrate'
import { createScratchDatabase } from '@/lib/db/scratch'
import { withPg } from '@/lib/submission/testing'
import { readHeapMb } from '@/lib/uploads/storage/ingest-thread'
import type { ChildFigures } from './ingest-child'
import { plainTableSeconds, STORED_TABLES, storedRowsFloor } from './ingest-floors'

// `npm run bench:ingest`: a CSV of 1,000,000 line items in 250,000 orders across 50 stores, through the
// product's real path (stream to disk with sha256 → preview parse → one-transaction COPY commit) in a
// child process whose peak RSS we read (its reading threads included), against two floors measured in the
// same run (ingest-floors.ts): the file into a plain table, and the rows the product stored into its schema.

export type BenchOptions = {
  lineItems: number
  orders: number
  stores: number
  file?: string
  withoutSearchIndexes?: boolean
  /** run the ingestion child with --max-old-space-size (MB); the reading thread keeps its own cap */
  heapMb?: number
  say: (line: string) => void
}

const HEADER =
  'order_id,occurred_at,store_code,kind,customer_id,item_id,item_name,variation_id,unit_price,quantity'
const storeCode = (i: number) => `BENCH-${String(i + 1).padStart(2, '0')}`

/** the benchmark file: orders of equal size spread over the stores and the last 30 days, 1 in 20 a return */
export async function generateCsv(file: string, opts: { lineItems: number; orders: number; stores: number }) {
  const out = fs.createWriteStream(file)
  const perOrder = Math.max(1, Math.round(opts.lineItems / opts.orders))
  const start = Date.now() - 30 * 86_400_000
  const write = (s: string) =>
    out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()))
  await write(`${HEADER}\n`)
  let buf = ''
  for (let o = 0; o < opts.orders; o++) {
    const store = storeCode(o % opts.stores)
    const at = new Date(start + Math.floor((o / opts.orders) * 29 * 86_400_000))
    const when = `${at.toISOString().slice(0, 10)} ${at.toISOString().slice(11, 16)}`
    const kind = o % 20 === 19 ? 'return' : 'purchase'
    const customer = o % 3 === 0 ? '' : `C-${o % 50_000}`
    for (let i = 0; i < perOrder; i++) {
      const sku = (o * 7 + i * 13) % 5_000
      const price = `${1 + (sku % 97)}.${String(sku % 100).padStart(2, '0')}`
      buf += `ORD-${o},${when},${store},${kind},${customer},SKU-${sku}-${i},"Item ${sku}, size ${i}",${i % 2 ? 'L' : ''},${price},${1 + (sku % 3)}\n`
    }
    if (buf.length > 1 << 20) {
      await write(buf)
      buf = ''
    }
  }
  await write(buf)
  await new Promise<void>((r) => out.end(() => r()))
}

function runChild(
  env: Record<string, string>,
  file: string,
  heapMb: number | undefined,
): Promise<ChildFigures> {
  return new Promise((resolve, reject) => {
    const heap = heapMb ? [`--max-old-space-size=${heapMb}`] : []
    const script = path.join(import.meta.dirname, 'ingest-child.ts')
    const child = spawn(process.execPath, [...heap, '--import', 'tsx', script, file], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
    })
    child.on('error', reject)
    child.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? ''
      if (code !== 0) reject(new Error(`the ingestion child failed (exit ${code}): ${out}`))
      else resolve(JSON.parse(line) as ChildFigures)
    })
  })
}

async function seed(url: string, stores: number) {
  await withPg(url, async (c) => {
    await c.query(
      `INSERT INTO "Store" (id, code, name, "timeZone", latitude, longitude, "updatedAt")
       SELECT gen_random_uuid(), 'BENCH-' || lpad(g::text, 2, '0'), 'Bench store ' || g, 'America/New_York', '40.7233', '-74.0030', now()
       FROM generate_series(1, $1::int) g`,
      [stores],
    )
    await c.query(
      `INSERT INTO "User" (id, email, name, "passwordHash", role, "updatedAt") VALUES (gen_random_uuid(), 'bench@bench.store', 'Bench', 'x', 'ADMIN', now())`,
    )
  })
}

/** to show what the sales table's trigram search indexes cost the ingest (they are part of the product) */
const dropSearchIndexes = (url: string) =>
  withPg(url, (c) =>
    c.query(
      'DROP INDEX "ItemIdSearch_itemId_trgm_idx"; DROP INDEX "SaleEventSearch_orderId_trgm_idx"; DROP INDEX "SaleEventSearch_customerId_trgm_idx"',
    ),
  )

// each measurement starts from a checkpointed server: none pays for writing out what the one before it left
// in shared buffers (a checkpoint falling inside a measurement costs it seconds)
const checkpoint = (url: string) => withPg(url, (c) => c.query('CHECKPOINT'))

const seconds = (s: number) => `${s.toFixed(1)} s`
const ratio = (a: number, b: number) => (a / b).toFixed(2)

export async function runIngestBenchmark(opts: BenchOptions) {
  const say = opts.say
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-bench-ingest-'))
  fs.chmodSync(work, 0o755)
  const db = await createScratchDatabase('bench_ingest', say)
  let floorDatabase: string | undefined
  try {
    let file = opts.file
    if (!file) {
      file = path.join(work, 'sales.csv')
      const g0 = performance.now()
      await generateCsv(file, opts)
      say(
        `generated ${opts.lineItems.toLocaleString('en-US')} line items in ${opts.orders.toLocaleString('en-US')} orders across ${opts.stores} stores: ${(fs.statSync(file).size / 1e6).toFixed(0)} MB in ${((performance.now() - g0) / 1000).toFixed(1)} s`,
      )
    }
    fs.chmodSync(file, 0o644)
    await migrate(db.url)
    await seed(db.url, opts.stores)
    if (opts.withoutSearchIndexes) await dropSearchIndexes(db.url)

    await checkpoint(db.url)
    const plain = await plainTableSeconds(db.url, file, 'bench_floor', false)
    say(`psql \\copy of the file into a plain table (plain floor): ${seconds(plain)}`)
    await checkpoint(db.url)
    const plainSearch = await plainTableSeconds(db.url, file, 'bench_floor_search', true)
    say(`the same with the order and customer trigram indexes too: ${seconds(plainSearch)}`)

    await checkpoint(db.url)
    const figures = await runChild(
      { DATABASE_URL: db.url, UPLOAD_DIR: path.join(work, 'uploads'), LOG_LEVEL: 'warn' },
      file,
      opts.heapMb,
    )
    const total = figures.receiveSeconds + figures.previewSeconds + figures.commitSeconds
    const storing = figures.receiveSeconds + figures.commitSeconds
    say(`product file → stored: ${seconds(total)}`)

    const stored = await storedRowsFloor(db.url, work, async (floorUrl) => {
      if (opts.withoutSearchIndexes) await dropSearchIndexes(floorUrl)
      await checkpoint(floorUrl)
    })
    floorDatabase = stored.database
    const storedRows = STORED_TABLES.map((t) => `${t} ${(stored.rows[t] ?? 0).toLocaleString('en-US')}`).join(
      ', ',
    )
    say(
      `psql \\copy of the rows the product stored into its own schema (stored-rows floor): ${seconds(stored.seconds)}`,
    )

    const lines = [
      '',
      `product file → stored (receive + preview + commit): ${seconds(total)}`,
      `  receive (stream to disk, sha256): ${seconds(figures.receiveSeconds)}`,
      `  preview (parse, duplicate lookup, counts): ${seconds(figures.previewSeconds)}`,
      `  commit (parse again, COPY in one transaction): ${seconds(figures.commitSeconds)}`,
      `stored-rows floor: psql \\copy, one transaction, of the rows the product stored into a fresh database of its migrations: ${seconds(stored.seconds)}`,
      `  rows: ${storedRows}`,
      `ratio (file → stored / stored-rows floor): ${ratio(total, stored.seconds)}   without the preview: ${ratio(storing, stored.seconds)}   (target ≤ 1.5, moonshot 1.2)`,
      `plain floor: psql \\copy of the same file into a plain table: ${seconds(plain)}; with the order and customer trigram indexes: ${seconds(plainSearch)}`,
      `ratio (file → stored / plain floor): ${ratio(total, plain)}   without the preview: ${ratio(storing, plain)}`,
      `ratio against the plain floor with those trigram indexes: ${ratio(total, plainSearch)}   without the preview: ${ratio(storing, plainSearch)}`,
      `rows per second: ${Math.round(figures.lineItems / total).toLocaleString('en-US')} line items/s (${figures.events.toLocaleString('en-US')} events)`,
      `peak RSS of the ingestion process: ${figures.maxRssMb.toFixed(0)} MB${opts.heapMb ? ` (main thread's V8 old space capped at ${opts.heapMb} MB)` : ' (V8 default heap sizing)'}, the reading thread's heap capped at ${readHeapMb(fs.statSync(file).size)} MB`,
    ]
    for (const l of lines) say(l)
    return { plain, plainSearch, storedRowsFloor: stored.seconds, ...figures, total }
  } finally {
    if (floorDatabase) {
      const name = floorDatabase
      await withPg(db.url, (c) => c.query(`DROP DATABASE IF EXISTS "${name}"`)).catch(() => {})
    }
    await db.close()
    fs.rmSync(work, { recursive: true, force: true })
  }
}
