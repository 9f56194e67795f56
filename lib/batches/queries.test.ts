import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { loadCaller } from '@/lib/auth/caller'
import { makeStore, makeUser, uniq } from '@/lib/auth/test-fixtures'
import { sessionFor } from '@/lib/auth/testing'
import { closeDbPool, db } from '@/lib/db'
import { getBatchDetail } from './queries'

vi.mock('server-only', () => ({}))

// A batch's page offers "Retry failed sales" only while one of its failed sales can still be retried.
afterAll(closeDbPool)

let store: Awaited<ReturnType<typeof makeStore>>
let manager: Awaited<ReturnType<typeof makeUser>>
let connectionId: string
beforeAll(async () => {
  store = await makeStore({ code: `BQ-${uniq()}` })
  manager = await makeUser({ storeIds: [store.id] })
  const c = await db.constructorConnection.create({
    data: {
      name: `bq ${uniq()}`,
      baseUrl: 'http://127.0.0.1:9',
      apiKey: 'k',
      tokenCiphertext: 'x',
      tokenHint: 'x',
    },
  })
  connectionId = c.id
})

async function failedBatchWith(eventStatus: 'FAILED' | 'SUBMITTED' | 'READY') {
  const batch = await db.batch.create({
    data: { connectionId, eventCount: 1, status: 'FAILED', finishedAt: new Date(), storeIds: [store.id] },
  })
  const e = await db.saleEvent.create({
    data: {
      kind: 'PURCHASE',
      storeId: store.id,
      orderId: `BQ-${uniq()}`,
      occurredAt: new Date(Date.now() - 3_600_000),
      status: eventStatus,
      itemCount: 1,
      itemsTotal: '9.9',
      lineItems: { create: [{ lineNumber: 1, itemId: 'SKU', unitPrice: '9.90', quantity: 1 }] },
    },
  })
  await db.batch.update({ where: { id: batch.id }, data: { eventIds: [e.id] } })
  await db.batchEvent.create({
    data: { batchId: batch.id, eventId: e.id, position: 0, outcome: 'FAILED', error: 'refused' },
  })
  return batch.id
}

describe('a failed batch', () => {
  it('has nothing to retry once its failed sale was fixed and sent in another batch', async () => {
    const caller = await loadCaller(sessionFor(manager))
    if (!caller) throw new Error('no caller')
    const sentElsewhere = await getBatchDetail(caller, await failedBatchWith('SUBMITTED'))
    expect(sentElsewhere?.byOutcome.FAILED).toBe(1)
    expect(sentElsewhere?.retryable).toBe(0)
    expect((await getBatchDetail(caller, await failedBatchWith('FAILED')))?.retryable).toBe(1)
    // fixed but not sent yet: retrying sends it
    expect((await getBatchDetail(caller, await failedBatchWith('READY')))?.retryable).toBe(1)
  })
})
