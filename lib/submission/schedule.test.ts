import { parseCrontab } from 'graphile-worker'
import { describe, expect, it, vi } from 'vitest'
import { makeStore, uniq } from '@/lib/auth/test-fixtures'
import { unknownItemMessage } from '@/lib/catalog/preflight'
import { startTestSandbox } from '@/lib/constructor/testing/sandbox'
import { encryptSecret } from '@/lib/crypto/secret-box'
import { db, dbPool } from '@/lib/db'
import { nextRunAt } from './next-run'
import { RUN_SCHEDULES_TASK, runDueSchedules, SCHEDULES_CRONTAB } from './schedule'

vi.mock('server-only', () => ({}))
process.env.ENCRYPTION_KEY ??= 'd'.repeat(64)

// Scheduled submission: the rule for the next run (pure), and the runner against the real database: it submits
// a due store's READY sales through submit.ts, moves the schedule on, and two runners never submit one twice.

describe('nextRunAt', () => {
  const now = new Date('2026-03-07T20:00:00Z')
  it('is never when off, now when "as soon as ready", and the next local HH:MM when daily', () => {
    expect(nextRunAt('OFF', null, 'America/New_York', now)).toBeNull()
    expect(nextRunAt('WHEN_READY', null, 'America/New_York', now)).toEqual(now)
    // 15:00 in New York (EST) has passed at 20:00Z; 23:30 EST today has not
    expect(nextRunAt('DAILY', '23:30', 'America/New_York', now)?.toISOString()).toBe(
      '2026-03-08T04:30:00.000Z',
    )
    expect(nextRunAt('DAILY', '14:00', 'America/New_York', now)?.toISOString()).toBe(
      '2026-03-08T18:00:00.000Z',
    )
  })
  it('follows the store’s zone across a DST change, and runs a time in the gap just after it', () => {
    // 2026-03-08: New York springs forward at 02:00; 02:30 does not exist that night
    expect(nextRunAt('DAILY', '02:30', 'America/New_York', now)?.toISOString()).toBe(
      '2026-03-08T07:30:00.000Z',
    )
    expect(nextRunAt('DAILY', '01:00', 'Europe/Berlin', now)?.toISOString()).toBe('2026-03-08T00:00:00.000Z')
  })
})

async function readyEvents(storeId: string, n: number) {
  const at = new Date(Date.now() - 86_400_000)
  for (let i = 0; i < n; i++)
    await db.saleEvent.create({
      data: {
        kind: 'PURCHASE',
        storeId,
        orderId: `SCH-${uniq()}`,
        occurredAt: at,
        status: 'READY',
        issues: [],
        itemCount: 1,
        itemsTotal: '5',
        lineItems: {
          create: [{ lineNumber: 1, role: 'PURCHASED', itemId: 'SKU', unitPrice: '5', quantity: 1 }],
        },
      },
    })
}
const statuses = async (storeId: string) =>
  (await db.saleEvent.findMany({ where: { storeId }, select: { status: true } })).map((e) => e.status).sort()

describe('runDueSchedules', () => {
  it('submits a due store’s READY sales, records the result, and a concurrent runner submits nothing twice', async () => {
    await db.constructorConnection.create({
      data: {
        name: `sched ${uniq()}`,
        baseUrl: 'http://127.0.0.1:9',
        apiKey: 'k',
        tokenCiphertext: 'x',
        tokenHint: 'x',
      },
    })
    const [soon, daily, later, off] = [
      await makeStore(),
      await makeStore(),
      await makeStore(),
      await makeStore(),
    ]
    for (const s of [soon, daily, later, off]) await readyEvents(s.id, 3)
    const now = new Date()
    await db.storeSchedule.createMany({
      data: [
        { storeId: soon.id, mode: 'WHEN_READY', nextRunAt: now },
        { storeId: daily.id, mode: 'DAILY', dailyAt: '23:30', nextRunAt: new Date(now.getTime() - 60_000) },
        {
          storeId: later.id,
          mode: 'DAILY',
          dailyAt: '23:30',
          nextRunAt: new Date(now.getTime() + 3_600_000),
        },
        { storeId: off.id, mode: 'OFF', nextRunAt: null },
      ],
    })
    const mine = new Set([soon.id, daily.id, later.id, off.id])
    const [a, b] = await Promise.all([runDueSchedules(dbPool(), now), runDueSchedules(dbPool(), now)])
    const runs = [...a, ...b].filter((r) => mine.has(r.storeId))
    expect(runs.map((r) => r.storeId).sort()).toEqual([soon.id, daily.id].sort())
    expect(runs.every((r) => r.ok && r.eventCount === 3)).toBe(true)
    expect(await statuses(soon.id)).toEqual(['QUEUED', 'QUEUED', 'QUEUED'])
    expect(await statuses(daily.id)).toEqual(['QUEUED', 'QUEUED', 'QUEUED'])
    expect(await statuses(later.id)).toEqual(['READY', 'READY', 'READY'])
    expect(await statuses(off.id)).toEqual(['READY', 'READY', 'READY'])
    const d = await db.storeSchedule.findUniqueOrThrow({ where: { storeId: daily.id } })
    expect(d).toMatchObject({ lastOk: true, lastResult: 'Submitted 3 sales in 1 batch.' })
    expect(d.nextRunAt?.getTime()).toBeGreaterThan(now.getTime())
    const batches = await db.batch.findMany({ where: { storeIds: { has: soon.id } } })
    expect(batches.map((x) => [x.eventCount, x.createdById])).toEqual([[3, null]])
    // nothing new is ready: the next minute does nothing for these stores
    const next = await runDueSchedules(dbPool(), new Date(now.getTime() + 60_000))
    expect(next.filter((r) => mine.has(r.storeId))).toEqual([])
  })
})

describe('a scheduled run and the catalog pre-flight', () => {
  it('holds a sale whose item is not in the Constructor catalog instead of sending it, and sends the others', async () => {
    const gone = `GONE-${uniq()}`
    const sandbox = await startTestSandbox({ catalog: { known: null, missing: [gone] } })
    // the schedule submits through the first connection: this one, for the length of the test
    const conn = await db.constructorConnection.create({
      data: {
        name: `sched catalog ${uniq()}`,
        baseUrl: sandbox.url,
        apiKey: 'test-key',
        tokenCiphertext: encryptSecret(sandbox.token),
        holdUnknownItems: true,
        createdAt: new Date('2000-01-01T00:00:00Z'),
      },
    })
    try {
      const store = await makeStore()
      const at = new Date(Date.now() - 86_400_000)
      const sale = (itemId: string) =>
        db.saleEvent.create({
          data: {
            kind: 'PURCHASE',
            storeId: store.id,
            orderId: `SCH-${uniq()}`,
            occurredAt: at,
            status: 'READY',
            issues: [],
            itemCount: 1,
            itemsTotal: '5',
            lineItems: {
              create: [{ lineNumber: 1, role: 'PURCHASED', itemId, unitPrice: '5', quantity: 1 }],
            },
          },
        })
      const missing = await sale(gone)
      const known = await sale('SKU-KNOWN')
      const now = new Date()
      await db.storeSchedule.create({ data: { storeId: store.id, mode: 'WHEN_READY', nextRunAt: now } })
      const runs = (await runDueSchedules(dbPool(), now)).filter((r) => r.storeId === store.id)
      expect(runs).toHaveLength(1)
      expect(runs[0]).toMatchObject({ ok: true, eventCount: 1 })
      const held = await db.saleEvent.findUniqueOrThrow({ where: { id: missing.id } })
      expect(held.status).toBe('INVALID')
      expect(held.issues).toEqual([{ field: 'lineItems.0.itemId', message: unknownItemMessage(gone) }])
      expect((await db.saleEvent.findUniqueOrThrow({ where: { id: known.id } })).status).toBe('QUEUED')
      const batches = await db.batch.findMany({ where: { storeIds: { has: store.id } } })
      expect(batches.flatMap((b) => b.eventIds)).toEqual([known.id])
      const schedule = await db.storeSchedule.findUniqueOrThrow({ where: { storeId: store.id } })
      expect(schedule.lastResult).toBe(
        'Submitted 1 sale in 1 batch. 1 sale held for items not in your Constructor catalog.',
      )
    } finally {
      await db.constructorConnection.update({ where: { id: conn.id }, data: { createdAt: new Date() } })
      await sandbox.dispose()
    }
  })
})

describe('the worker’s crontab line', () => {
  it('is one graphile-worker accepts: every minute, the schedules task, one run at a time', () => {
    const [item] = parseCrontab(SCHEDULES_CRONTAB)
    expect(item?.task).toBe(RUN_SCHEDULES_TASK)
    expect(item?.options.maxAttempts).toBe(1)
    expect(item?.identifier).toBe(RUN_SCHEDULES_TASK)
  })
})

describe('a store that moves time zone', () => {
  it('keeps its daily run at the same local time in the new zone', async () => {
    const { updateStoreAction } = await import('@/lib/stores/actions')
    const { makeUser, signedIn } = await import('@/lib/auth/test-fixtures')
    const { runAs } = await import('@/lib/auth/testing')
    const store = await makeStore()
    const now = new Date()
    await db.storeSchedule.create({
      data: {
        storeId: store.id,
        mode: 'DAILY',
        dailyAt: '23:30',
        nextRunAt: nextRunAt('DAILY', '23:30', store.timeZone, now),
      },
    })
    const admin = signedIn(await makeUser({ role: 'ADMIN' }))
    const moved = await runAs(admin, () =>
      updateStoreAction({
        storeId: store.id,
        code: store.code,
        name: store.name,
        latitude: '40.7233',
        longitude: '-74.0030',
        timeZone: 'America/New_York',
        currency: 'USD',
        locale: 'en-US',
      }),
    )
    expect(moved.ok).toBe(true)
    const s = await db.storeSchedule.findUniqueOrThrow({ where: { storeId: store.id } })
    const local = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'America/New_York',
      hour: '2-digit',
      minute: '2-digit',
    })
    expect(local.format(s.nextRunAt as Date)).toBe('23:30')
  })
})
