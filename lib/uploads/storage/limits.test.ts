import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { loadCaller } from '@/lib/auth/caller'
import { makeStore, makeUser, uniq } from '@/lib/auth/test-fixtures'
import { sessionFor } from '@/lib/auth/testing'
import { closeDbPool, db } from '@/lib/db'
import { SALE_LIMITS } from '@/lib/sales/limits'
import type { SaleIssue } from '@/lib/sales/schema'
import { commitUpload, type IngestStore, previewUpload } from './ingest'
import { receiveUpload } from './receive'

vi.mock('server-only', () => ({}))

// A value outside a limit (a long item id, an overflowing total) is a reason on its event, never a failed
// commit: the file is stored, the event is INVALID and says which field to fix.
const NOW = new Date('2026-03-10T12:00:00Z')
const HEADER =
  'order_id,occurred_at,store_code,customer_id,kind,item_id,item_name,variation_id,unit_price,quantity,return_reason'

type Store = Awaited<ReturnType<typeof makeStore>>
let manager: Awaited<ReturnType<typeof makeUser>>
let store: Store
let stores: IngestStore[]

beforeAll(async () => {
  store = await makeStore({ code: `LIM-${uniq()}` })
  manager = await makeUser({ storeIds: [store.id] })
  stores = [
    {
      id: store.id,
      code: store.code,
      timeZone: store.timeZone,
      latitude: store.latitude,
      longitude: store.longitude,
    },
  ]
})
afterAll(async () => {
  await closeDbPool()
})

async function uploadAndCommit(csv: string) {
  const bytes = Buffer.from(csv)
  const caller = await loadCaller(sessionFor(manager))
  if (!caller) throw new Error('no caller')
  const received = await receiveUpload({
    caller,
    storeId: store.id,
    fileName: 'sales.csv',
    contentLength: bytes.length,
    body: (async function* () {
      yield bytes
    })(),
    ip: '127.0.0.1',
  })
  if (!received.ok) throw new Error(received.error)
  const { uploadId } = received
  const u = await db.upload.findUniqueOrThrow({ where: { id: uploadId } })
  const preview = await previewUpload({
    uploadId,
    sizeBytes: Number(u.sizeBytes),
    sha256: u.sha256,
    storeId: u.storeId,
    stores,
    defaultStoreCode: store.code,
    settings: {},
    now: NOW,
  })
  const summary = await commitUpload({
    uploadId,
    actor: { userId: manager.id, email: manager.email },
    stores,
    defaultStoreCode: store.code,
    now: NOW,
  })
  const events = await db.saleEvent.findMany({
    where: { uploadId },
    include: { lineItems: { orderBy: { lineNumber: 'asc' } } },
  })
  const byOrder = new Map(events.map((e) => [e.orderId, e]))
  return { uploadId, preview, summary, events, byOrder }
}

const row = (orderId: string, cells: Partial<Record<string, string>> = {}) =>
  [
    orderId,
    cells.at ?? '2026-03-09 10:00',
    store.code,
    cells.customer ?? 'C-1',
    cells.kind ?? 'purchase',
    cells.itemId ?? 'SKU-1',
    cells.itemName ?? 'Mug',
    cells.variation ?? '',
    cells.price ?? '12.50',
    cells.quantity ?? '1',
    cells.reason ?? '',
  ].join(',')

const issuesOf = (e: { issues: unknown }) => (e.issues ?? []) as SaleIssue[]

describe('a value outside a limit', () => {
  it('stores a file with a 300-character item id, name, customer id and order id: those events INVALID with a reason', async () => {
    const run = uniq()
    const long = (c: string, n: number) => c.repeat(n)
    const longOrder = `L${run}-${long('O', 600)}`
    const csv = [
      HEADER,
      row(`OK-${run}`),
      row(`ID-${run}`, { itemId: long('I', 300) }),
      row(`NAME-${run}`, { itemName: long('N', 300) }),
      row(`CUST-${run}`, { customer: long('C', 300) }),
      row(`VAR-${run}`, { variation: long('V', 300) }),
      row(longOrder),
      row(`RR-${run}`, { kind: 'return', reason: long('R', SALE_LIMITS.maxReturnReasonLength + 1) }),
      '',
    ].join('\n')
    const { summary, events, byOrder } = await uploadAndCommit(csv)
    expect(summary.noOp).toBe(false)
    expect(events).toHaveLength(7)
    expect(byOrder.get(`OK-${run}`)?.status).toBe('READY')

    const expectReason = (orderId: string, field: string, text: RegExp) => {
      const e = byOrder.get(orderId)
      expect(e, orderId.slice(0, 40)).toBeDefined()
      expect(e?.status).toBe('INVALID')
      expect(issuesOf(e!)).toEqual(
        expect.arrayContaining([expect.objectContaining({ field, message: expect.stringMatching(text) })]),
      )
    }
    expectReason(`ID-${run}`, 'lineItems.0.itemId', /^Item id is 300 characters long/)
    expectReason(`NAME-${run}`, 'lineItems.0.itemName', /^Item name is 300 characters long/)
    expectReason(`CUST-${run}`, 'customerId', /^Customer id is 300 characters long/)
    expectReason(`VAR-${run}`, 'lineItems.0.variationId', /^Variation id is 300 characters long/)
    expectReason(`RR-${run}`, 'returnReason', /^Return reason is 1001 characters long/)
    // values up to twice the limit are kept whole, so the person fixing them sees what the file had
    expect(byOrder.get(`ID-${run}`)?.lineItems[0]?.itemId).toBe(long('I', 300))
    // a longer order number is cut for storage, stays over the limit, and keeps its reason
    const cut = events.find((e) => e.orderId.startsWith(`L${run}-`))
    expect(cut?.status).toBe('INVALID')
    expect(cut!.orderId.length).toBeLessThanOrEqual(SALE_LIMITS.storedTextLength)
    expect(cut!.orderId.length).toBeGreaterThan(SALE_LIMITS.maxTextLength)
    expect(issuesOf(cut!)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          field: 'orderId',
          message: expect.stringMatching(/^Order number is \d+ characters long/),
        }),
      ]),
    )
    const upload = await db.upload.findFirstOrThrow({ where: { id: events[0]!.uploadId! } })
    expect(upload.status).toBe('COMMITTED')
  })

  it('refuses an overflowing total: two lines of 99,999,999,999,999 × 10,000 are INVALID, not READY with 0', async () => {
    const run = uniq()
    const csv = [
      HEADER,
      row(`BIG-${run}`, { itemId: 'A', price: '99999999999999', quantity: '10000' }),
      row(`BIG-${run}`, { itemId: 'B', price: '99999999999999', quantity: '10000' }),
      row(`SMALL-${run}`),
      '',
    ].join('\n')
    const { byOrder } = await uploadAndCommit(csv)
    const big = byOrder.get(`BIG-${run}`)
    expect(big?.status).toBe('INVALID')
    expect(issuesOf(big!)).toEqual([
      expect.objectContaining({
        field: 'lineItems',
        message: expect.stringMatching(/^The items add up to 1,999,999,999,999,980,000/),
      }),
    ])
    expect(big?.lineItems.map((l) => [l.unitPrice?.toString(), l.quantity])).toEqual([
      ['99999999999999', 10000],
      ['99999999999999', 10000],
    ])
    expect(byOrder.get(`SMALL-${run}`)?.status).toBe('READY')
  })

  it('stores a 10,000-row file whose every 100th row breaks a limit: 9,900 good events and 100 invalid ones, in one commit', async () => {
    const run = uniq()
    const breakers: Partial<Record<string, string>>[] = [
      { itemId: 'X'.repeat(251) },
      { itemName: 'N'.repeat(400) },
      { quantity: '10001' },
      { price: '123456789012345' },
      { price: '1.23456' },
      { customer: 'C'.repeat(1_000) },
      { variation: 'V'.repeat(260) },
      { quantity: '0' },
    ]
    const lines = [HEADER]
    for (let i = 0; i < 10_000; i++)
      lines.push(row(`T${run}-${i}`, i % 100 === 99 ? breakers[((i / 100) | 0) % breakers.length] : {}))
    lines.push('')
    const { summary, events } = await uploadAndCommit(lines.join('\n'))
    expect(summary.counts.events).toBe(10_000)
    expect(summary.counts.new).toBe(10_000)
    expect(events.filter((e) => e.status === 'READY')).toHaveLength(9_900)
    const invalid = events.filter((e) => e.status === 'INVALID')
    expect(invalid).toHaveLength(100)
    for (const e of invalid) {
      const n = Number(e.orderId.split('-').at(-1))
      expect(n % 100).toBe(99)
      expect(issuesOf(e).length).toBeGreaterThan(0)
    }
  })
})
