import { describe, expect, it, vi } from 'vitest'
import { getCaller } from '@/lib/auth/caller'
import { makeStore, makeUser, signedIn, uniq } from '@/lib/auth/test-fixtures'
import { runAs } from '@/lib/auth/testing'
import { getBatches } from '@/lib/batches/queries'
import { db } from '@/lib/db'
import { getRecentSaleEvents, getStatusCounts } from '@/lib/sales/queries'
import { getRecentUploads } from '@/lib/uploads/queries'

vi.mock('server-only', () => ({}))

async function eventIn(storeId: string) {
  return db.saleEvent.create({
    data: { kind: 'PURCHASE', storeId, orderId: `Q-${uniq()}`, occurredAt: new Date(), status: 'READY' },
  })
}

describe('dashboard queries are scoped by the caller', () => {
  it('a manager sees only their stores; an admin sees all', async () => {
    const [a, b] = [await makeStore(), await makeStore()]
    const [ea, eb] = [await eventIn(a.id), await eventIn(b.id)]
    await db.upload.create({
      data: { fileName: 'b.csv', sizeBytes: 1n, sha256: 'f'.repeat(64), storeId: b.id },
    })
    const conn = await db.constructorConnection.create({
      data: { baseUrl: 'http://127.0.0.1:9', apiKey: 'k' },
    })
    const batch = await db.batch.create({
      data: { connectionId: conn.id, eventCount: 2, status: 'SUCCEEDED' },
    })
    const onlyB = await db.batch.create({
      data: { connectionId: conn.id, eventCount: 1, status: 'SUCCEEDED' },
    })
    await db.batchEvent.createMany({
      data: [
        { batchId: batch.id, eventId: ea.id, position: 0, outcome: 'SUBMITTED' },
        { batchId: batch.id, eventId: eb.id, position: 1, outcome: 'SUBMITTED' },
        { batchId: onlyB.id, eventId: eb.id, position: 0, outcome: 'SUBMITTED' },
      ],
    })

    const manager = await makeUser({ storeIds: [a.id] })
    const m = (await runAs(signedIn(manager), () => getCaller()))!
    const events = await getRecentSaleEvents(m, 1000)
    expect(events.every((e) => e.storeId === a.id)).toBe(true)
    expect(events.map((e) => e.id)).toContain(ea.id)
    expect(await getStatusCounts(m)).toEqual({ READY: 1 })
    expect((await getRecentUploads(m)).filter((u) => u.storeId === b.id)).toEqual([])
    const batches = (await getBatches(m, { page: 1, size: 100, status: [] })).rows
    expect(batches.map((x) => x.id)).toContain(batch.id)
    expect(batches.map((x) => x.id)).not.toContain(onlyB.id)
    // a manager counts only their own store's events of a mixed batch
    expect(batches.find((x) => x.id === batch.id)).toMatchObject({ events: 1, submitted: 1 })

    const admin = await makeUser({ role: 'ADMIN' })
    const ad = (await runAs(signedIn(admin), () => getCaller()))!
    const all = (await getRecentSaleEvents(ad, 100_000)).map((e) => e.id)
    expect(all).toEqual(expect.arrayContaining([ea.id, eb.id]))
  })
})
