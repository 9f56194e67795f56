import pg from 'pg'
import type { Caller } from '@/lib/auth/caller'
import { migrate } from '@/lib/db/migrate'
import { createScratchDatabase } from '@/lib/db/scratch'
import { getSaleEvents, salesPageSql } from '@/lib/sales/queries'
import { parseSalesSearchParams } from '@/lib/sales/search-params'

// `npm run bench:tables`: a million sale events (2.5 million line items, 10,000 batches) in a database of
// their own, then the sales table's real query (getSaleEvents: page + count) for each single filter with a
// sort and a page, as an admin and as a store manager. Prints median and p95 per case, each median as a
// multiple of the fastest case's (a figure that does not depend on the machine's speed), and EXPLAIN ANALYZE
// of the slowest.

export type TablesBenchOptions = {
  events: number
  runs: number
  say: (line: string) => void
}

const ZONES = [
  'America/New_York',
  'Europe/Berlin',
  'Australia/Sydney',
  'Europe/London',
  'America/Los_Angeles',
]
const STORES = 20
const EVENTS_PER_UPLOAD = 5_000

function database(say: (s: string) => void) {
  return createScratchDatabase('bench_tables', say)
}

// ordered ids of the UUIDv7 shape, so the events append to their primary key like real ones
const id = (prefix: string, n: string) => `('${prefix}-0000-7000-8000-' || lpad(to_hex(${n}), 12, '0'))::uuid`

/** the seed: set-based INSERT … SELECT generate_series, secondary indexes built once afterwards */
export async function seedMillion(c: pg.Client, events: number, say: (s: string) => void) {
  const t0 = Date.now()
  const { rows: indexes } = await c.query<{ name: string; def: string }>(
    `SELECT indexname AS name, indexdef AS def FROM pg_indexes
     WHERE tablename IN ('SaleEvent', 'SaleEventSearch', 'LineItem', 'BatchEvent') AND indexname NOT LIKE '%_pkey'
       AND indexdef NOT LIKE 'CREATE UNIQUE%'`,
  )
  for (const i of indexes) await c.query(`DROP INDEX "${i.name}"`)
  await c.query(`SET maintenance_work_mem = '512MB'`)
  await c.query(`INSERT INTO "Store" (id, code, name, "timeZone", currency, locale, "updatedAt")
    SELECT ${id('01900000', 's')}, 'ST-' || lpad(s::text, 3, '0'), 'Bench store ' || s,
      (ARRAY[${ZONES.map((z) => `'${z}'`).join(',')}])[1 + s % ${ZONES.length}], 'USD', 'en-US', now()
    FROM generate_series(1, ${STORES}) s`)
  await c.query(`INSERT INTO "ConstructorConnection" (id, "baseUrl", "apiKey", "updatedAt")
    VALUES (${id('01900001', '1')}, 'http://127.0.0.1:9', 'bench', now())`)
  const uploads = Math.ceil(events / EVENTS_PER_UPLOAD)
  await c.query(`INSERT INTO "Upload" (id, "fileName", "sizeBytes", sha256, "storeId", status, "updatedAt")
    SELECT ${id('01900002', 'u')}, 'sales-' || u || '.csv', 1000000, lpad(to_hex(u), 64, '0'),
      ${id('01900000', `1 + u % ${STORES}`)}, 'COMMITTED', now()
    FROM generate_series(0, ${uploads - 1}) u`)
  // statuses: 80% submitted, 8% ready, 5% invalid, 2% failed, 2% queued, 3% excluded
  await c.query(`INSERT INTO "Batch" (id, "connectionId", status, "eventCount", attempts, "lastHttpStatus", "createdAt", "updatedAt", "finishedAt")
    SELECT ${id('01900003', 'b')}, ${id('01900001', '1')},
      (CASE WHEN b % 50 = 7 THEN 'QUEUED' WHEN b % 50 = 3 THEN 'FAILED' ELSE 'SUCCEEDED' END)::"BatchStatus",
      100, 1, 200, now() - (${events / 100} - b) * interval '50 minutes', now(), now()
    FROM generate_series(0, ${Math.ceil(events / 100) - 1}) b`)
  await c.query(`INSERT INTO "SaleEvent" (id, kind, "storeId", "orderId", "occurredAt", "customerId", revenue, status,
      issues, "lastError", version, "itemCount", "itemsTotal", "submittedAt", "openBatchId", "uploadId", "createdAt", "updatedAt")
    SELECT ${id('01900004', 'g')}, k.kind, ${id('01900000', `1 + (g / ${EVENTS_PER_UPLOAD}) % ${STORES}`)},
      'ORD-' || lpad(g::text, 8, '0'),
      CASE WHEN st.s = 'INVALID' AND g % 3 = 0 THEN NULL ELSE now() - (${events} - g) * interval '30 seconds' END,
      CASE WHEN g % 5 < 3 THEN 'CUST-' || ((g * 7919) % 200000) END,
      NULL, st.s::"EventStatus",
      CASE WHEN st.s = 'INVALID' AND g % 3 = 0 THEN '[{"field":"occurredAt","message":"Sale date is missing — add the date and time of the sale in column ''date''"}]'::jsonb
           WHEN st.s = 'INVALID' THEN '[{"field":"lineItems.0.unitPrice","message":"Price is missing — add the unit price in column ''price''"}]'::jsonb
           ELSE '[]'::jsonb END,
      CASE WHEN st.s = 'FAILED' THEN 'item_id at index ' || (g % 100) || ' is not allowed' END,
      1, 1 + g % 4, ((1 + g % 4) * (5 + g % 90))::numeric + 0.99,
      CASE WHEN st.s = 'SUBMITTED' THEN now() END,
      CASE WHEN st.s = 'QUEUED' THEN ${id('01900003', 'g / 100')} END,
      ${id('01900002', `g / ${EVENTS_PER_UPLOAD}`)}, now(), now()
    FROM generate_series(0::bigint, ${events - 1}) g,
      LATERAL (SELECT CASE WHEN g % 13 = 0 THEN 'RETURN' ELSE 'PURCHASE' END::"EventKind" AS kind) k,
      LATERAL (SELECT CASE WHEN (g * 37 + 11) % 100 < 80 THEN 'SUBMITTED' WHEN (g * 37 + 11) % 100 < 88 THEN 'READY'
        WHEN (g * 37 + 11) % 100 < 93 THEN 'INVALID' WHEN (g * 37 + 11) % 100 < 95 THEN 'FAILED'
        WHEN (g * 37 + 11) % 100 < 97 THEN 'QUEUED' ELSE 'EXCLUDED' END AS s) st`)
  say(`  events: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  await c.query(`INSERT INTO "LineItem" (id, "eventId", "lineNumber", role, "itemId", "itemName", "unitPrice", quantity)
    SELECT ${id('01900005', `(g * 4 + n)`)}, ${id('01900004', 'g')}, n,
      (CASE WHEN g % 13 = 0 THEN 'RETURNED' ELSE 'PURCHASED' END)::"LineItemRole",
      'SKU-' || lpad(((g * 31 + n * 17) % 5000)::text, 5, '0'), 'Item ' || ((g * 31 + n * 17) % 5000),
      CASE WHEN n = 1 AND (g * 37 + 11) % 100 BETWEEN 88 AND 92 AND g % 3 <> 0 THEN NULL ELSE (5 + g % 90)::numeric + 0.99 END,
      1 + n % 3
    FROM generate_series(0::bigint, ${events - 1}) g, generate_series(1, 1 + g % 4) n`)
  say(`  line items: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  await c.query(`INSERT INTO "BatchEvent" ("batchId", "eventId", position, outcome, error)
    SELECT ${id('01900003', 'g / 100')}, e.id, g % 100,
      e.status::text::"BatchEventOutcome", e."lastError"
    FROM "SaleEvent" e, LATERAL (SELECT ('x' || right(replace(e.id::text, '-', ''), 12))::bit(48)::bigint AS g) n
    WHERE e.status IN ('SUBMITTED', 'FAILED')`)
  // QUEUED events are in their open batch through openBatchId (BatchEvent rows are written at the outcome); every
  // batch keeps the ids and stores of the events it was made with
  await c.query(`UPDATE "Batch" b SET "eventIds" = m.ids, "storeIds" = m.stores
    FROM (SELECT ${id('01900003', 'n.g / 100')} AS id, array_agg(e.id ORDER BY e.id) AS ids,
            array_agg(DISTINCT e."storeId") AS stores
          FROM "SaleEvent" e, LATERAL (SELECT ('x' || right(replace(e.id::text, '-', ''), 12))::bit(48)::bigint AS g) n
          GROUP BY 1) m
    WHERE b.id = m.id`)
  say(`  batch events: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  for (const i of indexes) await c.query(i.def)
  say(`  indexes: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  await c.query('VACUUM (ANALYZE)')
  say(`seeded ${events.toLocaleString('en-US')} events in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
}

type Case = { name: string; filter: string; caller: 'admin' | 'manager'; query: string }

function cases(storeCode: string, uploadId: string, batchId: string): Case[] {
  const today = new Date().toISOString().slice(0, 10)
  const weekAgo = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10)
  const c: Case[] = []
  const filters: [string, string][] = [
    ['no filter', ''],
    ['status=INVALID', 'status=INVALID'],
    ['status=SUBMITTED', 'status=SUBMITTED'],
    ['status=FAILED,INVALID', 'status=FAILED,INVALID'],
    [`store=${storeCode}`, `store=${storeCode}`],
    ['kind=RETURN', 'kind=RETURN'],
    ['last 7 days', `from=${weekAgo}&to=${today}`],
    ['one upload', `upload=${uploadId}`],
    ['one batch', `batch=${batchId}`],
    ['search order id', 'q=0012345'],
    ['search item id', 'q=SKU-01234'],
    ['search customer', 'q=CUST-19999'],
    ['reason price-missing', 'reason=price-missing'],
  ]
  const sorts = ['', 'sort=orderId.asc', 'sort=revenue.desc']
  for (const [name, f] of filters) {
    for (const [si, s] of sorts.entries()) {
      for (const page of [1, 5]) {
        for (const who of ['admin', 'manager'] as const) {
          // the manager's store filter would be a no-op; use it for the admin only
          if (who === 'manager' && name.startsWith('store=')) continue
          const query = [f, s, page > 1 ? `page=${page}` : ''].filter(Boolean).join('&')
          c.push({
            name: `${who} · ${name} · ${['time', 'order', 'revenue'][si]} · p${page}`,
            filter: name,
            caller: who,
            query,
          })
        }
      }
    }
  }
  return c
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0

export async function runTablesBenchmark(opts: TablesBenchOptions) {
  const { say } = opts
  // BENCH_REUSE_URL: a database an earlier run kept (BENCH_KEEP=1), measured again without seeding
  const reuse = process.env.BENCH_REUSE_URL
  const database_ = reuse ? { url: reuse, close: async () => {} } : await database(say)
  try {
    if (!reuse) await migrate(database_.url)
    const c = new pg.Client({ connectionString: database_.url })
    c.on('error', () => {}) // the server stopping at the end is not news
    await c.connect()
    if (!reuse) await seedMillion(c, opts.events, say)
    const storeIds = (await c.query<{ id: string }>('SELECT id::text FROM "Store" ORDER BY code')).rows.map(
      (r) => r.id,
    )
    const store = (
      await c.query<{ code: string; id: string }>(
        `SELECT code, id::text FROM "Store" ORDER BY code OFFSET 3 LIMIT 1`,
      )
    ).rows[0]!
    const upload = (
      await c.query<{ id: string }>(`SELECT id::text FROM "Upload" WHERE "storeId" = $1 LIMIT 1`, [store.id])
    ).rows[0]!
    const batch = (
      await c.query<{ id: string }>(
        `SELECT id::text FROM "Batch" ORDER BY id OFFSET (SELECT count(*) / 2 FROM "Batch") LIMIT 1`,
      )
    ).rows[0]!
    await c.end()

    process.env.DATABASE_URL = database_.url
    const callers: Record<'admin' | 'manager', Caller> = {
      admin: {
        userId: 'bench',
        email: 'admin@bench',
        name: 'Bench',
        role: 'ADMIN',
        storeIds,
        allStores: true,
        mustChangePassword: false,
      },
      manager: {
        userId: 'bench',
        email: 'manager@bench',
        name: 'Bench',
        role: 'MANAGER',
        storeIds: [store.id],
        allStores: false,
        mustChangePassword: false,
      },
    }
    const measured = cases(store.code, upload.id, batch.id).map((k) => {
      const params = parseSalesSearchParams(new URLSearchParams(k.query))
      return { ...k, params, caller: callers[k.caller], times: [] as number[], rows: 0, count: '' }
    })
    for (const m of measured) await getSaleEvents(m.caller, m.params) // warm
    // run i of every case before run i + 1 of any: a machine shared with other work slows all cases alike,
    // so the ratios between cases hold even when the absolute times do not
    for (let i = 0; i < opts.runs; i++) {
      for (const m of measured) {
        const t = performance.now()
        const page = await getSaleEvents(m.caller, m.params)
        m.times.push(performance.now() - t)
        m.rows = page.rows.length
        m.count = `${page.countCapped ? '>' : ''}${Math.min(page.rowCount, 10_000)}`
      }
    }
    const results = measured.map((m) => {
      const times = m.times.toSorted((a, b) => a - b)
      return { ...m, times, median: quantile(times, 0.5), p95: quantile(times, 0.95) }
    })
    const all = results.flatMap((r) => r.times).sort((a, b) => a - b)
    const fastest = results.reduce((a, b) => (b.median < a.median ? b : a))
    const ratio = (ms: number) => `${(ms / fastest.median).toFixed(1)}×`
    say('')
    say('| case | median ms | p95 ms | median ÷ fastest | rows | count |')
    say('| --- | ---: | ---: | ---: | ---: | ---: |')
    for (const r of results)
      say(
        `| ${r.name} | ${r.median.toFixed(1)} | ${r.p95.toFixed(1)} | ${ratio(r.median)} | ${r.rows} | ${r.count} |`,
      )
    say('')
    say(
      '| filter | typical median ms | worst median ms | worst p95 ms | typical ÷ fastest | worst ÷ fastest |',
    )
    say('| --- | ---: | ---: | ---: | ---: | ---: |')
    for (const filter of new Set(results.map((r) => r.filter))) {
      const group = results.filter((r) => r.filter === filter)
      const medians = group.map((r) => r.median).sort((a, b) => a - b)
      const typical = quantile(medians, 0.5)
      const worst = medians.at(-1) ?? 0
      const worstP95 = Math.max(...group.map((r) => r.p95))
      say(
        `| ${filter} | ${typical.toFixed(1)} | ${worst.toFixed(1)} | ${worstP95.toFixed(1)} | ${ratio(typical)} | ${ratio(worst)} |`,
      )
    }
    const worstMedian = results.reduce((a, b) => (b.median > a.median ? b : a))
    const worstP95 = results.reduce((a, b) => (b.p95 > a.p95 ? b : a))
    say('')
    say(
      `all ${results.length} cases × ${opts.runs} runs: median ${quantile(all, 0.5).toFixed(1)} ms, p95 ${quantile(all, 0.95).toFixed(1)} ms`,
    )
    say(`fastest case by median: ${fastest.name}: median ${fastest.median.toFixed(1)} ms`)
    say(
      `slowest case by median: ${worstMedian.name}: median ${worstMedian.median.toFixed(1)} ms (budget 100), ${ratio(worstMedian.median)} the fastest, p95 ${worstMedian.p95.toFixed(1)} ms`,
    )
    say(`slowest case by p95: ${worstP95.name}: p95 ${worstP95.p95.toFixed(1)} ms (budget 300)`)
    const ok = results.every((r) => r.median <= 100 && r.p95 <= 300)
    say(ok ? 'every case within budget (median ≤ 100 ms, p95 ≤ 300 ms)' : 'SOME CASES OVER BUDGET')
    const { db, Prisma } = await import('@/lib/db')
    const q = await salesPageSql(worstP95.caller, worstP95.params)
    for (const [label, statement] of [
      ['page', q.page],
      ['count', q.count],
    ] as const) {
      const plan = await db.$queryRaw<{ 'QUERY PLAN': string }[]>(
        Prisma.sql`EXPLAIN (ANALYZE, BUFFERS) ${statement}`,
      )
      say('')
      say(`EXPLAIN ANALYZE (${label}) of the slowest case, ${worstP95.name}:`)
      for (const line of plan) say(`    ${line['QUERY PLAN']}`)
    }
    await db.$disconnect()
    return { ok, results }
  } catch (error) {
    say(`benchmark failed: ${(error as Error).stack ?? error}`)
    return { ok: false, results: [] }
  } finally {
    if (process.env.BENCH_KEEP === '1') say(`kept: ${database_.url}`)
    else await database_.close()
  }
}
