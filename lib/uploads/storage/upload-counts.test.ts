import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { loadCaller } from '@/lib/auth/caller'
import { makeStore, makeUser, uniq } from '@/lib/auth/test-fixtures'
import { sessionFor } from '@/lib/auth/testing'
import { closeDbPool, db } from '@/lib/db'
import { parseSalesFile } from '../parse-sales-file'
import { getUploadAttentionCounts, getUploadInvalidEvents } from '../queries'
import { commitChoice } from '../upload-summary'
import { commitUpload, type UploadPreview } from './ingest'
import { makeUpload } from './testing'

vi.mock('server-only', () => ({}))

// The numbers an upload's page shows agree with each other and with what is stored.
afterAll(async () => {
  await closeDbPool()
})

let store: Awaited<ReturnType<typeof makeStore>>
let manager: Awaited<ReturnType<typeof makeUser>>
beforeAll(async () => {
  store = await makeStore({ code: `UC-${uniq()}` })
  manager = await makeUser({ storeIds: [store.id] })
})

const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
const HEADER = 'order_id,occurred_at,store_code,kind,item_id,item_name,unit_price,quantity'

async function previewOf(uploadId: string) {
  const u = await db.upload.findUniqueOrThrow({ where: { id: uploadId } })
  return u.preview as unknown as UploadPreview
}

const commit = (uploadId: string) =>
  commitUpload({
    uploadId,
    actor: { userId: manager.id, email: manager.email },
    stores: [store],
    defaultStoreCode: store.code,
  })

describe('the numbers of an upload', () => {
  it('counts as rows with problems the rows the problem list names', async () => {
    const day = yesterday()
    const order = `P-${uniq()}`
    const csv = `${HEADER}\n${order},${day} 10:00,${store.code},purchase,A,Mug,2.00,1\n${order},${day} 10:00,${store.code},purchase,B,Cup,,1\n${order},${day} 10:00,${store.code},purchase,C,Pot,3.00,1\n`
    const uploadId = await makeUpload({ store, uploaderId: manager.id, csv })
    const p = await previewOf(uploadId)
    expect(p.problemTotal).toBe(1)
    const listedRows = new Set(p.problems.map((x) => x.row))
    expect(p.counts.invalidRows).toBe(listedRows.size)
    const summary = await commit(uploadId)
    expect(summary.counts.invalidRows).toBe(listedRows.size)
  })

  it('offers no "Store 0 sales" when nothing in the file can be stored', async () => {
    const csv = `${HEADER}\n1,${yesterday()} 10:00,NOPE-${uniq()},purchase,A,Mug,2.00,1\n`
    const uploadId = await makeUpload({ store, uploaderId: manager.id, csv })
    const p = await previewOf(uploadId)
    expect(p.counts.events).toBe(0)
    expect(commitChoice(p)).toEqual({ canStore: false, label: null })
    const some = { ...p, counts: { ...p.counts, events: 3 } }
    expect(commitChoice(some)).toEqual({ canStore: true, label: 'Store 3 sales' })
  })

  it('lists on an upload the invalid sales it carried unchanged from an earlier upload', async () => {
    const order = `U-${uniq()}`
    const bad = `${order},${yesterday()} 10:00,${store.code},purchase,A,Mug,,1`
    const first = await makeUpload({ store, uploaderId: manager.id, csv: `${HEADER}\n${bad}\n` })
    await commit(first)
    const second = await makeUpload({
      store,
      uploaderId: manager.id,
      csv: `${HEADER}\n${bad}\nOK-${uniq()},${yesterday()} 11:00,${store.code},purchase,B,Cup,1.00,1\n`,
    })
    const summary = await commit(second)
    expect(summary.counts).toMatchObject({ unchanged: 1, new: 1, invalidEvents: 1 })
    const caller = await loadCaller(sessionFor(manager))
    if (!caller) throw new Error('no caller')
    expect((await getUploadInvalidEvents(caller, second)).map((e) => e.orderId)).toEqual([order])
    expect(await getUploadAttentionCounts(caller, second)).toEqual({ invalidEvents: 1, rowIssues: 0 })
  })

  it('does not call a date without a time "in the future" on its own day, before noon', async () => {
    const stores = { 'BER-01': { id: 'store-ber', timeZone: 'Europe/Berlin' } }
    // 09:00 in Berlin on 2026-03-10
    const now = new Date('2026-03-10T08:00:00Z')
    const csv = `${HEADER}\nT1,2026-03-10,BER-01,purchase,A,Mug,2.00,1\nT2,2026-03-11,BER-01,purchase,A,Mug,2.00,1\n`
    const r = await parseSalesFile(Buffer.from(csv), { stores, now })
    const byOrder = Object.fromEntries(r.events.map((e) => [e.orderId, e]))
    expect(byOrder.T1?.status).toBe('READY')
    // stored at local noon, as before
    expect(byOrder.T1?.occurredAt?.toISOString()).toBe('2026-03-10T11:00:00.000Z')
    expect(byOrder.T2?.status).toBe('INVALID')
    expect(byOrder.T2?.issues.map((i) => i.field)).toEqual(['occurredAt'])
  })
})
