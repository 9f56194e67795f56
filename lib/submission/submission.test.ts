import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { startTestSandbox, type TestSandbox } from '@/lib/constructor/testing/sandbox'
import { createPrismaClient } from '@/lib/db'
import type { PrismaClient } from '@/lib/generated/prisma/client'
import { submitEvents } from './submit'
import {
  createConnection,
  createStore,
  ensureEncryptionKey,
  seedReadyEvents,
  statusCounts,
  waitFor,
  withPg,
} from './testing'
import { type SubmissionWorker, startSubmissionWorker } from './worker'

const url = inject('databaseUrl')
ensureEncryptionKey()
let prisma: PrismaClient
let pgc: pg.Client
const closers: (() => Promise<unknown>)[] = []

beforeAll(async () => {
  prisma = createPrismaClient(url)
  const pgMod = await import('pg')
  pgc = new pgMod.default.Client({ connectionString: url })
  await pgc.connect()
})
afterAll(async () => {
  for (const c of closers.reverse()) await c()
  await pgc.end()
  await prisma.$disconnect()
})

const admin = (storeIds: string[] = []) => ({
  userId: randomUUID(),
  role: 'ADMIN' as const,
  storeIds,
  allStores: true,
})
const manager = (storeIds: string[]) => ({
  userId: randomUUID(),
  role: 'MANAGER' as const,
  storeIds,
  allStores: false,
})

const fast = {
  requestTimeoutMs: 2_000,
  backoffBaseMs: 50,
  backoffMaxMs: 400,
  heartbeatMs: 200,
  staleMs: 1_500,
  sweepMs: 300,
}

async function setup(
  code: string,
  n: number,
  sandboxOpts: Parameters<typeof startTestSandbox>[0] = {},
  conn: { maxConcurrency?: number; maxRequestsPerSecond?: number } = {},
) {
  const sandbox = await startTestSandbox(sandboxOpts)
  closers.push(() => sandbox.dispose())
  const connectionId = await createConnection(pgc, { baseUrl: sandbox.url, token: sandbox.token, ...conn })
  const storeId = await createStore(pgc, code)
  await seedReadyEvents(pgc, storeId, n, { orderPrefix: `${code}-` })
  return { sandbox, connectionId, storeId }
}

async function worker(config: Parameters<typeof startSubmissionWorker>[0]['config'] = {}) {
  const w = await startSubmissionWorker({
    databaseUrl: url,
    config: { concurrency: 8, slotPoolSize: 8, ...fast, ...config },
    log: () => {},
  })
  closers.push(() => w.stop())
  return w
}

describe.sequential('submission', () => {
  it('submits 250 ready events in 3 batches and every one ends SUBMITTED', async () => {
    const { sandbox, connectionId, storeId } = await setup('HAPPY', 250)
    const w = await worker()
    const r = await submitEvents(manager([storeId]), { scope: 'all', connectionId }, { db: prisma })
    expect(r).toMatchObject({ eventCount: 250, batchCount: 3 })
    const counts = await waitFor(
      () => statusCounts(pgc, storeId),
      (c) => c.SUBMITTED === 250,
      { timeoutMs: 20_000 },
    )
    expect(counts).toEqual({ SUBMITTED: 250 })
    expect(sandbox.stats().acceptedActions).toBe(250)
    await w.stop()
  })
})
