import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { type Clock, ConnectionPacer, slowDownSql } from './pace'
import { createConnection } from './testing'

// The pacer against a real database, two pacers standing for two worker processes (a session each). Time is a
// clock the test holds: it moves only when a pacer sleeps, so no assertion depends on how fast the machine is.

const url = inject('databaseUrl')
let c: pg.Client
const pacers: ConnectionPacer[] = []

beforeAll(async () => {
  c = new pg.Client({ connectionString: url })
  await c.connect()
})
afterAll(async () => {
  for (const p of pacers) await p.close()
  await c.end()
})

function testClock(start: number): Clock {
  let now = start
  return {
    now: () => now,
    // a pacer's wait moves time on at once; yielding to the event loop keeps other work going
    sleep: async (ms) => {
      now += ms
      await new Promise((resolve) => setImmediate(resolve))
    },
  }
}

async function pacersOf(connectionId: string, clock: Clock, limits: { concurrency: number; rate: number }) {
  const session = async () => {
    const s = new pg.Client({ connectionString: url })
    await s.connect()
    return s
  }
  const made = [0, 1].map(() => new ConnectionPacer(connectionId, session, { pollMs: 5, clock }))
  for (const p of made) p.setLimits(limits)
  pacers.push(...made)
  return made as [ConnectionPacer, ConnectionPacer]
}

const newConnection = () =>
  withConnection((q) => createConnection(q, { baseUrl: 'http://127.0.0.1:9', token: 't' }))
const withConnection = <T>(fn: (q: pg.Client) => Promise<T>) => fn(c)

const slotLocks = async (connectionId: string) =>
  (
    await c.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted
         AND objsubid = 2 AND classid = ((hashtext($1)::bigint + 4294967296) % 4294967296)::oid`,
      [connectionId],
    )
  ).rows[0]?.n

describe('pacer', () => {
  it('two processes together never hold more slots than the concurrency, and every request gets one', async () => {
    const connectionId = await newConnection()
    const [a, b] = await pacersOf(connectionId, testClock(Date.now()), { concurrency: 3, rate: 1_000 })
    let inFlight = 0
    let most = 0
    const holders = new Set<number>()
    const served = { a: 0, b: 0 }
    const request = async (p: ConnectionPacer, name: 'a' | 'b') => {
      const slot = await p.slot()
      expect(holders.has(slot)).toBe(false)
      holders.add(slot)
      most = Math.max(most, ++inFlight)
      // on the wire: the database sees the slot locked while the request is out
      expect(await slotLocks(connectionId)).toBeLessThanOrEqual(3)
      inFlight--
      holders.delete(slot)
      served[name]++
      p.releaseSlot(slot)
    }
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? request(a, 'a') : request(b, 'b'))))
    expect(most).toBe(3)
    expect(served).toEqual({ a: 20, b: 20 })
    await expect.poll(() => slotLocks(connectionId)).toBe(0)
  })

  it('a process that ends frees its slots for the others at once', async () => {
    const connectionId = await newConnection()
    const [a, b] = await pacersOf(connectionId, testClock(Date.now()), { concurrency: 2, rate: 1_000 })
    expect(new Set([await a.slot(), await a.slot()])).toEqual(new Set([0, 1]))
    const waiting = b.slot()
    await a.close()
    expect([0, 1]).toContain(await waiting)
  })

  it('start times on the shared schedule are 1/rate apart across processes; a 429 holds them until Retry-After', async () => {
    const connectionId = await newConnection()
    // the test's clock does not move here: every gap below comes from the schedule alone
    const t0 = Date.now() + 60_000
    const [a, b] = await pacersOf(connectionId, testClock(t0), { concurrency: 4, rate: 10 })
    const times = (await Promise.all([a, b, a, b, a, b].map((p) => p.time()))).sort((x, y) => x - y)
    expect(times[0]).toBeGreaterThanOrEqual(t0)
    for (let i = 1; i < times.length; i++)
      expect((times[i] as number) - (times[i - 1] as number)).toBeCloseTo(100, 3)

    // a 429 seen by one process: every process holds until Retry-After, then goes on at half the rate
    await c.query(slowDownSql('$1::uuid', '$2'), [connectionId, 120_000])
    const held = [await b.time(), await a.time()]
    expect(held[0]).toBeGreaterThanOrEqual(t0 + 60_000)
    expect((held[1] as number) - (held[0] as number)).toBeCloseTo(200, 3)
    // and the process that saw it holds its own requests at once
    a.hold(t0 + 5_000)
    expect(a.notBefore(t0)).toBe(t0 + 5_000)
    expect(a.notBefore(t0 + 6_000)).toBe(t0 + 6_000)

    // a schedule row that went away is made again
    await c.query(`DELETE FROM "ConnectionPace" WHERE "connectionId" = $1`, [connectionId])
    expect(await a.time()).toBeGreaterThanOrEqual(t0)
    const row = await c.query(`SELECT 1 FROM "ConnectionPace" WHERE "connectionId" = $1`, [connectionId])
    expect(row.rowCount).toBe(1)
  })

  it('a 401 stops the process until the pause is recorded and lifted', async () => {
    const connectionId = await newConnection()
    const [a] = await pacersOf(connectionId, testClock(Date.now()), { concurrency: 1, rate: 10 })
    a.stop('Constructor refused the token')
    a.stop('a second 401 keeps the first reason')
    expect(a.stopped).toBe('Constructor refused the token')
    expect(a.stopIsRecorded).toBe(false)
    a.stopRecorded()
    expect(a.stopIsRecorded).toBe(true)
    a.clearStop()
    expect(a.stopped).toBeNull()
  })
})
