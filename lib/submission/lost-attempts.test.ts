import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { Caller } from '@/lib/auth/caller'
import { getFailureGroups } from '@/lib/sales/queries'
import { isApiReason } from '@/lib/sales/reasons'
import type { AttemptRecord, BatchClaim } from './batch-records'
import { createConnection, createStore, seedReadyEvents } from './testing'
import {
  claimBatch,
  claimEventsIntoBatches,
  isolateRejected,
  markFailed,
  markRetryWait,
  markSucceeded,
  recoverLostBatches,
} from './transitions'

// What a batch says happened when its workers die, freeze or wake up late: a lost attempt is ours, not
// Constructor's, and a late worker cannot rewrite an attempt another worker's recovery already closed.

const url = inject('databaseUrl')
let c: pg.Client
let q: { query: pg.Client['query'] }
let connectionId: string

beforeAll(async () => {
  c = new pg.Client({ connectionString: url })
  await c.connect()
  q = { query: (text: string, values?: unknown[]) => c.query(text, values) } as never
  connectionId = await createConnection(c, { baseUrl: 'http://127.0.0.1:9', token: 'sbx_lost_attempts' })
})
afterAll(async () => {
  await c.end()
})

async function oneBatch(code: string, n = 3) {
  const storeId = await createStore(c, code)
  await seedReadyEvents(c, storeId, n, { orderPrefix: `${code}-` })
  const { batchIds } = await claimEventsIntoBatches(q as never, {
    where: `e."storeId" = $1::uuid`,
    params: [storeId],
    connectionId,
    createdById: null,
  })
  return { storeId, batchId: batchIds[0] as string }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** a worker claims the batch and dies on the wire: its lease runs out, and the sweep takes the batch back */
async function claimAndLose(batchId: string, workerId: string, limits = { maxLostAttempts: 50 }) {
  const won = await claimBatch(q as never, { batchId, workerId, leaseMs: 1 })
  expect(won).not.toBeNull()
  await sleep(5)
  await recoverLostBatches(q as never, { staleMs: 60_000, ...limits })
  return won?.claim as BatchClaim
}

function record(
  claim: BatchClaim,
  outcome: AttemptRecord['outcome'],
  excerpt: string | null,
  httpStatus: number | null,
) {
  const now = new Date()
  return {
    attemptId: claim.attemptId,
    startedAt: now,
    finishedAt: now,
    httpStatus,
    durationMs: 1,
    responseExcerpt: excerpt,
    retryAfterMs: null,
    outcome,
  } satisfies AttemptRecord
}

async function attempts(batchId: string) {
  const { rows } = await c.query<{
    number: number
    outcome: string | null
    responseExcerpt: string | null
    finishedAt: Date | null
    workerId: string
  }>(
    `SELECT number, outcome::text, "responseExcerpt", "finishedAt", "workerId" FROM "BatchAttempt"
     WHERE "batchId" = $1::uuid ORDER BY number`,
    [batchId],
  )
  return rows
}

async function batchRow(batchId: string) {
  const { rows } = await c.query<{ status: string; lastError: string | null }>(
    `SELECT status::text, "lastError" FROM "Batch" WHERE id = $1::uuid`,
    [batchId],
  )
  return rows[0]
}

const managerOf = (storeId: string): Caller => ({
  userId: randomUUID(),
  email: 'manager@example.com',
  name: 'Manager',
  role: 'MANAGER',
  storeIds: [storeId],
  allStores: false,
  mustChangePassword: false,
})

describe('lost attempts are ours, not Constructor’s', () => {
  it('a batch whose workers keep dying is resent: lost attempts burn no retry and are recorded as lost', async () => {
    const { batchId } = await oneBatch(`LOST-${randomUUID().slice(0, 6)}`)
    for (const n of [1, 2, 3]) await claimAndLose(batchId, `dying-${n}`)
    expect(await batchRow(batchId)).toMatchObject({ status: 'RETRY_WAIT' })
    const rows = await attempts(batchId)
    expect(rows.map((r) => r.outcome)).toEqual(['LOST', 'LOST', 'LOST'])
    // the next claim starts with no failure burned: Constructor never answered
    const won = await claimBatch(q as never, { batchId, workerId: 'alive', leaseMs: 60_000 })
    expect(won?.claim.failures).toBe(0)
  })

  it('only a batch lost over and over ends FAILED, with a reason of our own, apart from Constructor’s refusals', async () => {
    const code = `APART-${randomUUID().slice(0, 6)}`
    const storeId = await createStore(c, code)
    // three batches of one store: one refused by Constructor (400), one given up after 5xx, one lost 3 times
    await seedReadyEvents(c, storeId, 3, { orderPrefix: `${code}-` })
    const { batchIds } = await claimEventsIntoBatches(q as never, {
      where: `e."storeId" = $1::uuid AND e."orderId" = $2`,
      params: [storeId, `${code}-0000000`],
      connectionId,
      createdById: null,
    })
    const refusedBatch = batchIds[0] as string
    const second = await claimEventsIntoBatches(q as never, {
      where: `e."storeId" = $1::uuid AND e."orderId" = $2`,
      params: [storeId, `${code}-0000001`],
      connectionId,
      createdById: null,
    })
    const gaveUpBatch = second.batchIds[0] as string
    const third = await claimEventsIntoBatches(q as never, {
      where: `e."storeId" = $1::uuid AND e."orderId" = $2`,
      params: [storeId, `${code}-0000002`],
      connectionId,
      createdById: null,
    })
    const lostBatch = third.batchIds[0] as string

    const r = await claimBatch(q as never, { batchId: refusedBatch, workerId: 'w', leaseMs: 60_000 })
    const refusedEvent = r?.events[0]?.id as string
    await isolateRejected(
      q as never,
      r?.claim as BatchClaim,
      record(r?.claim as BatchClaim, 'REJECTED', 'bad', 400),
      {
        failed: [{ eventId: refusedEvent, error: 'Constructor rejected this event: item_id: unknown item' }],
        moved: [],
      },
    )
    const g = await claimBatch(q as never, { batchId: gaveUpBatch, workerId: 'w', leaseMs: 60_000 })
    await markFailed(
      q as never,
      g?.claim as BatchClaim,
      record(g?.claim as BatchClaim, 'TRANSIENT', 'HTTP 503', 503),
      'Gave up after 10 failed attempt(s): HTTP 503',
    )
    for (const n of [1, 2, 3]) await claimAndLose(lostBatch, `dying-${n}`, { maxLostAttempts: 3 })

    const lost = await batchRow(lostBatch)
    expect(lost?.status).toBe('FAILED')
    expect(lost?.lastError).not.toMatch(/resending/)
    const events = await c.query<{
      orderId: string
      status: string
      failureKind: string | null
      lastError: string
    }>(
      `SELECT "orderId", status::text, "failureKind"::text AS "failureKind", "lastError" FROM "SaleEvent"
       WHERE "storeId" = $1::uuid ORDER BY "orderId"`,
      [storeId],
    )
    expect(events.rows.map((e) => [e.status, e.failureKind])).toEqual([
      ['FAILED', 'REFUSED'],
      ['FAILED', 'NOT_SENT'],
      ['FAILED', 'NOT_SENT'],
    ])

    // Needs attention: only the 400 is under Constructor's refusals; our own failures are a group of their own
    const groups = await getFailureGroups(managerOf(storeId))
    const refused = groups.filter((x) => isApiReason(x.code))
    expect(refused.map((x) => x.events)).toEqual([1])
    expect(refused[0]?.label).toBe(
      'Refused by Constructor: Constructor rejected this event: item_id: unknown item',
    )
    const ours = groups.filter((x) => x.status === 'FAILED' && !isApiReason(x.code))
    expect(ours.map((x) => x.events).sort()).toEqual([1, 1])
    for (const x of ours) {
      expect(x.label).not.toMatch(/Refused by Constructor/)
      expect(x.help).not.toMatch(/Constructor refused/)
    }
  })
})

describe('a late worker cannot overwrite an attempt', () => {
  it('a frozen worker that wakes after another worker took the batch back and sent it changes no attempt', async () => {
    const { batchId } = await oneBatch(`LATE-${randomUUID().slice(0, 6)}`)
    // worker A claims and freezes; its lease runs out and the sweep closes its attempt as lost
    const frozen = await claimAndLose(batchId, 'frozen-A')
    const closed = (await attempts(batchId))[0]
    // worker B takes the batch and Constructor accepts it
    const b = await claimBatch(q as never, { batchId, workerId: 'B', leaseMs: 60_000 })
    expect(b?.claim.attempt).toBe(2)
    const sent = await markSucceeded(
      q as never,
      b?.claim as BatchClaim,
      record(b?.claim as BatchClaim, 'ACCEPTED', null, 204),
      null,
    )
    expect(sent.applied).toBe(true)
    const before = await attempts(batchId)

    // A wakes up: its request timed out; every transition it might try changes nothing, attempts included
    const late = record(frozen, 'TRANSIENT', 'no complete answer within 30000 ms', null)
    expect(
      (await markRetryWait(q as never, frozen, late, { delayMs: 0, error: 'timeout', slowDownMs: null }))
        .applied,
    ).toBe(false)
    expect((await markFailed(q as never, frozen, late, 'Gave up')).applied).toBe(false)
    expect(
      (await markSucceeded(q as never, frozen, record(frozen, 'ACCEPTED', null, 204), null)).applied,
    ).toBe(false)
    const after = await attempts(batchId)
    expect(after).toEqual(before)
    expect(after[0]).toEqual(closed)
    expect(after.map((a) => a.outcome)).toEqual(['LOST', 'ACCEPTED'])
    expect(await batchRow(batchId)).toMatchObject({ status: 'SUCCEEDED' })
  })

  it('the claimed worker still records its own open attempt', async () => {
    const { batchId } = await oneBatch(`OWN-${randomUUID().slice(0, 6)}`)
    const a = await claimBatch(q as never, { batchId, workerId: 'A', leaseMs: 60_000 })
    const rec = record(a?.claim as BatchClaim, 'TRANSIENT', 'HTTP 502', 502)
    expect(
      (
        await markRetryWait(q as never, a?.claim as BatchClaim, rec, {
          delayMs: 0,
          error: 'HTTP 502',
          slowDownMs: null,
        })
      ).applied,
    ).toBe(true)
    expect((await attempts(batchId)).map((x) => [x.outcome, x.responseExcerpt])).toEqual([
      ['TRANSIENT', 'HTTP 502'],
    ])
  })
})
