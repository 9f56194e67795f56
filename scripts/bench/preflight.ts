// `npm run bench:preflight`: what the catalog pre-flight adds to submitting 100,000 sales, with a cold cache and a
// warm one, against the submission of the same sales in the same run (submit → queue → worker process → sandbox
// process, until every sale is SUBMITTED). The sandbox answers both endpoints with the same latency.
// BENCH_EVENTS (100,000), BENCH_SKUS (distinct item ids, 5,000), BENCH_LATENCY_MS (50), BENCH_CONCURRENCY (16).
import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { checkCatalogItems, selectionItemIds } from '@/lib/catalog/preflight'
import { CONTROL_TOKEN_HEADER } from '@/lib/constructor/sandbox/server'
import { createPrismaClient } from '@/lib/db'
import { freePort } from '@/lib/db/embedded'
import { migrate } from '@/lib/db/migrate'
import { createScratchDatabase } from '@/lib/db/scratch'
import { workerProcess } from '@/lib/process/worker-process'
import { ensureQueueSchema } from '@/lib/submission/queue'
import { prismaQueryable, SQL_UUID_V7 } from '@/lib/submission/sql'
import { submitEvents } from '@/lib/submission/submit'
import { createConnection, createStore, ensureEncryptionKey, withPg } from '@/lib/submission/testing'

const num = (v: string | undefined, d: number) => (v ? Number(v) : d)
const EVENTS = num(process.env.BENCH_EVENTS, 100_000)
const SKUS = num(process.env.BENCH_SKUS, 5_000)
const LATENCY_MS = num(process.env.BENCH_LATENCY_MS, 50)
const CONCURRENCY = num(process.env.BENCH_CONCURRENCY, 16)
const say = (line: string) => process.stdout.write(`${line}\n`)

/** a node process of the product: the worker with its memory flags (lib/process/worker-process.ts), others under tsx */
function child(name: string, script: string, env: Record<string, string>): ChildProcess {
  const worker = script === 'scripts/worker.ts' ? workerProcess({ ...process.env, ...env }) : null
  const args = worker?.args ?? ['--import', 'tsx', script]
  const p = spawn(process.execPath, args, {
    env: { ...process.env, ...worker?.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  p.stderr?.on('data', (d: Buffer) => {
    const text = d.toString()
    if (/"level":\s*"?(error|50|60)/.test(text) || /Error/.test(text))
      process.stderr.write(`[${name}] ${text}`)
  })
  return p
}

async function waitUntil(fn: () => Promise<boolean>, timeoutMs: number, intervalMs = 50) {
  const until = Date.now() + timeoutMs
  while (!(await fn())) {
    if (Date.now() > until) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

const seconds = (from: number) => (performance.now() - from) / 1000

say(
  `load average at the start: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (${os.cpus().length} cores)`,
)
ensureEncryptionKey()
const db = await createScratchDatabase('bench', say)
const prisma = createPrismaClient(db.url)
const procs: ChildProcess[] = []
try {
  await migrate(db.url)
  await ensureQueueSchema(db.url)
  const port = await freePort()
  const token = `bench-${randomUUID().slice(0, 8)}`
  const controlToken = `ctl-${randomUUID().slice(0, 8)}`
  // one SKU in ten is not in the catalog: they are checked like the rest, and sent anyway (see below)
  const missing = Array.from(
    { length: Math.ceil(SKUS / 10) },
    (_, i) => `SKU-${String(i * 10).padStart(6, '0')}`,
  )
  procs.push(
    child('sandbox', 'scripts/sandbox.ts', {
      SANDBOX_PORT: String(port),
      SANDBOX_TOKEN: token,
      SANDBOX_CONTROL_TOKEN: controlToken,
      SANDBOX_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'ss-bench-preflight-')),
      SANDBOX_FSYNC: 'false',
      SANDBOX_CATALOG: 'open',
      SANDBOX_CATALOG_MISSING: missing.join(','),
      ...(LATENCY_MS > 0 && { SANDBOX_LATENCY_MS: String(LATENCY_MS) }),
      LOG_LEVEL: 'warn',
    }),
  )
  const sandboxUrl = `http://127.0.0.1:${port}`
  const control = (p: string) =>
    fetch(`${sandboxUrl}${p}`, { headers: { [CONTROL_TOKEN_HEADER]: controlToken } })
  await waitUntil(async () => (await control('/_sandbox/health').catch(() => null))?.ok === true, 20_000)

  const { connectionId, storeId } = await withPg(db.url, async (c) => {
    const connectionId = await createConnection(c, {
      baseUrl: sandboxUrl,
      token,
      maxConcurrency: CONCURRENCY,
      maxRequestsPerSecond: 100_000,
    })
    // sent anyway: the submission measured is the same 100,000 sales whatever the catalog says
    await c.query(`UPDATE "ConstructorConnection" SET "holdUnknownItems" = false WHERE id = $1::uuid`, [
      connectionId,
    ])
    const storeId = await createStore(c, 'BENCH-PF')
    await c.query(
      `WITH ev AS (
         INSERT INTO "SaleEvent" (id, kind, "storeId", "orderId", "occurredAt", status, "itemCount", "itemsTotal", "updatedAt")
         SELECT ${SQL_UUID_V7}, 'PURCHASE', $1::uuid, 'PF-' || lpad(g::text, 7, '0'),
           timestamptz '2026-11-01 10:00:00+00' + g * interval '1 second', 'READY', 1, 19.99, now()
         FROM generate_series(0, $2::int - 1) AS g
         RETURNING id, "orderId"
       )
       INSERT INTO "LineItem" (id, "eventId", "lineNumber", role, "itemId", "itemName", "unitPrice", quantity)
       SELECT ${SQL_UUID_V7}, ev.id, 1, 'PURCHASED', 'SKU-' || lpad((right(ev."orderId", 7)::int % $3::int)::text, 6, '0'),
         'Item', 19.99, 1
       FROM ev`,
      [storeId, EVENTS, SKUS],
    )
    await c.query('ANALYZE "SaleEvent"; ANALYZE "LineItem"')
    await c.query('CHECKPOINT')
    return { connectionId, storeId }
  })
  say(`seeded ${EVENTS.toLocaleString('en-US')} READY sales over ${SKUS.toLocaleString('en-US')} item ids`)
  procs.push(
    child('worker', 'scripts/worker.ts', {
      DATABASE_URL: db.url,
      ENCRYPTION_KEY: process.env.ENCRYPTION_KEY as string,
      SUBMIT_WORKER_CONCURRENCY: String(CONCURRENCY * 2),
      LOG_LEVEL: 'warn',
    }),
  )
  await withPg(db.url, (c) =>
    waitUntil(async () => {
      const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM "WorkerHeartbeat"')
      return (rows[0]?.n ?? 0) >= 1
    }, 30_000),
  )

  // the Prisma client's first query opens its connections: not part of what is measured
  await prisma.$queryRaw`SELECT 1`
  // the pre-flight exactly as submit runs it: the selection's item ids, then the cache and GET /v2/items
  const where = `e."storeId" = $1::uuid`
  const preflight = async () => {
    const t = performance.now()
    const ids = await selectionItemIds(prisma, where, [storeId])
    const check = await checkCatalogItems(connectionId, ids, { q: prismaQueryable(prisma) })
    return { seconds: seconds(t), check, ids: ids.length }
  }
  const cold = await preflight()
  const warm = await preflight()
  if (cold.check.status !== 'checked' || cold.check.unknown.size !== missing.length)
    throw new Error(`the cold check went wrong: ${cold.check.status}, ${cold.check.unknown.size} unknown`)
  const stats = (await (await control('/_sandbox/stats')).json()) as { catalogRequests: number }

  const caller = { userId: randomUUID(), role: 'ADMIN' as const, storeIds: [storeId], allStores: false }
  const started = performance.now()
  const submitted = await submitEvents(caller, { scope: 'all', connectionId }, { db: prisma })
  const claimed = seconds(started)
  await withPg(db.url, (c) =>
    waitUntil(async () => {
      const { rows } = await c.query<{ open: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM "Batch" WHERE status IN ('QUEUED', 'SENDING', 'RETRY_WAIT')) AS open`,
      )
      return rows[0]?.open === false
    }, 900_000),
  )
  const submission = seconds(started)
  const sent = await withPg(db.url, async (c) => {
    const { rows } = await c.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "SaleEvent" WHERE "storeId" = $1::uuid AND status = 'SUBMITTED'`,
      [storeId],
    )
    return rows[0]?.n ?? 0
  })
  if (sent !== EVENTS || submitted.eventCount !== EVENTS)
    throw new Error(`not every sale was submitted: ${sent} of ${EVENTS}`)
  const per100k = (s: number) => (s * 100_000) / EVENTS
  const pct = (part: number) => `${((100 * part) / submission).toFixed(1)} %`
  say(
    [
      `catalog pre-flight of ${EVENTS.toLocaleString('en-US')} sales (${cold.ids.toLocaleString('en-US')} item ids, ${stats.catalogRequests} lookups of ≤ 1,000 ids, sandbox latency ${LATENCY_MS} ms):`,
      `  cold cache: ${cold.seconds.toFixed(2)} s (${per100k(cold.seconds).toFixed(2)} s per 100,000 sales) = ${pct(cold.seconds)} of the submission`,
      `  warm cache: ${warm.seconds.toFixed(2)} s (${per100k(warm.seconds).toFixed(2)} s per 100,000 sales) = ${pct(warm.seconds)} of the submission (${warm.check.cacheHits} cache hits, ${warm.check.looked} asked)`,
      `  submission of the same sales (submit with a warm pre-flight, then the worker until all SUBMITTED, concurrency ${CONCURRENCY}): ${submission.toFixed(2)} s (claim ${claimed.toFixed(2)} s, ${submitted.batchCount} batches)`,
      `  load average at the end: ${os.loadavg()[0]?.toFixed(2)}`,
    ].join('\n'),
  )
} finally {
  for (const p of procs) p.kill('SIGTERM')
  await new Promise((r) => setTimeout(r, 500))
  await prisma.$disconnect()
  await db.close().catch(() => {})
}
process.exit(0)
