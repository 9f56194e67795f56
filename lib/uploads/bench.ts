import { execFile, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { migrate } from '@/lib/db/migrate'
import { createScratchDatabase } from '@/lib/db/scratch'
import { closeIngestPools, ingestPool } from './storage/copy'
import { receiveUploadFile } from './storage/files'
import { commitUpload, type IngestStore, previewUpload } from './storage/ingest'
import { readHeapMb } from './storage/ingest-thread'
import { uuidv7 } from './storage/uuid7'

// `npm run bench:ingest`: a CSV of 1,000,000 line items in 250,000 orders across 50 stores, through the
// product's real path (stream to disk with sha256 → preview parse → one-transaction COPY commit) in a
// child process whose peak RSS we read (its reading threads included), against `psql \copy` of the same
// file into a table with the same kind of indexes (the floor).

const run = promisify(execFile)

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

export type ChildFigures = {
  receiveSeconds: number
  previewSeconds: number
  commitSeconds: number
  events: number
  lineItems: number
  maxRssMb: number
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

function database(say: (s: string) => void) {
  return createScratchDatabase('bench_ingest', say)
}

function findPsql(): string {
  for (const p of [process.env.PSQL, '/usr/bin/psql', '/usr/local/bin/psql', '/opt/homebrew/bin/psql'])
    if (p && fs.existsSync(p)) return p
  throw new Error(
    'psql was not found (looked in /usr/bin, /usr/local/bin): install postgresql-client or set PSQL',
  )
}

/**
 * The floor: the same file into one table with a unique key and the time and item indexes; with `search`,
 * also the GIN trigram indexes the sales table's search keeps over every order and customer id (its item id
 * trigrams are over each distinct id, ItemIdSearch: the floor's plain item index stands for them).
 */
async function psqlCopySeconds(url: string, file: string, table: string, search: boolean): Promise<number> {
  const psql = findPsql()
  const trigram = search
    ? `CREATE EXTENSION IF NOT EXISTS pg_trgm;
       CREATE INDEX ON ${table} USING GIN (order_id gin_trgm_ops);
       CREATE INDEX ON ${table} USING GIN (customer_id gin_trgm_ops);`
    : ''
  await run(psql, [
    url,
    '-v',
    'ON_ERROR_STOP=1',
    '-c',
    `CREATE TABLE ${table} (id bigserial PRIMARY KEY, order_id text, occurred_at timestamptz, store_code text, kind text,
       customer_id text, item_id text, item_name text, variation_id text, unit_price numeric(18,4), quantity int);
     CREATE UNIQUE INDEX ON ${table} (store_code, kind, order_id, item_id);
     CREATE INDEX ON ${table} (store_code, occurred_at);
     CREATE INDEX ON ${table} (occurred_at);
     CREATE INDEX ON ${table} (item_id);
     ${trigram}`,
  ])
  const t0 = performance.now()
  await run(psql, [
    url,
    '-v',
    'ON_ERROR_STOP=1',
    '-c',
    `\\copy ${table} (order_id, occurred_at, store_code, kind, customer_id, item_id, item_name, variation_id, unit_price, quantity) FROM '${file.replace(/'/g, "''")}' WITH (FORMAT csv, HEADER true)`,
  ])
  return (performance.now() - t0) / 1000
}

/** runs in the child process: the product's path from the file on disk to stored events */
export async function ingestInChild(file: string): Promise<ChildFigures> {
  const pool = ingestPool()
  const { rows: stores } = await pool.query<IngestStore>(
    `SELECT id::text, code, "timeZone", latitude, longitude FROM "Store" ORDER BY code`,
  )
  const { rows: users } = await pool.query<{ id: string; email: string }>(
    `SELECT id::text, email FROM "User" LIMIT 1`,
  )
  const user = users[0] as { id: string; email: string }
  const uploadId = uuidv7()
  const t0 = performance.now()
  const received = await receiveUploadFile(
    fs.createReadStream(file, { highWaterMark: 256 * 1024 }),
    uploadId,
    Number.MAX_SAFE_INTEGER,
  )
  await pool.query(
    `INSERT INTO "Upload" (id, "fileName", "sizeBytes", sha256, "uploaderId", status, "updatedAt") VALUES ($1, 'bench.csv', $2, $3, $4, 'RECEIVED', now())`,
    [uploadId, received.sizeBytes, received.sha256, user.id],
  )
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
  await closeIngestPools()
  return {
    receiveSeconds: (t1 - t0) / 1000,
    previewSeconds: (t2 - t1) / 1000,
    commitSeconds: (t3 - t2) / 1000,
    events: summary.counts.events,
    lineItems: summary.counts.lineItems,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  }
}

function runChild(
  script: string,
  env: Record<string, string>,
  file: string,
  heapMb: number | undefined,
): Promise<ChildFigures> {
  return new Promise((resolve, reject) => {
    const heap = heapMb ? [`--max-old-space-size=${heapMb}`] : []
    const child = spawn(process.execPath, [...heap, '--import', 'tsx', script, '--child', file], {
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

export async function runIngestBenchmark(opts: BenchOptions & { script: string }) {
  const say = opts.say
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-bench-ingest-'))
  fs.chmodSync(work, 0o755)
  const db = await database(say)
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
    const c = new pg.Client({ connectionString: db.url })
    await c.connect()
    try {
      await c.query(
        `INSERT INTO "Store" (id, code, name, "timeZone", latitude, longitude, "updatedAt")
         SELECT gen_random_uuid(), 'BENCH-' || lpad(g::text, 2, '0'), 'Bench store ' || g, 'America/New_York', '40.7233', '-74.0030', now()
         FROM generate_series(1, $1::int) g`,
        [opts.stores],
      )
      await c.query(
        `INSERT INTO "User" (id, email, name, "passwordHash", role, "updatedAt") VALUES (gen_random_uuid(), 'bench@bench.store', 'Bench', 'x', 'ADMIN', now())`,
      )
    } finally {
      await c.end()
    }
    // to show what the sales table's trigram search indexes cost the ingest (they are part of the product)
    if (opts.withoutSearchIndexes) {
      const d = new pg.Client({ connectionString: db.url })
      await d.connect()
      await d.query(
        'DROP INDEX "ItemIdSearch_itemId_trgm_idx"; DROP INDEX "SaleEventSearch_orderId_trgm_idx"; DROP INDEX "SaleEventSearch_customerId_trgm_idx"',
      )
      await d.end()
    }
    // each measurement starts from a checkpointed database: none pays for writing out what the one before it
    // left in shared buffers (a checkpoint falling inside the product's commit cost it up to 5 s)
    const checkpoint = async () => {
      const k = new pg.Client({ connectionString: db.url })
      await k.connect()
      await k.query('CHECKPOINT')
      await k.end()
    }
    await checkpoint()
    const floor = await psqlCopySeconds(db.url, file, 'bench_floor', false)
    say(`psql \\copy (the floor): ${floor.toFixed(1)} s`)
    await checkpoint()
    const floorSearch = await psqlCopySeconds(db.url, file, 'bench_floor_search', true)
    say(`psql \\copy with the order and customer trigram indexes too: ${floorSearch.toFixed(1)} s`)
    const uploadDir = path.join(work, 'uploads')
    await checkpoint()
    const figures = await runChild(
      opts.script,
      { DATABASE_URL: db.url, UPLOAD_DIR: uploadDir, LOG_LEVEL: 'warn' },
      file,
      opts.heapMb,
    )
    const total = figures.receiveSeconds + figures.previewSeconds + figures.commitSeconds
    const storing = figures.receiveSeconds + figures.commitSeconds
    const lines = [
      '',
      `file → stored events (receive + preview + commit): ${total.toFixed(1)} s`,
      `  receive (stream to disk, sha256): ${figures.receiveSeconds.toFixed(1)} s`,
      `  preview (parse, duplicate lookup, counts): ${figures.previewSeconds.toFixed(1)} s`,
      `  commit (parse again, COPY in one transaction): ${figures.commitSeconds.toFixed(1)} s`,
      `psql \\copy of the same file (floor): ${floor.toFixed(1)} s`,
      `psql \\copy with the order and customer trigram indexes too: ${floorSearch.toFixed(1)} s`,
      `ratio (file → stored / floor): ${(total / floor).toFixed(2)}   without the preview: ${(storing / floor).toFixed(2)}`,
      `ratio against the floor with those trigram indexes: ${(total / floorSearch).toFixed(2)}   without the preview: ${(storing / floorSearch).toFixed(2)}`,
      `rows per second: ${Math.round(figures.lineItems / total).toLocaleString('en-US')} line items/s (${figures.events.toLocaleString('en-US')} events)`,
      `peak RSS of the ingestion process: ${figures.maxRssMb.toFixed(0)} MB${opts.heapMb ? ` (main thread's V8 old space capped at ${opts.heapMb} MB)` : ' (V8 default heap sizing)'}, the reading thread's heap capped at ${readHeapMb(fs.statSync(file).size)} MB`,
    ]
    for (const l of lines) say(l)
    return { floor, floorSearch, ...figures, total }
  } finally {
    await db.close()
    fs.rmSync(work, { recursive: true, force: true })
  }
}
