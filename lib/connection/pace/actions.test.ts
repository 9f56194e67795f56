import { describe, expect, it, vi } from 'vitest'
import { makeStore, makeUser, signedIn, uniq } from '@/lib/auth/test-fixtures'
import { runAs } from '@/lib/auth/testing'
import { savePaceAction } from '@/lib/connection/pace/actions'
import { getConnectionForSettings } from '@/lib/connection/queries'
import { db } from '@/lib/db'

vi.mock('server-only', () => ({}))

// The sending pace (requests per second and requests at once, shared by every worker) is set on the connection's
// settings page: validated, audited, admins only.

async function connection() {
  return db.constructorConnection.create({
    data: { name: `pace ${uniq()}`, baseUrl: 'http://127.0.0.1:9', apiKey: 'pace-key' },
  })
}

describe('sending pace on the settings page', () => {
  it('an admin lowers the rate and the concurrency; the change is audited and the settings page shows it', async () => {
    const admin = await makeUser({ role: 'ADMIN' })
    const conn = await connection()
    // a 429 had slowed the shared pace to 15/s; lowering the limit to 5/s applies to that pace at once
    await db.connectionPace.create({
      data: { connectionId: conn.id, nextAt: new Date(), rate: 15, updatedAt: new Date() },
    })
    const r = await runAs(signedIn(admin), () =>
      savePaceAction({ connectionId: conn.id, maxRequestsPerSecond: 5, maxConcurrency: 2 }),
    )
    expect(r).toEqual({ ok: true, data: { maxRequestsPerSecond: 5, maxConcurrency: 2 } })
    expect(await db.constructorConnection.findUniqueOrThrow({ where: { id: conn.id } })).toMatchObject({
      maxRequestsPerSecond: 5,
      maxConcurrency: 2,
    })
    expect((await db.connectionPace.findUniqueOrThrow({ where: { connectionId: conn.id } })).rate).toBe(5)
    const trail = await db.auditLog.findMany({ where: { entityId: conn.id } })
    expect(trail).toHaveLength(1)
    expect(trail[0]).toMatchObject({
      action: 'connection.pace-changed',
      actorId: admin.id,
      details: {
        changes: {
          maxRequestsPerSecond: { before: 20, after: 5 },
          maxConcurrency: { before: 4, after: 2 },
        },
      },
    })
    const caller = await runAs(signedIn(admin), async () => (await import('@/lib/auth/caller')).getCaller())
    const view = await getConnectionForSettings(caller!)
    expect(view).toMatchObject({
      maxRequestsPerSecond: expect.any(Number),
      maxConcurrency: expect.any(Number),
    })
  })

  it('refuses a pace out of bounds or not a whole number, with a message beside the field, and changes nothing', async () => {
    const admin = await makeUser({ role: 'ADMIN' })
    const conn = await connection()
    for (const [input, field] of [
      [{ maxRequestsPerSecond: 0, maxConcurrency: 4 }, 'maxRequestsPerSecond'],
      [{ maxRequestsPerSecond: 100_000, maxConcurrency: 4 }, 'maxRequestsPerSecond'],
      [{ maxRequestsPerSecond: 2.5, maxConcurrency: 4 }, 'maxRequestsPerSecond'],
      [{ maxRequestsPerSecond: 20, maxConcurrency: 0 }, 'maxConcurrency'],
      [{ maxRequestsPerSecond: 20, maxConcurrency: 1_000 }, 'maxConcurrency'],
    ] as const) {
      const r = await runAs(signedIn(admin), () => savePaceAction({ connectionId: conn.id, ...input }))
      expect(r).toMatchObject({ ok: false, fieldErrors: { [field]: [expect.any(String)] } })
    }
    expect(await db.constructorConnection.findUniqueOrThrow({ where: { id: conn.id } })).toMatchObject({
      maxRequestsPerSecond: 20,
      maxConcurrency: 4,
    })
    expect(await db.auditLog.count({ where: { entityId: conn.id } })).toBe(0)
  })

  it('a store manager cannot change the pace', async () => {
    const store = await makeStore({ code: `PACE-${uniq()}` })
    const manager = await makeUser({ storeIds: [store.id] })
    const conn = await connection()
    const r = await runAs(signedIn(manager), () =>
      savePaceAction({ connectionId: conn.id, maxRequestsPerSecond: 1, maxConcurrency: 1 }),
    )
    expect(r).toMatchObject({ ok: false })
    expect(await db.constructorConnection.findUniqueOrThrow({ where: { id: conn.id } })).toMatchObject({
      maxRequestsPerSecond: 20,
    })
  })
})
