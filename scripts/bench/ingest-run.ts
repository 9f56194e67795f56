import { type ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { migrate } from '@/lib/db/migrate'
import { createScratchDatabase } from '@/lib/db/scratch'
import { workerMemory, workerProcess } from '@/lib/process/worker-process'
import { withPg } from '@/lib/submission/testing'
import { addUploadJob } from '@/lib/uploads/jobs/queue'
import { readUploadFile } from '@/lib/uploads/storage/files'
import type { IngestSettings, IngestStore } from '@/lib/uploads/storage/ingest-rows'
import { laneOf } from '@/lib/uploads/storage/lanes'
import { readStagedChunks, type StagedRef } from '@/lib/uploads/storage/staged-events'
import { queueCommit } from '@/lib/uploads/transitions'
import { parseOnlySeconds, plainTableSeconds, STORED_TABLES, storedRowsFloor } from './ingest-floors'
import type { WebFigures } from './ingest-web'
import { startWebServer, type WebServer } from './ingest-web-server'

// `npm run bench:ingest`: a CSV of 1,000,000 line items in 250,000 orders across 50 stores through the product's job
// path — received over HTTP by the product's web server, started as `npm start` starts it (ingest-web-server.ts:
// POST /api/uploads into UploadFileChunk, the preview job queued through its route), previewed and committed by a
// real worker process (scripts/worker.ts),
// the commit queued as commitUploadAction queues it — with the peak RSS of both processes, against floors measured
// in the same run (ingest-floors.ts). `--lanes`: how long a 100-line upload waits while two large ones are checked,
// then stored.

export type BenchOptions = {
  lineItems: number
  orders: number
  stores: number
  file?: string
  withoutSearchIndexes?: boolean
  /** the worker's WORKER_HEAP_MB (--max-old-space-size); unset: the environment's or the product's default */
  heapMb?: number
  /** remove what the check kept before the commit, so the commit reads the file again (as before parse once) */
  commitReadsFile?: boolean
  say: (line: string) => void
}

type Size = { lineItems: number; orders: number; stores: number }

const HEADER =
  'order_id,occurred_at,store_code,kind,customer_id,item_id,item_name,variation_id,unit_price,quantity'
const storeCode = (i: number) => `BENCH-${String(i + 1).padStart(2, '0')}`

/** the benchmark file: orders of equal size spread over the stores and the last 30 days, 1 in 20 a return */
export async function generateCsv(file: string, opts: Size & { prefix?: string }) {
  const out = fs.createWriteStream(file)
  const perOrder = Math.max(1, Math.round(opts.lineItems / opts.orders))
  const start = Date.now() - 30 * 86_400_000
  const prefix = opts.prefix ?? ''
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
      buf += `${prefix}ORD-${o},${when},${store},${kind},${customer},SKU-${sku}-${i},"Item ${sku}, size ${i}",${i % 2 ? 'L' : ''},${price},${1 + (sku % 3)}\n`
    }
    if (buf.length > 1 << 20) {
      await write(buf)
      buf = ''
    }
  }
  await write(buf)
  await new Promise<void>((r) => out.end(() => r()))
}

const here = import.meta.dirname
/** the worker's environment: the bench's, with --heap-mb as WORKER_HEAP_MB */
const workerEnv = (env: Record<string, string>, heapMb?: number) => ({
  ...process.env,
  ...env,
  ...(heapMb !== undefined && { WORKER_HEAP_MB: String(heapMb) }),
})
const memoryFlags = (heapMb?: number) => {
  const m = workerMemory(workerEnv({}, heapMb))
  return `--max-old-space-size=${m.heapMb} --max-semi-space-size=${m.semiSpaceMb}, UPLOAD_JOB_HEAP_MB ${m.jobHeapMb}`
}

/** the receiving process for one file: resolves with its figures once the file is stored and its preview queued */
function receiveInChild(env: Record<string, string>, file: string): Promise<WebFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        path.join(here, 'server-only-off.mjs'),
        '--import',
        'tsx',
        path.join(here, 'ingest-web.ts'),
        file,
      ],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
    })
    child.on('error', reject)
    child.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? ''
      if (code !== 0) reject(new Error(`the receiving process failed (exit ${code}): ${out}`))
      else resolve(JSON.parse(line) as WebFigures)
    })
  })
}

/** peak resident memory of a running process of ours (VmHWM), in MB */
function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN)
  return kb / 1024
}

/** resident memory of a running process of ours now (VmRSS), in MB */
function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024
}

/** starts the peak (VmHWM) again from the current RSS, so the next phase's peak is its own; false if not allowed */
function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5')
    return true
  } catch {
    return false
  }
}

type Worker = { child: ChildProcess; pid: number; stop: () => Promise<void> }

/** scripts/worker.ts in a process of its own, as `npm start` runs it; resolves once it logged that it started */
function startWorker(env: Record<string, string>, heapMb?: number): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const childEnv = { ...workerEnv(env, heapMb), LOG_LEVEL: 'info' }
    const worker = workerProcess(childEnv, path.join(here, '..', 'worker.ts'))
    const child = spawn(process.execPath, worker.args, {
      env: { ...worker.env, ...childEnv },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const exited = new Promise<void>((r) => child.once('exit', () => r()))
    let started = false
    let pending = ''
    child.stdout.on('data', (d: Buffer) => {
      pending += d.toString()
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) {
        if (!started && line.includes('worker started')) {
          started = true
          resolve({
            child,
            pid: child.pid as number,
            stop: async () => {
              child.kill('SIGTERM')
              await exited
            },
          })
        } else if (/"level":(40|50|60)/.test(line)) process.stderr.write(`worker: ${line}\n`)
      }
    })
    child.on('error', reject)
    child.on('exit', (code) => {
      if (!started) reject(new Error(`the worker exited before it started (exit ${code})`))
    })
  })
}

type UploadState = { status: string; errorMessage: string | null; jobStartedAt: Date | null }

async function uploadState(pool: pg.Pool, uploadId: string): Promise<UploadState> {
  const { rows } = await pool.query<UploadState>(
    `SELECT status::text, "errorMessage", "jobStartedAt" FROM "Upload" WHERE id = $1::uuid`,
    [uploadId],
  )
  const row = rows[0]
  if (!row) throw new Error(`upload ${uploadId} is gone`)
  return row
}

/** polls the upload every 50 ms until `until` holds; epoch ms of the poll that saw it */
async function waitForUpload(
  pool: pg.Pool,
  uploadId: string,
  until: (s: UploadState) => boolean,
): Promise<number> {
  for (;;) {
    const s = await uploadState(pool, uploadId)
    if (until(s)) return Date.now()
    if (s.status === 'FAILED' || s.status === 'COMMIT_FAILED' || s.status === 'CANCELLED')
      throw new Error(`upload ${uploadId} ended ${s.status}: ${s.errorMessage}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

const reached = (status: string) => (s: UploadState) => s.status === status
const running = (s: UploadState) => s.jobStartedAt !== null

/** PREVIEW → COMMITTING with its job, in one transaction, as commitUploadAction does; epoch ms when queued */
async function queueCommitJob(pool: pg.Pool, uploadId: string): Promise<number> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const { rows } = await client.query<{ size: string; userId: string; email: string }>(
      `SELECT u."sizeBytes"::text AS size, u."uploaderId"::text AS "userId", us.email
       FROM "Upload" u JOIN "User" us ON us.id = u."uploaderId" WHERE u.id = $1::uuid`,
      [uploadId],
    )
    const row = rows[0]
    if (!row) throw new Error(`upload ${uploadId} is gone`)
    const token = crypto.randomUUID()
    const lane = laneOf(Number(row.size))
    if (!(await queueCommit(client, uploadId, token, lane)))
      throw new Error(`upload ${uploadId} is not PREVIEW`)
    await addUploadJob(client, lane, {
      uploadId,
      token,
      mode: 'commit',
      userId: row.userId,
      email: row.email,
      ip: null,
    })
    await client.query('COMMIT')
    return Date.now()
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {})
    throw e
  } finally {
    client.release()
  }
}

/** the bench's own connections (polling, queueing the commit); an idle one cut when the scratch server stops is no error */
function benchPool(url: string) {
  const pool = new pg.Pool({ connectionString: url, max: 3 })
  pool.on('error', () => {})
  return pool
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
const mb = (n: number) => `${n.toFixed(0)} MB`
const loadAverage = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')

async function ingestStores(pool: pg.Pool): Promise<IngestStore[]> {
  const { rows } = await pool.query<IngestStore>(
    `SELECT id::text, code, "timeZone", latitude, longitude FROM "Store" ORDER BY code`,
  )
  return rows
}

/** a scratch database of the product's schema with the bench's stores and user, and a work folder */
async function prepare(opts: BenchOptions) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-bench-ingest-'))
  fs.chmodSync(work, 0o755)
  const db = await createScratchDatabase('bench_ingest', opts.say)
  await migrate(db.url)
  await seed(db.url, opts.stores)
  const env = { DATABASE_URL: db.url, LOG_LEVEL: 'warn' }
  return { work, db, env }
}

async function benchFile(opts: BenchOptions, work: string, name: string, size: Size & { prefix?: string }) {
  const file = path.join(work, name)
  const g0 = performance.now()
  await generateCsv(file, size)
  opts.say(
    `generated ${size.lineItems.toLocaleString('en-US')} line items in ${size.orders.toLocaleString('en-US')} orders across ${size.stores} stores: ${(fs.statSync(file).size / 1e6).toFixed(1)} MB in ${((performance.now() - g0) / 1000).toFixed(1)} s`,
  )
  fs.chmodSync(file, 0o644)
  return file
}

/** before the product's run: the file into plain tables, and the parser alone over the file on disk */
async function floorsBefore(url: string, file: string, stores: IngestStore[], say: (l: string) => void) {
  await checkpoint(url)
  const plain = await plainTableSeconds(url, file, 'bench_floor', false)
  say(`psql \\copy of the file into a plain table (plain floor): ${seconds(plain)}`)
  await checkpoint(url)
  const plainSearch = await plainTableSeconds(url, file, 'bench_floor_search', true)
  say(`the same with the order and customer trigram indexes too: ${seconds(plainSearch)}`)
  const parse = await parseOnlySeconds(fs.createReadStream(file, { highWaterMark: 1 << 20 }), stores, {})
  say(`the parser alone over the file on disk (parse-only floor): ${seconds(parse.seconds)}`)
  return { plain, plainSearch, parse: parse.seconds }
}

/** the commit's second read by itself: the parser alone over the stored file, with the settings the commit reads it with */
async function reparseSeconds(pool: pg.Pool, uploadId: string, stores: IngestStore[]) {
  const { rows } = await pool.query<{ settings: IngestSettings }>(
    `SELECT preview->'settings' AS settings FROM "Upload" WHERE id = $1::uuid`,
    [uploadId],
  )
  const t0 = performance.now()
  let bytes = 0
  for await (const piece of readUploadFile(pool, uploadId)) bytes += piece.byteLength
  const readOnly = (performance.now() - t0) / 1000
  if (bytes === 0) throw new Error('the stored file is empty')
  const parse = await parseOnlySeconds(readUploadFile(pool, uploadId), stores, rows[0]?.settings ?? {})
  return { readOnly, withParse: parse.seconds }
}

/** what the commit reads instead (parse once): the check's kept chunks, read and decoded, and their stored size */
async function stagedReadSeconds(pool: pg.Pool, uploadId: string) {
  const { rows } = await pool.query<{ staged: StagedRef | null; bytes: string | null }>(
    `SELECT preview->'staged' AS staged,
       (SELECT sum(octet_length(data)) FROM "UploadStagedChunk" WHERE "uploadId" = $1::uuid)::text AS bytes
     FROM "Upload" WHERE id = $1::uuid`,
    [uploadId],
  )
  const staged = rows[0]?.staged
  if (!staged) throw new Error('the check kept nothing')
  const t0 = performance.now()
  let events = 0
  for await (const chunk of readStagedChunks(pool, uploadId, staged))
    if ('events' in chunk) events += chunk.events.length
  if (events !== staged.events) throw new Error(`read ${events} kept events, the check kept ${staged.events}`)
  return {
    seconds: (performance.now() - t0) / 1000,
    chunks: staged.chunks,
    mb: Number(rows[0]?.bytes ?? 0) / 1e6,
  }
}

export async function runIngestBenchmark(opts: BenchOptions & { floors: boolean }) {
  const say = opts.say
  say(`load average at the start: ${loadAverage()} (${os.cpus().length} cores)`)
  const { work, db, env } = await prepare(opts)
  let floorDatabase: string | undefined
  let worker: Worker | undefined
  let webServer: WebServer | undefined
  const pool = benchPool(db.url)
  try {
    const file = opts.file ?? (await benchFile(opts, work, 'sales.csv', opts))
    fs.chmodSync(file, 0o644)
    const fileMb = fs.statSync(file).size / 1e6
    if (opts.withoutSearchIndexes) await dropSearchIndexes(db.url)
    const stores = await ingestStores(pool)
    const before = opts.floors ? await floorsBefore(db.url, file, stores, say) : null

    await checkpoint(db.url)
    worker = await startWorker(env, opts.heapMb)
    const workerIdleMb = peakRssMb(worker.pid)
    webServer = await startWebServer(env)
    const web = await webServer.receive(file)
    say(`received in ${seconds(web.receiveSeconds)} (web server process peak RSS ${mb(web.maxRssMb)})`)
    const previewAt = await waitForUpload(pool, web.uploadId, reached('PREVIEW'))
    const previewSeconds = (previewAt - web.receivedAtMs) / 1000
    const workerPreviewMb = peakRssMb(worker.pid)
    // what the preview left resident: the commit's peak starts from it
    const workerBetweenMb = rssMb(worker.pid)
    const peakReset = resetPeakRss(worker.pid)
    say(
      `preview job done ${seconds(previewSeconds)} after the file was received (worker peak RSS ${mb(workerPreviewMb)})`,
    )
    const reparse = opts.floors ? await reparseSeconds(pool, web.uploadId, stores) : null
    if (reparse !== null)
      say(
        `the parser alone over the stored file, as a commit reading it again would: ${seconds(reparse.withParse)} (reading the pieces alone: ${seconds(reparse.readOnly)})`,
      )
    const staged = opts.floors ? await stagedReadSeconds(pool, web.uploadId) : null
    if (staged !== null)
      say(
        `the check's kept events read and decoded, as the commit reads them: ${seconds(staged.seconds)} (${staged.chunks} chunks, ${mb(staged.mb)} stored)`,
      )
    if (opts.commitReadsFile) {
      await pool.query(`DELETE FROM "UploadStagedChunk" WHERE "uploadId" = $1::uuid`, [web.uploadId])
      say('the check’s kept events removed: the commit reads the file again (--commit-reads-file)')
    }

    const commitQueuedAt = await queueCommitJob(pool, web.uploadId)
    const committedAt = await waitForUpload(pool, web.uploadId, reached('COMMITTED'))
    const commitSeconds = (committedAt - commitQueuedAt) / 1000
    const workerCommitMb = peakRssMb(worker.pid)
    await worker.stop()
    worker = undefined
    const total = web.receiveSeconds + previewSeconds + commitSeconds
    const storing = web.receiveSeconds + commitSeconds
    say(`commit job done ${seconds(commitSeconds)} after it was queued; file → stored ${seconds(total)}`)

    const { rows: counted } = await pool.query<{ events: string; lineItems: string; fileEvents: number }>(
      `SELECT (SELECT count(*) FROM "SaleEvent") AS events, (SELECT count(*) FROM "LineItem") AS "lineItems",
              (SELECT "validEventCount" FROM "Upload" WHERE id = $1::uuid) AS "fileEvents"`,
      [web.uploadId],
    )
    const events = Number(counted[0]?.events)
    const lineItems = Number(counted[0]?.lineItems)
    if (events !== counted[0]?.fileEvents)
      throw new Error(`stored ${events} events, the file has ${counted[0]?.fileEvents} valid ones`)

    const lines = [
      '',
      `load average at the end: ${loadAverage()}`,
      `file: ${fileMb.toFixed(1)} MB, ${lineItems.toLocaleString('en-US')} line items, ${events.toLocaleString('en-US')} events stored`,
      `product file → stored (receive + preview job + commit job): ${seconds(total)}`,
      `  receive (POST /api/uploads to the web server, first byte → 201: into UploadFileChunk, sha256): ${seconds(web.receiveSeconds)}`,
      `  preview (file received → PREVIEW: job queued, picked up, file read and parsed, duplicate lookup, counts): ${seconds(previewSeconds)}`,
      opts.commitReadsFile
        ? `  commit (queued → COMMITTED: file read and parsed again, COPY in one transaction; --commit-reads-file): ${seconds(commitSeconds)}`
        : `  commit (queued → COMMITTED: the check's kept events read, COPY in one transaction): ${seconds(commitSeconds)}`,
    ]
    if (before && reparse !== null) {
      const stored = await storedRowsFloor(db.url, work, async (floorUrl) => {
        if (opts.withoutSearchIndexes) await dropSearchIndexes(floorUrl)
        await checkpoint(floorUrl)
      })
      floorDatabase = stored.database
      const storedRows = STORED_TABLES.map(
        (t) => `${t} ${(stored.rows[t] ?? 0).toLocaleString('en-US')}`,
      ).join(', ')
      const { copyInSeconds, copyOutSeconds } = stored.staging
      const staging = copyInSeconds + copyOutSeconds
      lines.push(
        `stored-rows floor: psql \\copy, one transaction, of the rows the product stored into a fresh database of its migrations: ${seconds(stored.seconds)}`,
        `  rows: ${storedRows}`,
        `ratio (file → stored / stored-rows floor): ${ratio(total, stored.seconds)}   without the preview: ${ratio(storing, stored.seconds)}   (target ≤ 1.5, moonshot 1.2)`,
        `plain floor: psql \\copy of the same file into a plain table: ${seconds(before.plain)}; with the order and customer trigram indexes: ${seconds(before.plainSearch)}`,
        `ratio (file → stored / plain floor): ${ratio(total, before.plain)}   without the preview: ${ratio(storing, before.plain)}`,
        `ratio against the plain floor with those trigram indexes: ${ratio(total, before.plainSearch)}   without the preview: ${ratio(storing, before.plainSearch)}`,
        `parse-only floor (the parser alone, file on disk): ${seconds(before.parse)}; preview ÷ it: ${ratio(previewSeconds, before.parse)}`,
        '',
        "parse once: what the commit reads instead of the file (both measured over this run's upload before its commit):",
        `  (a) the file again: the parser alone over the stored file (UploadFileChunk): ${seconds(reparse.withParse)} (of which reading the pieces alone takes ${seconds(reparse.readOnly)})`,
        ...(staged === null
          ? []
          : [
              `  (b) the check's kept events (UploadStagedChunk, gzip'd JSON): read and decoded in ${seconds(staged.seconds)}; ${mb(staged.mb)} stored beside the ${mb(fileMb)} file until the commit`,
              `  (a) ÷ (b): ${ratio(reparse.withParse, staged.seconds)}`,
            ]),
        `  (for comparison, staging as COPY rows in UNLOGGED tables: in ${seconds(copyInSeconds)} + out ${seconds(copyOutSeconds)} = ${seconds(staging)} of database time, decoding in Node not included)`,
      )
    }
    lines.push(
      `rows per second: ${Math.round(lineItems / total).toLocaleString('en-US')} line items/s`,
      '',
      `peak RSS of the web server process (VmHWM over its life; .next/web-server.mjs as npm start runs it): ${mb(web.maxRssMb)}   (target ≤ 200 MB): ${mb(webServer.startedRssMb)} once it answered, ${mb(web.readyRssMb)} signed in and idle before the first byte (peak until then ${mb(web.readyPeakMb)})`,
      `peak RSS of the worker process: ${mb(Math.max(workerPreviewMb, workerCommitMb))}   (target ≤ 400 MB): started ${mb(workerIdleMb)}, through the preview ${mb(workerPreviewMb)}, ${peakReset ? 'the commit alone' : 'through the commit'} ${mb(workerCommitMb)} (resident between them: ${mb(workerBetweenMb)}) (${memoryFlags(opts.heapMb)})`,
    )
    for (const l of lines) say(l)
    return { total, previewSeconds, commitSeconds }
  } finally {
    await worker?.stop()
    await webServer?.stop()
    await pool.end()
    if (floorDatabase) {
      const name = floorDatabase
      await withPg(db.url, (c) => c.query(`DROP DATABASE IF EXISTS "${name}"`)).catch(() => {})
    }
    await db.close()
    fs.rmSync(work, { recursive: true, force: true })
  }
}

/**
 * `--lanes`: two large uploads are received and their previews start (the large lane's two slots), then a 100-line
 * upload arrives: how long from received to PREVIEW. Again while the two large ones are being stored.
 */
export async function runLanesBenchmark(opts: BenchOptions) {
  const say = opts.say
  say(`load average at the start: ${loadAverage()} (${os.cpus().length} cores)`)
  const { work, db, env } = await prepare(opts)
  let worker: Worker | undefined
  const pool = benchPool(db.url)
  try {
    const large = [
      await benchFile(opts, work, 'a.csv', { ...opts, prefix: 'A' }),
      await benchFile(opts, work, 'b.csv', { ...opts, prefix: 'B' }),
    ]
    const small = (prefix: string) =>
      benchFile(opts, work, `${prefix}.csv`, {
        lineItems: 100,
        orders: 25,
        stores: Math.min(25, opts.stores),
        prefix,
      })
    const smallFiles = [await small('S1'), await small('S2')]
    await checkpoint(db.url)
    worker = await startWorker(env, opts.heapMb)

    const bigs = await Promise.all(large.map((f) => receiveInChild(env, f)))
    await Promise.all(
      bigs.map((b) => waitForUpload(pool, b.uploadId, (s) => s.status === 'PARSING' && running(s))),
    )
    const bigStates = async () =>
      (await Promise.all(bigs.map((b) => uploadState(pool, b.uploadId)))).map((s) => s.status).join(', ')

    const smallWait = async (file: string) => {
      const s = await receiveInChild(env, file)
      const started = await waitForUpload(pool, s.uploadId, (u) => u.status === 'PREVIEW' || running(u))
      const at = await waitForUpload(pool, s.uploadId, reached('PREVIEW'))
      return {
        seconds: (at - s.receivedAtMs) / 1000,
        started: (started - s.receivedAtMs) / 1000,
        large: await bigStates(),
      }
    }
    const duringPreview = await smallWait(smallFiles[0] as string)
    say(
      `100-line upload received → PREVIEW while the two large previews run: ${seconds(duringPreview.seconds)}, its job started after ${seconds(duringPreview.started)} (large uploads then: ${duringPreview.large})`,
    )

    const previewed = await Promise.all(bigs.map((b) => waitForUpload(pool, b.uploadId, reached('PREVIEW'))))
    const commitQueued = await Promise.all(bigs.map((b) => queueCommitJob(pool, b.uploadId)))
    await Promise.all(
      bigs.map((b) => waitForUpload(pool, b.uploadId, (s) => s.status === 'COMMITTING' && running(s))),
    )
    const duringCommit = await smallWait(smallFiles[1] as string)
    say(
      `100-line upload received → PREVIEW while the two large commits run: ${seconds(duringCommit.seconds)}, its job started after ${seconds(duringCommit.started)} (large uploads then: ${duringCommit.large})`,
    )
    const committed = await Promise.all(
      bigs.map((b) => waitForUpload(pool, b.uploadId, reached('COMMITTED'))),
    )
    const workerMb = peakRssMb(worker.pid)
    const span = (a: number[], b: number[]) =>
      a.map((x, i) => seconds(((b[i] as number) - x) / 1000)).join(' and ')
    const lines = [
      '',
      `load average at the end: ${loadAverage()}`,
      `large uploads: ${opts.lineItems.toLocaleString('en-US')} line items each; previews ${span(
        bigs.map((b) => b.receivedAtMs),
        previewed,
      )} after receipt, commits ${span(commitQueued, committed)} after queueing, at once in one worker (UPLOAD_JOB_CONCURRENCY ${process.env.UPLOAD_JOB_CONCURRENCY ?? 2})`,
      `small upload (100 lines) received → PREVIEW: ${seconds(duringPreview.seconds)} during the large previews, ${seconds(duringCommit.seconds)} during the large commits   (target ≤ 10 s)`,
      `peak RSS of the worker (two large jobs at once): ${mb(workerMb)} (${memoryFlags(opts.heapMb)})`,
    ]
    for (const l of lines) say(l)
    return { duringPreview: duringPreview.seconds, duringCommit: duringCommit.seconds }
  } finally {
    await worker?.stop()
    await pool.end()
    await db.close()
    fs.rmSync(work, { recursive: true, force: true })
  }
}
