import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { CONTROL_TOKEN_HEADER } from '@/lib/constructor/sandbox/server'
import { createPrismaClient } from '@/lib/db'
import { freePort } from '@/lib/db/embedded'
import { submitEvents } from '@/lib/submission/submit'
import { createConnection, createStore, seedReadyEvents, withPg } from '@/lib/submission/testing'

// `npm run chaos`: the whole product under `npm start`'s own supervisor (scripts/run-product.ts, embedded
// PostgreSQL), sending to the sandbox while this script kills the worker process mid-request and the database
// while sending. Throughout, /api/health must answer (503 while the database is down is fine); at the end every
// sale must be SUBMITTED and there must be exactly one attempt record per request the sandbox received.

export type ChaosOptions = {
  events: number
  workerKills: number
  databaseKills: number
  say: (line: string) => void
}

export type ChaosReport = {
  events: number
  workerKills: number
  databaseKills: number
  statuses: Record<string, number>
  requestsAtSandbox: number
  attemptRecords: number
  batches: { batches: number; unrecorded: number; unanswered: number }
  actionsAccepted: number
  duplicateActions: number
  health: { samples: number; ok: number; unavailable: number; other: number; noAnswer: number }
  restartsLogged: { worker: number; database: number }
  gaveUp: boolean
  minutes: number
  passed: boolean
  problems: string[]
}

const root = process.cwd()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function childrenOf(pid: number) {
  const r = spawnSync('ps', ['-o', 'pid=,args=', '--ppid', String(pid)], { encoding: 'utf8' })
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => ({ pid: Number(l.split(/\s+/)[0]), args: l.replace(/^\d+\s+/, '') }))
}

const alive = (pid: number) => {
  try {
    return process.kill(pid, 0)
  } catch {
    return false
  }
}

export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const { say } = opts
  const t0 = Date.now()
  // the same preparation as `npm start` (dependencies, Prisma client, web build), done before the clock matters
  execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "const e = await import('./scripts/lib/ensure.mjs'); e.checkNode(); e.ensureDependencies(); e.ensurePrismaClient(); e.ensureBuild()",
    ],
    { cwd: root, stdio: 'inherit' },
  )

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-chaos-'))
  // the database runs as the postgres user when we are root: it must be able to enter the folder
  fs.chmodSync(dataDir, 0o755)
  const [port, sandboxPort, pgPort] = [await freePort(), await freePort(), await freePort()]
  const controlToken = randomBytes(18).toString('base64url')
  const sandboxToken = `sbx_chaos_${randomBytes(12).toString('hex')}`
  const encryptionKey = randomBytes(32).toString('hex')
  process.env.ENCRYPTION_KEY = encryptionKey
  const appUrl = `http://127.0.0.1:${port}`
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`
  const databaseUrl = `postgresql://postgres:postgres@127.0.0.1:${pgPort}/storefront`
  const logFile = path.join(os.tmpdir(), `storefront-chaos-${Date.now()}.log`)
  const log = fs.createWriteStream(logFile)
  say(`product log: ${logFile}`)

  const product: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'scripts/run-product.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: '',
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      SANDBOX_PORT: String(sandboxPort),
      EMBEDDED_PG_PORT: String(pgPort),
      SANDBOX_CONTROL_TOKEN: controlToken,
      SANDBOX_TOKEN: sandboxToken,
      ENCRYPTION_KEY: encryptionKey,
      // each request takes a while, so a kill lands while one is in flight
      SANDBOX_LATENCY_MS: '400-1200',
      SANDBOX_FSYNC: 'false',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let productOutput = ''
  for (const s of [product.stdout, product.stderr])
    s?.on('data', (d: Buffer) => {
      log.write(d)
      productOutput = (productOutput + d.toString()).slice(-200_000)
    })
  let gaveUp = false
  const restartsLogged = { worker: 0, database: 0 }
  const countRestarts = (d: Buffer) => {
    const text = d.toString()
    restartsLogged.worker += text.match(/The worker is running again/g)?.length ?? 0
    restartsLogged.database += text.match(/The database is running again/g)?.length ?? 0
    if (text.includes('Stopping everything')) gaveUp = true
  }
  product.stdout?.on('data', countRestarts)
  product.stderr?.on('data', countRestarts)

  const health = { samples: 0, ok: 0, unavailable: 0, other: 0, noAnswer: 0 }
  let polling = false
  const poll = async () => {
    while (polling) {
      health.samples++
      try {
        const r = await fetch(`${appUrl}/api/health`, { signal: AbortSignal.timeout(10_000) })
        if (r.status === 200) health.ok++
        else if (r.status === 503) health.unavailable++
        else health.other++
        await r.arrayBuffer()
      } catch {
        health.noAnswer++
      }
      await sleep(500)
    }
  }
  const control = async <T>(pathname: string): Promise<T> => {
    const r = await fetch(`${sandboxUrl}${pathname}`, { headers: { [CONTROL_TOKEN_HEADER]: controlToken } })
    if (!r.ok) throw new Error(`sandbox ${pathname}: ${r.status}`)
    return (await r.json()) as T
  }
  const inFlight = () =>
    control<{ inFlight: number }>('/_sandbox/stats').then(
      (s) => s.inFlight,
      () => 0,
    )
  const healthy = async () => {
    try {
      return (await fetch(`${appUrl}/api/health`, { signal: AbortSignal.timeout(10_000) })).status === 200
    } catch {
      return false
    }
  }
  const until = async (what: string, done: () => Promise<boolean> | boolean, timeoutMs: number) => {
    const end = Date.now() + timeoutMs
    while (!(await done())) {
      if (gaveUp || product.exitCode !== null)
        throw new Error(`the product stopped while waiting for ${what}`)
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
      await sleep(200)
    }
  }
  const workerPid = () =>
    childrenOf(product.pid as number).find((c) => c.args.includes('scripts/worker.ts'))?.pid
  const postmasterPid = () => {
    const f = path.join(dataDir, 'pg', 'postmaster.pid')
    return fs.existsSync(f) ? Number(fs.readFileSync(f, 'utf8').split('\n')[0]) : undefined
  }

  let workerKills = 0
  let databaseKills = 0
  const problems: string[] = []
  try {
    await until('the web app to answer /api/health', healthy, 300_000)
    say(`product up after ${Math.round((Date.now() - t0) / 1000)} s`)
    polling = true
    const poller = poll()

    // a store of its own, a slow connection (so the kills find requests in flight), and the sales
    const { connectionId, storeId, userId } = await withPg(databaseUrl, async (c) => {
      const connectionId = await createConnection(c, {
        name: 'Chaos',
        baseUrl: sandboxUrl,
        token: sandboxToken,
        maxConcurrency: 2,
        maxRequestsPerSecond: 1,
      })
      const storeId = await createStore(c, `CHAOS${Date.now() % 100_000}`)
      await seedReadyEvents(c, storeId, opts.events, { orderPrefix: 'CHAOS-' })
      const { rows } = await c.query<{ id: string }>(
        `SELECT id::text FROM "User" ORDER BY "createdAt" LIMIT 1`,
      )
      return { connectionId, storeId, userId: rows[0]?.id as string }
    })
    const prisma = createPrismaClient(databaseUrl)
    const submitted = await submitEvents(
      { userId, role: 'MANAGER', storeIds: [storeId], allStores: false },
      { scope: 'all', connectionId },
      { db: prisma },
    )
    await prisma.$disconnect()
    say(`submitted ${submitted.eventCount} sales in ${submitted.batchCount} batches`)

    // kills: the worker once it has run long enough to count as healthy and has a request in flight; the
    // database twice, spread over the run, while a request is in flight
    const dbKillAfter = new Set(
      Array.from({ length: opts.databaseKills }, (_, i) =>
        Math.floor(((i + 1) * opts.workerKills) / (opts.databaseKills + 1)),
      ),
    )
    let workerSince = Date.now()
    let lastWorker = workerPid()
    while (workerKills < opts.workerKills) {
      await until(
        'a worker with a request in flight',
        async () => {
          const pid = workerPid()
          if (pid !== lastWorker) {
            lastWorker = pid
            workerSince = Date.now()
          }
          // the supervisor counts a run shorter than 10 s as a failed start: kill only after that
          return pid !== undefined && Date.now() - workerSince > 11_000 && (await inFlight()) > 0
        },
        180_000,
      )
      const pid = lastWorker as number
      process.kill(pid, 'SIGKILL')
      workerKills++
      say(`worker kill ${workerKills}/${opts.workerKills} (pid ${pid}, mid-request)`)
      await until('the killed worker to be gone', () => !alive(pid), 10_000)

      if (dbKillAfter.has(workerKills)) {
        await until('a request in flight', async () => (await inFlight()) > 0, 120_000)
        const pm = postmasterPid()
        if (!pm) throw new Error('no postmaster.pid: is the embedded database running?')
        process.kill(pm, 'SIGKILL')
        databaseKills++
        say(`database kill ${databaseKills}/${opts.databaseKills} (postmaster ${pm}, while sending)`)
        await until('the database to be back', healthy, 180_000)
        say('database back; /api/health answers 200')
      }
    }

    // the kills are done: let the rest go at a brisk pace
    await withPg(databaseUrl, (c) =>
      c.query(
        `UPDATE "ConstructorConnection" SET "maxRequestsPerSecond" = 50, "maxConcurrency" = 8 WHERE id = $1::uuid`,
        [connectionId],
      ),
    )
    const open = () =>
      withPg(databaseUrl, async (c) => {
        const { rows } = await c.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM "Batch" WHERE "connectionId" = $1::uuid AND status IN ('QUEUED', 'SENDING', 'RETRY_WAIT')`,
          [connectionId],
        )
        return rows[0]?.n ?? -1
      }).catch(() => -1)
    await until('every batch to finish', async () => (await open()) === 0, 900_000)
    polling = false
    await poller

    const figures = await withPg(databaseUrl, async (c) => {
      const statuses = Object.fromEntries(
        (
          await c.query<{ status: string; n: number }>(
            `SELECT status::text, count(*)::int AS n FROM "SaleEvent" WHERE "storeId" = $1::uuid GROUP BY 1`,
            [storeId],
          )
        ).rows.map((r) => [r.status, r.n]),
      ) as Record<string, number>
      const attempts = await c.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "BatchAttempt" a JOIN "Batch" b ON b.id = a."batchId" WHERE b."connectionId" = $1::uuid`,
        [connectionId],
      )
      return { statuses, attemptRecords: attempts.rows[0]?.n ?? 0 }
    })
    const stats = await control<{ requests: { total: number }; acceptedActions: number }>('/_sandbox/stats')
    const batches = await compareBatches(databaseUrl, connectionId, control)
    const report: ChaosReport = {
      events: opts.events,
      workerKills,
      databaseKills,
      statuses: figures.statuses,
      requestsAtSandbox: stats.requests.total,
      attemptRecords: figures.attemptRecords,
      batches,
      actionsAccepted: stats.acceptedActions,
      duplicateActions: stats.acceptedActions - (figures.statuses.SUBMITTED ?? 0),
      health,
      restartsLogged,
      gaveUp,
      minutes: Math.round((Date.now() - t0) / 6_000) / 10,
      passed: false,
      problems,
    }
    if (workerKills < opts.workerKills) problems.push(`only ${workerKills} worker kills`)
    if (databaseKills < opts.databaseKills) problems.push(`only ${databaseKills} database kills`)
    if ((figures.statuses.SUBMITTED ?? 0) !== opts.events)
      problems.push(`not every sale is SUBMITTED: ${JSON.stringify(figures.statuses)}`)
    if (health.noAnswer > 0) problems.push(`/api/health did not answer ${health.noAnswer} times`)
    if (health.other > 0) problems.push(`/api/health answered neither 200 nor 503 ${health.other} times`)
    if (report.requestsAtSandbox !== report.attemptRecords)
      problems.push(
        `${report.attemptRecords} attempt records for ${report.requestsAtSandbox} requests the sandbox received`,
      )
    if (gaveUp) problems.push('the supervisor gave up')
    report.passed = problems.length === 0
    return report
  } catch (e) {
    polling = false
    say(`✖ ${(e as Error).message}\n--- last product output ---\n${productOutput.slice(-4_000)}`)
    throw e
  } finally {
    polling = false
    if (product.exitCode === null) {
      product.kill('SIGTERM')
      await new Promise((r) => product.once('exit', r))
    }
    log.end()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

/**
 * Per batch: the requests that reached the sandbox carrying its orders (received records name their request)
 * against the batch's attempt records. `unrecorded`: batches with fewer records than accepted requests (an
 * outcome lost); `unanswered`: more records than accepted requests (a request cut off, refused or never sent).
 */
async function compareBatches(
  databaseUrl: string,
  connectionId: string,
  control: <T>(pathname: string) => Promise<T>,
) {
  const requestsByOrder = new Map<string, Set<number>>()
  for (let offset = 0; ; offset += 10_000) {
    const page = await control<{ records: { requestId: number; action: { data: { order_id: string } } }[] }>(
      `/_sandbox/received?limit=10000&offset=${offset}`,
    )
    for (const r of page.records) {
      const id = r.action.data.order_id
      const set = requestsByOrder.get(id) ?? new Set<number>()
      set.add(r.requestId)
      requestsByOrder.set(id, set)
    }
    if (page.records.length < 10_000) break
  }
  return withPg(databaseUrl, async (c) => {
    const { rows } = await c.query<{ orders: string[]; attempts: number }>(
      `SELECT array_agg(DISTINCT e."orderId") AS orders,
         (SELECT count(*)::int FROM "BatchAttempt" a WHERE a."batchId" = b.id) AS attempts
       FROM "Batch" b JOIN "BatchEvent" be ON be."batchId" = b.id JOIN "SaleEvent" e ON e.id = be."eventId"
       WHERE b."connectionId" = $1::uuid GROUP BY b.id`,
      [connectionId],
    )
    let unrecorded = 0
    let unanswered = 0
    for (const r of rows) {
      const requests = new Set<number>()
      for (const o of r.orders) for (const id of requestsByOrder.get(o) ?? []) requests.add(id)
      if (r.attempts < requests.size) unrecorded++
      if (r.attempts > requests.size) unanswered++
    }
    return { batches: rows.length, unrecorded, unanswered }
  })
}
