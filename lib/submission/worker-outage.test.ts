import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { startTestSandbox, type TestSandbox } from '@/lib/constructor/testing/sandbox'
import { createPrismaClient } from '@/lib/db'
import { createDatabase, type EmbeddedDb, freePort, startEmbeddedPostgres } from '@/lib/db/embedded'
import { migrate } from '@/lib/db/migrate'
import { ensureQueueSchema } from './queue'
import { submitEvents } from './submit'
import {
  createConnection,
  createStore,
  ensureEncryptionKey,
  seedReadyEvents,
  waitFor,
  withPg,
} from './testing'

// A worker process holding queued jobs while its database goes away: it must stay up, and finish the work once
// the database is back. The database is an embedded server of this test's own, so the test can kill it.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-worker-outage-'))
// the server runs as the postgres user when we are root: it must be able to enter the folder
fs.chmodSync(dir, 0o755)
const dataDir = path.join(dir, 'pg')
let server: EmbeddedDb | undefined
let sandbox: TestSandbox | undefined
let worker: ChildProcess | undefined

afterAll(async () => {
  if (worker?.exitCode === null) worker.kill('SIGKILL')
  await sandbox?.dispose()
  await server?.stop().catch(() => {})
  fs.rmSync(dir, { recursive: true, force: true })
})

const alive = (pid: number) => {
  try {
    return process.kill(pid, 0)
  } catch {
    return false
  }
}

describe('a worker through a database outage', () => {
  it('stays up while the database is down with jobs in its local queue, and sends everything once it is back', async () => {
    const port = await freePort()
    server = await startEmbeddedPostgres({ dataDir, port, persistent: true })
    await createDatabase(server.url('postgres'), 'outage')
    const url = server.url('outage')
    await migrate(url)
    await ensureQueueSchema(url)
    // slow requests and a slow pace: the worker holds jobs in its local queue, waiting for a slot
    sandbox = await startTestSandbox({ faults: { latency: { minMs: 150, maxMs: 300 } } })
    const { connectionId, storeId } = await withPg(url, async (c) => {
      const connectionId = await createConnection(c, {
        baseUrl: (sandbox as TestSandbox).url,
        token: (sandbox as TestSandbox).token,
        maxConcurrency: 2,
        maxRequestsPerSecond: 4,
      })
      const storeId = await createStore(c, 'OUTAGE')
      await seedReadyEvents(c, storeId, 3_000, { orderPrefix: 'OUTAGE-' })
      return { connectionId, storeId }
    })
    const prisma = createPrismaClient(url)
    await submitEvents(
      { userId: randomUUID(), role: 'ADMIN', storeIds: [], allStores: true },
      { scope: 'all', connectionId },
      { db: prisma },
    )
    await prisma.$disconnect()

    let output = ''
    worker = spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts'], {
      env: {
        ...process.env,
        DATABASE_URL: url,
        ENCRYPTION_KEY: ensureEncryptionKey(),
        SUBMIT_WORKER_CONCURRENCY: '4',
        SUBMIT_REQUEST_TIMEOUT_MS: '2000',
        SUBMIT_BACKOFF_BASE_MS: '50',
        SUBMIT_BACKOFF_MAX_MS: '400',
        WORKER_HEARTBEAT_MS: '200',
        WORKER_STALE_MS: '1500',
        WORKER_SWEEP_MS: '300',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    for (const s of [worker.stdout, worker.stderr])
      s?.on('data', (d) => (output = (output + d).slice(-20_000)))
    const submitted = () =>
      withPg(url, async (c) => {
        const { rows } = await c.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM "SaleEvent" WHERE "storeId" = $1 AND status = 'SUBMITTED'`,
          [storeId],
        )
        return rows[0]?.n ?? 0
      })
    // sending is under way, and the worker holds locked jobs
    await waitFor(submitted, (n) => n >= 300, { timeoutMs: 60_000, what: 'the first batches to be sent' })
    const locked = await withPg(url, async (c) => {
      const { rows } = await c.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE locked_by IS NOT NULL',
      )
      return rows[0]?.n ?? 0
    })
    expect(locked).toBeGreaterThan(0)

    // the database dies (kill -9) and stays away for a while
    const pid = server.pid as number
    process.kill(pid, 'SIGKILL')
    await server.exited
    await new Promise((r) => setTimeout(r, 12_000))
    expect(worker.exitCode, `the worker exited during the outage:\n${output.slice(-3_000)}`).toBeNull()

    // back on the same folder and port (the killed server's backends may need a moment to go)
    server = await waitFor(
      () => startEmbeddedPostgres({ dataDir, port, persistent: true }).catch(() => undefined),
      (s) => s !== undefined,
      { timeoutMs: 30_000, intervalMs: 500, what: 'the database to start again' },
    )
    const open = () =>
      withPg(url, async (c) => {
        const { rows } = await c.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM "SaleEvent" WHERE "storeId" = $1 AND status <> 'SUBMITTED'`,
          [storeId],
        )
        return rows[0]?.n ?? -1
        // the server may still be recovering from the crash
      }).catch(() => -1)
    const w = worker
    const left = await waitFor(open, (n) => n === 0 || w.exitCode !== null, {
      timeoutMs: 120_000,
      intervalMs: 500,
      what: 'every sale to be SUBMITTED',
    }).catch(() => -1)
    expect(worker.exitCode, `the worker exited after the outage:\n${output.slice(-3_000)}`).toBeNull()
    expect(
      left,
      `sales not SUBMITTED 2 min after the outage; the worker said:\n${output.slice(-3_000)}`,
    ).toBe(0)
    expect(alive(worker.pid as number)).toBe(true)
  }, 300_000)
})
