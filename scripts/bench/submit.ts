import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createConstructorClient } from '@/lib/constructor/client'
import { buildAction } from '@/lib/constructor/payload'
import { CONTROL_TOKEN_HEADER } from '@/lib/constructor/sandbox/server'
import { createPrismaClient } from '@/lib/db'
import { freePort } from '@/lib/db/embedded'
import { migrate } from '@/lib/db/migrate'
import { createScratchDatabase } from '@/lib/db/scratch'
import { workerProcess } from '@/lib/process/worker-process'
import { ensureQueueSchema } from '@/lib/submission/queue'
import { submitEvents } from '@/lib/submission/submit'
import {
  createConnection,
  createStore,
  ensureEncryptionKey,
  seedReadyEvents,
  withPg,
} from '@/lib/submission/testing'

// `npm run bench:submit`: 250,000 READY events through submit → queue → worker process → sandbox process,
// once with 0 ms latency and once with 50 ms. After each, a minimal sender sends the same number of requests of
// the same events, built beforehand, to the same sandbox at the same concurrency: the measured floor.

export type BenchOptions = {
  events: number
  concurrency: number
  latencyMs: number
  workerConcurrency: number
  workers: number
  say: (line: string) => void
}

type RunFigures = {
  latencyMs: number
  submitSeconds: number
  sendSeconds: number
  totalSeconds: number
  eventsPerSecond: number
  sendEventsPerSecond: number
  /** batches × latency ÷ concurrency: the wire alone */
  floorSeconds: number
  /** the minimal sender's time for the same requests, measured in this run */
  measuredFloorSeconds: number
}

function database(say: (s: string) => void) {
  return createScratchDatabase('bench', say)
}

function child(name: string, script: string, env: Record<string, string>): ChildProcess {
  // BENCH_NODE_ARGS: extra node flags for the worker and sandbox processes, e.g. '--cpu-prof --cpu-prof-dir=prof'
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)
  // the worker with its memory flags, as `npm start` starts it (lib/process/worker-process.ts)
  const worker = script === 'scripts/worker.ts' ? workerProcess({ ...process.env, ...env }) : null
  const args = worker?.args ?? ['--import', 'tsx', script]
  const p = spawn(process.execPath, [...extra, ...args], {
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

// CPU time by process kind (Linux /proc; empty elsewhere), to show where sending spends the machine's cores
type CpuSample = { at: number; byKind: Record<string, number>; idle: number; total: number }
function sampleCpu(): CpuSample | null {
  try {
    const byKind: Record<string, number> = {}
    for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      let cmd: string
      let stat: string
      try {
        cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')
        stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
      } catch {
        continue
      }
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const ticks = Number(f[11]) + Number(f[12])
      const kind = /worker\.ts/.test(cmd)
        ? 'worker'
        : /sandbox\.ts/.test(cmd)
          ? 'sandbox'
          : /^postgres/.test(cmd) || /bin\/postgres /.test(cmd)
            ? 'database'
            : Number(pid) === process.pid
              ? 'benchmark'
              : 'other'
      byKind[kind] = (byKind[kind] ?? 0) + ticks
    }
    const cpu = (fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number)
    return {
      at: Date.now(),
      byKind,
      idle: (cpu[3] ?? 0) + (cpu[4] ?? 0),
      total: cpu.reduce((a, b) => a + b, 0),
    }
  } catch {
    return null
  }
}

function cpuLine(a: CpuSample | null, b: CpuSample | null) {
  if (!a || !b) return null
  const hz = 100 // USER_HZ: /proc reports clock ticks of 1/100 s on Linux
  const kinds = ['worker', 'sandbox', 'database', 'benchmark', 'other']
  const parts = kinds.map((k) => `${k} ${(((b.byKind[k] ?? 0) - (a.byKind[k] ?? 0)) / hz).toFixed(1)} s`)
  const idle = (100 * (b.idle - a.idle)) / Math.max(1, b.total - a.total)
  return `  CPU while sending (${os.cpus().length} cores, ${idle.toFixed(0)} % idle): ${parts.join(', ')}`
}

const seededEvent = (orderId: string, second: number) =>
  buildAction({
    kind: 'PURCHASE',
    orderId,
    occurredAt: new Date(Date.UTC(2026, 10, 1, 10, 0, second)),
    customerId: null,
    revenue: null,
    returnExpenses: null,
    refund: null,
    returnShippingCost: null,
    returnReason: null,
    returnType: null,
    returnPreference: null,
    returnDropOff: null,
    store: { code: 'FLOOR', latitude: '40.7233', longitude: '-74.0030' },
    lineItems: [
      {
        lineNumber: 1,
        role: 'PURCHASED',
        itemId: 'SKU-TEE-BLK',
        itemName: 'Classic tee, black',
        variationId: null,
        unitPrice: '19.99',
        quantity: 1,
      },
    ],
  })

// The measured floor: the same number of requests of 100 events like the seeded ones, serialised beforehand and
// sent back to back by `concurrency` loops through the product's HTTP client. No database, no queue, no pacer.
async function measureFloor(o: {
  baseUrl: string
  token: string
  events: number
  concurrency: number
  prefix: string
}) {
  const bodies: string[] = []
  for (let start = 0; start < o.events; start += 100) {
    const actions = []
    for (let i = start; i < Math.min(o.events, start + 100); i++)
      actions.push(seededEvent(`${o.prefix}${String(i).padStart(7, '0')}`, i % 60))
    bodies.push(JSON.stringify({ behavioral_actions: actions }))
  }
  const client = createConstructorClient({
    baseUrl: o.baseUrl,
    apiKey: 'test-key',
    token: o.token,
    maxSockets: o.concurrency,
  })
  let next = 0
  const started = Date.now()
  await Promise.all(
    Array.from({ length: o.concurrency }, async () => {
      for (let body = bodies[next++]; body !== undefined; body = bodies[next++]) {
        const outcome = await client.submitJson(body)
        if (outcome.kind !== 'accepted')
          throw new Error(`the floor's request was not accepted: ${outcome.kind}`)
      }
    }),
  )
  const seconds = (Date.now() - started) / 1000
  client.close()
  return { seconds, requests: bodies.length }
}

async function waitUntil(fn: () => Promise<boolean>, timeoutMs: number, intervalMs = 50) {
  const until = Date.now() + timeoutMs
  while (!(await fn())) {
    if (Date.now() > until) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}

// BENCH_STATEMENTS=1 (with EMBEDDED_PG_SETTINGS='shared_preload_libraries=pg_stat_statements' for the embedded
// server): where the database's time went, statement by statement, over both runs
async function printTopStatements(url: string, say: (line: string) => void) {
  await withPg(url, async (c) => {
    await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements')
    const { rows } = await c.query<{ ms: number; calls: number; mean: number; rows: number; query: string }>(
      `SELECT round(total_exec_time + total_plan_time)::int AS ms, calls::int, round((mean_exec_time + mean_plan_time)::numeric, 3)::float8 AS mean,
         rows::int, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query
       FROM pg_stat_statements ORDER BY total_exec_time + total_plan_time DESC LIMIT 15`,
    )
    say('top statements by database time (ms total, calls, ms mean, rows, statement):')
    for (const r of rows) say(`  ${r.ms}\t${r.calls}\t${r.mean}\t${r.rows}\t${r.query}`)
  })
}

export async function runSubmitBenchmark(opts: BenchOptions) {
  const say = opts.say
  say(
    `load average at the start: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} (${os.cpus().length} cores)`,
  )
  ensureEncryptionKey()
  const db = await database(say)
  const procs: ChildProcess[] = []
  const prisma = createPrismaClient(db.url)
  try {
    await migrate(db.url)
    await ensureQueueSchema(db.url)
    const port = await freePort()
    const token = `bench-${randomUUID().slice(0, 8)}`
    const controlToken = `ctl-${randomUUID().slice(0, 8)}`
    const sandboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-bench-sandbox-'))
    procs.push(
      child('sandbox', 'scripts/sandbox.ts', {
        SANDBOX_PORT: String(port),
        SANDBOX_TOKEN: token,
        SANDBOX_CONTROL_TOKEN: controlToken,
        SANDBOX_DATA_DIR: sandboxDir,
        SANDBOX_FSYNC: 'false',
        LOG_LEVEL: 'warn',
      }),
    )
    const sandboxUrl = `http://127.0.0.1:${port}`
    const control = (p: string, body?: unknown) =>
      fetch(`${sandboxUrl}${p}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { [CONTROL_TOKEN_HEADER]: controlToken, 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      })
    await waitUntil(async () => (await control('/_sandbox/health').catch(() => null))?.ok === true, 20_000)

    const connectionId = await withPg(db.url, (c) =>
      createConnection(c, {
        baseUrl: sandboxUrl,
        token,
        maxConcurrency: opts.concurrency,
        maxRequestsPerSecond: 100_000,
      }),
    )
    for (let i = 0; i < opts.workers; i++) {
      procs.push(
        child(`worker${i}`, 'scripts/worker.ts', {
          DATABASE_URL: db.url,
          ENCRYPTION_KEY: process.env.ENCRYPTION_KEY as string,
          SUBMIT_WORKER_CONCURRENCY: String(opts.workerConcurrency),
          LOG_LEVEL: 'warn',
        }),
      )
    }
    await withPg(db.url, (c) =>
      waitUntil(async () => {
        const { rows } = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM "WorkerHeartbeat"')
        return (rows[0]?.n ?? 0) >= opts.workers
      }, 30_000),
    )

    const results: RunFigures[] = []
    for (const latencyMs of [0, opts.latencyMs]) {
      await control('/_sandbox/faults', { latency: latencyMs > 0 ? { fixedMs: latencyMs } : null })
      const code = `BENCH-${latencyMs}`
      const t0 = Date.now()
      const storeId = await withPg(db.url, async (c) => {
        const id = await createStore(c, code)
        await seedReadyEvents(c, id, opts.events, { orderPrefix: `${code}-` })
        await c.query('ANALYZE "SaleEvent"; ANALYZE "LineItem"')
        // the seeding's dirty pages are written now, not by a checkpoint in the middle of the measurement (which
        // would also make the next change of every page write a whole-page image to the WAL)
        await c.query('CHECKPOINT')
        return id
      })
      say(
        `seeded ${opts.events.toLocaleString('en-US')} READY events in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
      )
      const caller = { userId: randomUUID(), role: 'ADMIN' as const, storeIds: [storeId], allStores: false }
      const started = Date.now()
      const submitted = await submitEvents(caller, { scope: 'all', connectionId }, { db: prisma })
      const submitDone = Date.now()
      const cpuBefore = sampleCpu()
      await withPg(db.url, (c) =>
        waitUntil(async () => {
          // EXISTS stops at the first open batch: polling 20 times a second costs the database next to nothing
          const { rows } = await c.query<{ open: boolean }>(
            `SELECT EXISTS (SELECT 1 FROM "Batch" WHERE status IN ('QUEUED', 'SENDING', 'RETRY_WAIT')) AS open`,
          )
          return rows[0]?.open === false
        }, 600_000),
      )
      const finished = Date.now()
      const cpuAfter = sampleCpu()
      const check = await withPg(db.url, (c) =>
        c.query<{ status: string; n: number }>(
          `SELECT status::text, count(*)::int AS n FROM "SaleEvent" WHERE "storeId" = $1::uuid GROUP BY 1`,
          [storeId],
        ),
      )
      const byStatus = Object.fromEntries(check.rows.map((r) => [r.status, r.n]))
      if (byStatus.SUBMITTED !== opts.events)
        throw new Error(`not all events submitted: ${JSON.stringify(byStatus)}`)
      const sendSeconds = (finished - submitDone) / 1000
      const totalSeconds = (finished - started) / 1000
      const floorSeconds = (submitted.batchCount * latencyMs) / 1000 / opts.concurrency
      const floor = await measureFloor({
        baseUrl: sandboxUrl,
        token,
        events: opts.events,
        concurrency: opts.concurrency,
        prefix: `FLOOR-${latencyMs}-`,
      })
      if (floor.requests !== submitted.batchCount)
        throw new Error(`the floor sent ${floor.requests} requests, the product ${submitted.batchCount}`)
      const pct = (floorS: number, s: number) => `${((100 * floorS) / s).toFixed(1)} %`
      const figures: RunFigures = {
        latencyMs,
        submitSeconds: (submitDone - started) / 1000,
        sendSeconds,
        totalSeconds,
        eventsPerSecond: opts.events / totalSeconds,
        sendEventsPerSecond: opts.events / sendSeconds,
        floorSeconds,
        measuredFloorSeconds: floor.seconds,
      }
      results.push(figures)
      say(
        [
          `latency ${latencyMs} ms, concurrency ${opts.concurrency}: ${submitted.batchCount} batches`,
          `  submit (claim + batches + jobs, one transaction): ${figures.submitSeconds.toFixed(2)} s`,
          `  sending until all SUBMITTED:                      ${sendSeconds.toFixed(2)} s (${Math.round(figures.sendEventsPerSecond).toLocaleString('en-US')} events/s)`,
          `  end to end:                                       ${totalSeconds.toFixed(2)} s (${Math.round(figures.eventsPerSecond).toLocaleString('en-US')} events/s)`,
          `  measured floor (minimal sender, pre-built bodies): ${floor.seconds.toFixed(2)} s (${Math.round(opts.events / floor.seconds).toLocaleString('en-US')} events/s)`,
          `  product vs measured floor: sending ${pct(floor.seconds, sendSeconds)}, end to end ${pct(floor.seconds, totalSeconds)}`,
          ...(latencyMs > 0
            ? [
                `  theoretical floor (batches × latency ÷ concurrency): ${floorSeconds.toFixed(2)} s (${Math.round(opts.events / floorSeconds).toLocaleString('en-US')} events/s)`,
                `  product vs theoretical floor: sending ${pct(floorSeconds, sendSeconds)}, end to end ${pct(floorSeconds, totalSeconds)}`,
              ]
            : []),
          ...[cpuLine(cpuBefore, cpuAfter)].filter((l) => l !== null),
        ].join('\n'),
      )
      const stats = (await (await control('/_sandbox/stats')).json()) as {
        maxInFlight: number
        acceptedActions: number
      }
      say(`  sandbox: ${stats.acceptedActions} actions accepted in total, max in flight ${stats.maxInFlight}`)
    }
    say(
      `summary, sending as a share of the measured floor (concurrency ${opts.concurrency}, load average ${os.loadavg()[0]?.toFixed(2)}): ${results
        .map((r) => `${r.latencyMs} ms ${((100 * r.measuredFloorSeconds) / r.sendSeconds).toFixed(1)} %`)
        .join(', ')}`,
    )
    if (process.env.BENCH_STATEMENTS === '1') await printTopStatements(db.url, say)
    return results
  } finally {
    for (const p of procs) p.kill('SIGTERM')
    await new Promise((r) => setTimeout(r, 500))
    await prisma.$disconnect()
    await db.close().catch(() => {})
  }
}
