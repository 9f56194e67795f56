import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { type APIRequestContext, type BrowserContext, expect, type TestInfo, test } from '@playwright/test'
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
import { webProcess } from '@/lib/process/web-process'
import { workerProcess } from '@/lib/process/worker-process'
import { seedDemo } from '@/lib/seed/demo'
import { ensureQueueSchema } from '@/lib/submission/queue'
import { NYC, signIn } from './helpers'

// Several machines, one PostgreSQL: two web instances (scripts/web-server.ts, as built) on their own ports and workers
// against ONE fresh database (nothing else shared: no files, no memory). Two managers submit through
// both instances, the same events at once through both, and every event ends SUBMITTED, received by
// the sandbox exactly once. A file uploaded through one instance is checked and stored through the other by
// one worker, exactly once. Spawns its processes itself, with bounded waits, and stops them after.

const ROOT = process.cwd()
const DIST = process.env.NEXT_DIST_DIR || '.next'
const SUBMIT_ACTION = { file: 'lib/sales/actions.ts', name: 'submitSaleEventsAction' }

type Proc = { name: string; child: ChildProcess; exited: Promise<number | null> }

function start(name: string, args: string[], env: Record<string, string>, logFile: string): Proc {
  const log = fs.createWriteStream(logFile, { flags: 'a' })
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env }
  // the uploaded file lives in the database: no process is given a folder for it
  delete childEnv.UPLOAD_DIR
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  child.stdout?.on('data', (d) => log.write(`[${name}] ${d}`))
  child.stderr?.on('data', (d) => log.write(`[${name}] ${d}`))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { name, child, exited }
}

async function stop(p: Proc) {
  if (p.child.exitCode !== null || p.child.signalCode !== null || p.child.pid === undefined) return
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

type Cluster = {
  /** the one database's URL, and a connection to it for the test's own reads */
  url: string
  db: pg.Client
  sandbox: Awaited<ReturnType<typeof startSandbox>>
  webs: [string, string]
  procs: Proc[]
  /** starts one more worker process against the database */
  startWorker: (name: string) => Proc
  close: () => Promise<void>
}

/**
 * One fresh database with the demo data, the sandbox, two web instances (scripts/web-server.ts) on their own ports
 * and the named workers (scripts/worker.ts); every process has its own temporary folder. Resolves once both
 * instances answer and see the workers.
 */
async function startCluster(testInfo: TestInfo, workers: string[]): Promise<Cluster> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-multi-'))
  fs.chmodSync(tmp, 0o755)
  const logFile = testInfo.outputPath('processes.log')
  const cleanups: (() => Promise<unknown>)[] = []
  const procs: Proc[] = []
  const close = async () => {
    await Promise.all(procs.map(stop))
    for (const c of cleanups.reverse()) await c().catch(() => {})
    fs.rmSync(tmp, { recursive: true, force: true })
  }
  try {
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
    // a temporary folder of its own per process: nothing one writes there is seen by another
    const ownTmp = (name: string) => {
      const dir = path.join(tmp, `tmp-${name.replace(/\W+/g, '-')}`)
      fs.mkdirSync(dir, { recursive: true })
      return dir
    }
    const webs: string[] = []
    // started as `npm start` starts the web app (lib/process/web-process.ts)
    const web = webProcess({ distDir: DIST })
    for (const name of ['web-a', 'web-b']) {
      const port = await freePort()
      const base = `http://127.0.0.1:${port}`
      webs.push(base)
      procs.push(
        start(
          name,
          web.args,
          {
            ...shared,
            ...web.env,
            PORT: String(port),
            HOST: '127.0.0.1',
            APP_URL: base,
            AUTH_URL: base,
            SERVICE_NAME: name,
            TMPDIR: ownTmp(name),
          },
          logFile,
        ),
      )
    }
    const startWorker = (name: string) => {
      const worker = workerProcess()
      const p = start(
        name,
        worker.args,
        { ...worker.env, ...shared, SERVICE_NAME: name, TMPDIR: ownTmp(name) },
        logFile,
      )
      procs.push(p)
      return p
    }
    for (const name of workers) startWorker(name)
    for (const base of webs)
      await waitUntil(
        `${base}/api/health with ${workers.length} live workers`,
        async () => (await (await fetch(`${base}/api/health`)).json()) as { workers?: { alive: number } },
        (h) => h.workers?.alive === workers.length,
        90_000,
      )

    const db = new pg.Client({ connectionString: url })
    await db.connect()
    cleanups.push(() => db.end())
    return { url, db, sandbox, webs: webs as [string, string], procs, startWorker, close }
  } catch (e) {
    await close()
    throw e
  }
}

test('two web instances and two workers against one database submit every event exactly once', async ({
  browser,
}, testInfo) => {
  test.setTimeout(300_000)
  const actionId = submitActionId()
  const c = await startCluster(testInfo, ['worker-a', 'worker-b'])
  const { db, sandbox, procs } = c
  const contexts: BrowserContext[] = []
  try {
    // a manager per store signs in on a different instance; the session works on both (same AUTH_SECRET)
    const [webA, webB] = c.webs
    const managers = [
      { email: 'nyc.manager@demo.store', store: 'NYC-001', signInAt: webA },
      { email: 'berlin.manager@demo.store', store: 'BER-001', signInAt: webB },
    ]
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
    const claimed = (await Promise.all(submissions)).reduce((n, k) => n + k, 0)
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
    for (const base of c.webs) {
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
    for (const base of c.webs)
      await waitUntil(
        `${base} to see one worker`,
        async () => (await (await fetch(`${base}/api/health`)).json()) as { workers?: { alive: number } },
        (h) => h.workers?.alive === 1,
        20_000,
      )
  } finally {
    for (const context of contexts) await context.close().catch(() => {})
    await c.close()
  }
})

const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)

/**
 * The template fixture as yesterday's export of NYC-001 (CRLF lines): title lines above the header, a blank line,
 * commas, quotes and a line break inside quoted cells, a thousands separator, a purchase of two items and a return.
 */
function templateExport(tag: string) {
  const text = fs
    .readFileSync(path.join(ROOT, 'lib/uploads/__fixtures__/quoting-and-titles.csv'), 'utf8')
    .replaceAll('BER-01', 'NYC-001')
    .replaceAll('2026-03-02', yesterday)
    .replace(/^A-/gm, `${tag}-`)
  return { name: `sales-report-${tag.toLowerCase()}.csv`, mimeType: 'text/csv', buffer: Buffer.from(text) }
}

test('a file uploaded on one instance is checked and stored on the other by one worker, exactly once', async ({
  browser,
}, testInfo) => {
  test.setTimeout(240_000)
  // no worker yet: the check waits in the queue, so the page's progress and its way out can be seen
  const c = await startCluster(testInfo, [])
  const { db } = c
  const [webA, webB] = c.webs
  const context = await browser.newContext({ baseURL: webA })
  try {
    const tag = `MI${randomBytes(3).toString('hex').toUpperCase()}`
    const file = templateExport(tag)
    const onA = await context.newPage()
    await signIn(onA, NYC.email, NYC.password)
    await expect(onA.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible()

    // 1. the file arrives through A and is kept in the database, in pieces
    await onA.goto('/uploads')
    await onA.getByLabel('Store').selectOption({ label: 'NYC-001 — New York — SoHo' })
    await onA.getByLabel('Sales file').setInputFiles(file)
    await onA.getByRole('button', { name: 'Upload file' }).click()
    await expect(onA).toHaveURL(/\/uploads\/[0-9a-f-]{36}$/)
    const uploadId = new URL(onA.url()).pathname.split('/').at(-1) as string
    const upload = async () =>
      (
        await db.query<{
          status: string
          runs: number
          token: string | null
          events: number
          committed: boolean
        }>(
          `SELECT status::text, "jobRuns" AS runs, "jobToken"::text AS token, "eventCount" AS events,
             "committedAt" IS NOT NULL AS committed
           FROM "Upload" WHERE id = $1::uuid`,
          [uploadId],
        )
      ).rows[0]
    const pieces = async () =>
      (
        await db.query<{ n: number; bytes: number }>(
          `SELECT count(*)::int AS n, coalesce(sum(length(data)), 0)::int AS bytes
           FROM "UploadFileChunk" WHERE "uploadId" = $1::uuid`,
          [uploadId],
        )
      ).rows[0]
    expect(await upload()).toMatchObject({ status: 'RECEIVED' })
    expect(await pieces()).toEqual({ n: 1, bytes: file.buffer.length })

    // 2. the same person opens it on B (one session for both: same AUTH_SECRET, and a cookie does not depend on the
    // port) and checks the rows there; with no worker running the check waits, and says so, with a way out
    const onB = await context.newPage()
    await onB.goto(`${webB}/uploads/${uploadId}`)
    await expect(onB.getByRole('heading', { level: 1, name: file.name })).toBeVisible()
    await expect(onB.getByText('recognised: Sales upload template')).toBeVisible()
    await onB.getByRole('button', { name: 'Check rows' }).click()
    await expect(onB.getByRole('heading', { name: 'Checking the rows' })).toBeVisible()
    await expect(onB.getByText('Waiting for a free worker…')).toBeVisible()
    await expect(onB.getByRole('button', { name: 'Cancel upload' })).toBeVisible()
    expect(await upload()).toMatchObject({ status: 'PARSING', runs: 0 })

    // a second sign-in follows the same check on A, and signs out in another tab (which ends the person's sessions
    // everywhere): that page stops asking and says why, with a way back, instead of polling unanswered
    const other = await browser.newContext({ baseURL: webA })
    try {
      const onOther = await other.newPage()
      await signIn(onOther, NYC.email, NYC.password)
      await expect(onOther.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible()
      await onOther.goto(`/uploads/${uploadId}`)
      await expect(onOther.getByText('Waiting for a free worker…')).toBeVisible()
      const otherTab = await other.newPage()
      await otherTab.goto('/logout')
      await otherTab.getByRole('button', { name: 'Sign out' }).click()
      await expect(otherTab).toHaveURL(/\/login/)
      await expect(
        onOther.getByText(/^You were signed out, so this page stopped following the upload/),
      ).toBeVisible()
      await expect(onOther.getByRole('link', { name: 'Sign in' })).toHaveAttribute(
        'href',
        `/login?next=${encodeURIComponent(`/uploads/${uploadId}`)}`,
      )
    } finally {
      await other.close()
    }
    // this person's page on B stopped too (their every session ended): signed in again, B's page follows again
    await expect(
      onB.getByText(/^You were signed out, so this page stopped following the upload/),
    ).toBeVisible()
    await signIn(onA, NYC.email, NYC.password)
    await expect(onA.getByRole('heading', { level: 1, name: 'Overview' })).toBeVisible()
    await onB.reload()
    await expect(onB.getByText('Waiting for a free worker…')).toBeVisible()

    // the one worker starts and takes the check; B's page follows it to the preview
    const worker = c.startWorker('worker')
    await expect(onB.getByRole('heading', { name: 'Preview' })).toBeVisible({ timeout: 60_000 })
    await expect(onB.getByTestId('count-Rows')).toHaveText('4')
    await expect(onB.getByTestId('count-Sales (events)')).toHaveText('3')
    await expect(onB.getByTestId('count-Valid')).toHaveText('3')
    await expect(onB.getByTestId('count-Invalid')).toHaveText('0')
    await expect(onB.getByTestId('count-Returns')).toHaveText('1')
    await expect(onB.getByTestId('count-New')).toHaveText('3')
    expect(await upload()).toMatchObject({ status: 'PREVIEW', runs: 1 })
    const storedEvents = async () =>
      (
        await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "SaleEvent" WHERE "orderId" LIKE $1`, [
          `${tag}-%`,
        ])
      ).rows[0]?.n
    expect(await storedEvents()).toBe(0)

    // 3. store it on B; the worker is stopped first, so the storing is seen waiting, on B and on A
    await stop(worker)
    await onB.getByRole('button', { name: 'Store 3 sales' }).click()
    await expect(onB.getByRole('heading', { name: 'Storing the sales' })).toBeVisible()
    await expect(onB.getByText('Waiting for a free worker…')).toBeVisible()
    await onA.goto(`/uploads/${uploadId}`)
    await expect(onA.getByRole('heading', { name: 'Storing the sales' })).toBeVisible()
    expect(await upload()).toMatchObject({ status: 'COMMITTING', runs: 0 })

    // the worker again (still one): B's page follows the storing to its end, without a reload
    c.startWorker('worker-again')
    await expect(onB.getByRole('heading', { name: 'Stored' })).toBeVisible({ timeout: 60_000 })
    await expect(onB.getByRole('heading', { name: 'No rows need attention' })).toBeVisible()

    // stored exactly once, as the file says
    expect(await upload()).toMatchObject({
      status: 'COMMITTED',
      runs: 1,
      token: null,
      events: 3,
      committed: true,
    })
    const events = await db.query(
      `SELECT e."orderId", e.kind::text, e.status::text, s.code AS store, e."customerId", e."returnReason",
         e."itemCount", e."itemsTotal"::text,
         to_char(e."occurredAt" AT TIME ZONE 'America/New_York', 'YYYY-MM-DD HH24:MI') AS "localTime",
         (SELECT json_agg(json_build_object('id', l."itemId", 'name', l."itemName", 'variation', l."variationId",
            'price', l."unitPrice"::text, 'quantity', l.quantity) ORDER BY l."lineNumber")
          FROM "LineItem" l WHERE l."eventId" = e.id) AS items
       FROM "SaleEvent" e JOIN "Store" s ON s.id = e."storeId"
       WHERE e."uploadId" = $1::uuid ORDER BY e."orderId", e.kind`,
      [uploadId],
    )
    const base = { status: 'READY', store: 'NYC-001' }
    expect(events.rows).toEqual([
      {
        ...base,
        orderId: `${tag}-1`,
        kind: 'PURCHASE',
        customerId: null,
        returnReason: null,
        itemCount: 2,
        itemsTotal: '1246.5000',
        localTime: `${yesterday} 14:05`,
        items: [
          { id: 'SKU-1', name: 'Mug, blue', variation: null, price: '12.5000', quantity: 1 },
          { id: 'SKU-2', name: 'Poster "Sunset"', variation: 'A3', price: '1234.0000', quantity: 1 },
        ],
      },
      {
        ...base,
        orderId: `${tag}-2`,
        kind: 'PURCHASE',
        customerId: 'C-7',
        returnReason: null,
        itemCount: 1,
        itemsTotal: '6.0000',
        localTime: `${yesterday} 15:00`,
        // the fixture's lines end in CRLF: the line break inside the quoted cell is kept as written
        items: [
          { id: 'SKU-3', name: 'Card with\r\ntwo lines', variation: null, price: '3.0000', quantity: 2 },
        ],
      },
      {
        ...base,
        orderId: `${tag}-2`,
        kind: 'RETURN',
        customerId: 'C-7',
        returnReason: 'Broken, sadly',
        itemCount: 1,
        itemsTotal: '12.5000',
        localTime: `${yesterday} 15:00`,
        items: [{ id: 'SKU-1', name: 'Mug, blue', variation: null, price: '12.5000', quantity: 1 }],
      },
    ])
    // nothing else with these order ids anywhere, one commit in the audit trail, and the file's pieces are gone
    expect(await storedEvents()).toBe(3)
    const audited = await db.query(
      `SELECT count(*)::int AS n FROM "AuditLog" WHERE action = 'upload.committed' AND "entityId" = $1`,
      [uploadId],
    )
    expect(audited.rows[0]).toEqual({ n: 1 })
    expect(await pieces()).toEqual({ n: 0, bytes: 0 })
    const jobs = await db.query(
      `SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier LIKE 'uploads:ingest%'`,
    )
    expect(jobs.rows[0]).toEqual({ n: 0 })

    // 4. A's page shows it stored too, and both instances see one worker
    await onA.reload()
    await expect(onA.getByRole('heading', { name: 'Stored' })).toBeVisible()
    await expect(onA.getByTestId('count-Sales (events)')).toHaveText('3')
    for (const web of c.webs)
      await waitUntil(
        `${web} to see the one worker`,
        async () => (await (await fetch(`${web}/api/health`)).json()) as { workers?: { alive: number } },
        (h) => h.workers?.alive === 1,
        20_000,
      )
  } finally {
    await context.close().catch(() => {})
    await c.close()
  }
})
