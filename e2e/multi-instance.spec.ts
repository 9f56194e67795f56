import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type APIRequestContext, type BrowserContext, expect, test } from '@playwright/test'
import pg from 'pg'
import { startSandbox } from '@/lib/constructor/sandbox/server'
import { createPrismaClient } from '@/lib/db'
import {
  createDatabase,
  dropDatabase,
  freePort,
  startEmbeddedPostgres,
  withDatabase,
} from '@/lib/db/embedded'
import { migrate } from '@/lib/db/migrate'
import { seedDemo } from '@/lib/seed/demo'
import { ensureQueueSchema } from '@/lib/submission/queue'
import { signIn } from './helpers'

// Several machines, one PostgreSQL: two web instances (scripts/web-server.ts) and two workers on their own ports
// against ONE fresh database (nothing else shared: no files, no memory). Two managers submit through
// both instances, the same events at once through both, and every event ends SUBMITTED, received by
// the sandbox exactly once. Spawns its processes itself, with bounded waits, and stops them after.

const ROOT = process.cwd()
const DIST = process.env.NEXT_DIST_DIR || '.next'
const SUBMIT_ACTION = { file: 'lib/sales/actions.ts', name: 'submitSaleEventsAction' }

type Proc = { name: string; child: ChildProcess; exited: Promise<number | null> }

function start(name: string, args: string[], env: Record<string, string>, logFile: string): Proc {
  const log = fs.createWriteStream(logFile, { flags: 'a' })
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  child.stdout?.on('data', (d) => log.write(`[${name}] ${d}`))
  child.stderr?.on('data', (d) => log.write(`[${name}] ${d}`))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { name, child, exited }
}

async function stop(p: Proc) {
  if (p.child.exitCode !== null || p.child.pid === undefined) return
  const pid = p.child.pid
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pid, s) // the process group this test started (next start may fork)
    } catch {}
  }
  signal('SIGTERM')
  const done = await Promise.race([
    p.exited.then(() => true),
    new Promise((r) => setTimeout(() => r(false), 10_000)),
  ])
  if (!done) signal('SIGKILL')
}

async function waitUntil<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number) {
  const until = Date.now() + timeoutMs
  let last: T | undefined
  while (Date.now() < until) {
    try {
      last = await fn()
      if (ok(last)) return last
    } catch {}
    await new Promise((r) => setTimeout(r, 300))
  }
  throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`)
}

/** the id Next gave the submit server action in this build */
function submitActionId() {
  const manifest = JSON.parse(
    fs.readFileSync(path.join(ROOT, DIST, 'server/server-reference-manifest.json'), 'utf8'),
  ) as { node: Record<string, { filename?: string; exportedName?: string }> }
  const found = Object.entries(manifest.node).find(
    ([, v]) => v.filename === SUBMIT_ACTION.file && v.exportedName === SUBMIT_ACTION.name,
  )
  if (!found) throw new Error(`${SUBMIT_ACTION.file}#${SUBMIT_ACTION.name} is not in the build (${DIST})`)
  return found[0]
}

/** calls the submit server action as the Sales page does, on one web instance */
async function submitThrough(request: APIRequestContext, base: string, actionId: string, eventIds: string[]) {
  const res = await request.post(`${base}/sales`, {
    headers: {
      'Next-Action': actionId,
      Accept: 'text/x-component',
      'Content-Type': 'text/plain;charset=UTF-8',
      Origin: base,
    },
    data: JSON.stringify([{ eventIds }]),
    maxRedirects: 0,
  })
  const body = await res.text()
  expect(res.status(), body.slice(0, 300)).toBe(200)
  const m = /"ok":true,"data":\{[^}]*"eventCount":(\d+)/.exec(body)
  expect(m, body.slice(0, 500)).not.toBeNull()
  return Number(m?.[1])
}

test('two web instances and two workers against one database submit every event exactly once', async ({
  browser,
}, testInfo) => {
  test.setTimeout(300_000)
  const actionId = submitActionId()
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-multi-'))
  fs.chmodSync(tmp, 0o755)
  const logFile = testInfo.outputPath('processes.log')
  const cleanups: (() => Promise<unknown>)[] = []
  const procs: Proc[] = []
  const contexts: BrowserContext[] = []
  try {
    // one fresh database
    let url: string
    const external = process.env.DATABASE_URL
    if (external) {
      const name = `multi_${Date.now()}_${process.pid}`
      await createDatabase(withDatabase(external, 'postgres'), name)
      url = withDatabase(external, name)
      cleanups.push(() => dropDatabase(withDatabase(external, 'postgres'), name))
    } else {
      const server = await startEmbeddedPostgres({
        dataDir: path.join(tmp, 'pg'),
        port: await freePort(),
        persistent: false,
      })
      cleanups.push(() => server.stop())
      await createDatabase(server.url('postgres'), 'multi')
      url = server.url('multi')
    }
    await migrate(url)
    await ensureQueueSchema(url)

    const token = `sbx_multi_${randomBytes(12).toString('hex')}`
    const sandbox = await startSandbox({
      token,
      controlToken: randomBytes(12).toString('hex'),
      dataDir: path.join(tmp, 'sandbox'),
      fsync: false,
    })
    cleanups.push(() => sandbox.close())
    const secrets = {
      AUTH_SECRET: randomBytes(32).toString('hex'),
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    }
    const prisma = createPrismaClient(url)
    await seedDemo(prisma, {
      sandboxUrl: sandbox.url,
      sandboxToken: token,
      encryptionKey: secrets.ENCRYPTION_KEY,
    })
    await prisma.$disconnect()

    // two web instances and two workers, each its own process and port
    const shared = {
      ...secrets,
      DATABASE_URL: url,
      SANDBOX_URL: sandbox.url,
      AUTH_TRUST_HOST: 'true',
      NEXT_TELEMETRY_DISABLED: '1',
      NEXT_DIST_DIR: DIST,
      LOG_LEVEL: 'warn',
      WORKER_HEARTBEAT_MS: '500',
      WORKER_STALE_MS: '5000',
    }
    const webs: string[] = []
    for (const name of ['web-a', 'web-b']) {
      const port = await freePort()
      const base = `http://127.0.0.1:${port}`
      webs.push(base)
      procs.push(
        start(
          name,
          ['--import', 'tsx', 'scripts/web-server.ts'],
          {
            ...shared,
            NODE_ENV: 'production',
            PORT: String(port),
            HOST: '127.0.0.1',
            APP_URL: base,
            AUTH_URL: base,
            SERVICE_NAME: name,
          },
          logFile,
        ),
      )
    }
    for (const name of ['worker-a', 'worker-b'])
      procs.push(
        start(name, ['--import', 'tsx', 'scripts/worker.ts'], { ...shared, SERVICE_NAME: name }, logFile),
      )
    for (const base of webs)
      await waitUntil(
        `${base}/api/health with two live workers`,
        async () => (await (await fetch(`${base}/api/health`)).json()) as { workers?: { alive: number } },
        (h) => h.workers?.alive === 2,
        90_000,
      )

    // a manager per store signs in on a different instance; the session works on both (same AUTH_SECRET)
    const [webA, webB] = webs as [string, string]
    const managers = [
      { email: 'nyc.manager@demo.store', store: 'NYC-001', signInAt: webA },
      { email: 'berlin.manager@demo.store', store: 'BER-001', signInAt: webB },
    ]
    const db = new pg.Client({ connectionString: url })
    await db.connect()
    cleanups.push(() => db.end())
    const readyIds = async (store: string) =>
      (
        await db.query<{ id: string }>(
          `SELECT e.id::text FROM "SaleEvent" e JOIN "Store" s ON s.id = e."storeId"
           WHERE s.code = $1 AND e.status = 'READY' ORDER BY e.id`,
          [store],
        )
      ).rows.map((r) => r.id)

    const expected = new Map<string, string[]>()
    const submissions: Promise<number>[] = []
    let contended = 0
    for (const m of managers) {
      const context = await browser.newContext({ baseURL: m.signInAt })
      contexts.push(context)
      const page = await context.newPage()
      await signIn(page, m.email, 'demo-manager-password')
      await expect(page.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible()
      const ids = await readyIds(m.store)
      expect(ids.length).toBeGreaterThan(20)
      expected.set(m.store, ids)
      // chunks of 7 alternate between the instances; the first chunk goes to both at the same moment
      for (let i = 0; i * 7 < ids.length; i++) {
        const chunk = ids.slice(i * 7, i * 7 + 7)
        if (i === 0) {
          const both = Promise.all([
            submitThrough(context.request, webA, actionId, chunk),
            submitThrough(context.request, webB, actionId, chunk),
          ]).then(([a, b]) => {
            contended += a + b
            return chunk.length
          })
          submissions.push(both)
        } else submissions.push(submitThrough(context.request, i % 2 ? webB : webA, actionId, chunk))
      }
    }
    const claimed = (await Promise.all(submissions)).reduce((n, c) => n + c, 0)
    const all = [...expected.values()].flat()
    expect(claimed).toBe(all.length)
    // the same 7 events sent to both instances at once were claimed once, not twice
    expect(contended).toBe(14)

    // the workers send everything; every event ends SUBMITTED
    await waitUntil(
      'every submitted event to reach SUBMITTED',
      async () =>
        (
          await db.query<{ status: string; n: number }>(
            `SELECT status::text, count(*)::int AS n FROM "SaleEvent" WHERE id = ANY($1::uuid[]) GROUP BY 1`,
            [all],
          )
        ).rows,
      (rows) => rows.length === 1 && rows[0]?.status === 'SUBMITTED' && rows[0].n === all.length,
      120_000,
    )
    // …received by Constructor (the sandbox) exactly once each
    const orders = (
      await db.query<{ orderId: string }>(`SELECT "orderId" FROM "SaleEvent" WHERE id = ANY($1::uuid[])`, [
        all,
      ])
    ).rows.map((r) => r.orderId)
    const received = await sandbox.received({ limit: 100_000 })
    const seen = new Map<string, number>()
    for (const r of received.records) {
      const id = (r.action as { data?: { order_id?: string } }).data?.order_id
      if (id) seen.set(id, (seen.get(id) ?? 0) + 1)
    }
    expect(orders.filter((o) => seen.get(o) !== 1)).toEqual([])
    expect(received.total).toBe(orders.length)

    // both workers took part, and both instances report the same pipeline
    const attemptWorkers = await db.query<{ w: string }>(
      `SELECT DISTINCT "workerId" AS w FROM "BatchAttempt" WHERE outcome = 'ACCEPTED'`,
    )
    testInfo.annotations.push({ type: 'workers that sent', description: String(attemptWorkers.rowCount) })
    for (const base of webs) {
      const h = (await (await fetch(`${base}/api/health`)).json()) as {
        status: string
        queue: { depth: number }
        workers: { alive: number }
      }
      expect(h).toMatchObject({ status: 'ok', queue: { depth: 0 }, workers: { alive: 2 } })
    }
    // and a process that stops is seen as gone by every instance
    const workerB = procs.find((p) => p.name === 'worker-b') as Proc
    await stop(workerB)
    for (const base of webs)
      await waitUntil(
        `${base} to see one worker`,
        async () => (await (await fetch(`${base}/api/health`)).json()) as { workers?: { alive: number } },
        (h) => h.workers?.alive === 1,
        20_000,
      )
  } finally {
    for (const c of contexts) await c.close().catch(() => {})
    await Promise.all(procs.map(stop))
    for (const c of cleanups.reverse()) await c().catch(() => {})
    fs.rmSync(tmp, { recursive: true, force: true })
  }
})
