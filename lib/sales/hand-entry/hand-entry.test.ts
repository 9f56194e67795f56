import { beforeAll, describe, expect, it, vi } from 'vitest'
import { makeStore, makeUser, signedIn, uniq } from '@/lib/auth/test-fixtures'
import { runAs } from '@/lib/auth/testing'
import { db } from '@/lib/db'
import { createSaleByHandAction } from './actions'
import { handEntrySchema, localToUtc } from './form-schema'

vi.mock('server-only', () => ({}))

// A sale typed in by hand: the time read in the store's zone, the same schema in the form and on the server.
let store: Awaited<ReturnType<typeof makeStore>>
let manager: Awaited<ReturnType<typeof makeUser>>
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)

beforeAll(async () => {
  store = await makeStore({ code: `HE-${uniq()}` })
  manager = await makeUser({ storeIds: [store.id] })
})

const base = () => ({
  storeId: store.id,
  timeZone: 'Europe/Berlin',
  kind: 'PURCHASE' as const,
  date: yesterday,
  time: '14:05',
  customerId: 'C-7',
  orderId: '',
  lineItems: [
    { itemId: 'MUG-1', itemName: 'Mug', variationId: 'blue', unitPrice: '12,50', quantity: '2' },
    { itemId: '', itemName: 'Gift wrap', unitPrice: '1.00', quantity: '1' },
  ],
})

describe('hand entry', () => {
  it('reads the date and time in the store zone', () => {
    expect(localToUtc('2026-03-02', '14:05', 'Europe/Berlin')?.toISOString()).toBe('2026-03-02T13:05:00.000Z')
    expect(localToUtc('2026-07-02', '14:05', 'America/New_York')?.toISOString()).toBe(
      '2026-07-02T18:05:00.000Z',
    )
    expect(localToUtc('', '14:05', 'Europe/Berlin')).toBeNull()
  })

  it('stores a purchase with a generated order number, its items and total', async () => {
    const result = await runAs(signedIn(manager), () => createSaleByHandAction(base()))
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.data.orderId).toMatch(/^HAND-\d{8}-[0-9A-F]{6}$/)
    const stored = await db.saleEvent.findUniqueOrThrow({
      where: { id: result.data.id },
      include: { lineItems: { orderBy: { lineNumber: 'asc' } } },
    })
    expect(stored).toMatchObject({
      kind: 'PURCHASE',
      storeId: store.id,
      orderIdGenerated: true,
      occurredAt: localToUtc(yesterday, '14:05', 'Europe/Berlin'),
      customerId: 'C-7',
      status: 'READY',
      itemCount: 2,
      createdById: manager.id,
    })
    expect(stored.itemsTotal.toString()).toBe('26')
    expect(
      stored.lineItems.map((l) => [
        l.lineNumber,
        l.role,
        l.itemId,
        l.itemName,
        l.variationId,
        l.unitPrice?.toString(),
        l.quantity,
      ]),
    ).toEqual([
      [1, 'PURCHASED', 'MUG-1', 'Mug', 'blue', '12.5', 2],
      [2, 'PURCHASED', null, 'Gift wrap', null, '1', 1],
    ])
    expect(await db.auditLog.count({ where: { entityId: stored.id, action: 'sale.created' } })).toBe(1)
  })

  it('stores a return of returned items, and refuses the same order twice', async () => {
    const orderId = `R-${uniq()}`
    const input = { ...base(), kind: 'RETURN' as const, orderId, returnReason: 'Broken' }
    const first = await runAs(signedIn(manager), () => createSaleByHandAction(input))
    expect(first.ok).toBe(true)
    const stored = await db.saleEvent.findFirstOrThrow({
      where: { storeId: store.id, orderId },
      include: { lineItems: true },
    })
    expect(stored).toMatchObject({ kind: 'RETURN', returnReason: 'Broken', orderIdGenerated: false })
    expect(stored.lineItems.every((l) => l.role === 'RETURNED')).toBe(true)
    const again = await runAs(signedIn(manager), () => createSaleByHandAction(input))
    expect(again).toEqual({
      ok: false,
      error: `Order ${orderId} is already recorded for this store. Open it in Sales to change it.`,
      fieldErrors: { orderId: [`Order ${orderId} is already recorded for this store`] },
    })
  })

  it('gives the same field errors in the browser and on the server, and stores nothing', async () => {
    const bad = {
      ...base(),
      date: '2099-01-01',
      lineItems: [{ itemId: '', itemName: '', unitPrice: 'abc', quantity: '0' }],
    }
    const local = handEntrySchema.safeParse(bad)
    expect(local.success).toBe(false)
    const before = await db.saleEvent.count({ where: { storeId: store.id } })
    const result = await runAs(signedIn(manager), () => createSaleByHandAction(bad))
    expect(result.ok).toBe(false)
    if (result.ok) return
    const browser: Record<string, string[]> = {}
    for (const i of local.error?.issues ?? []) {
      const k = i.path.join('.')
      browser[k] = [...(browser[k] ?? []), i.message]
    }
    expect(result.fieldErrors).toEqual(browser)
    expect(Object.keys(browser).sort()).toEqual([
      'date',
      'lineItems.0.itemId',
      'lineItems.0.quantity',
      'lineItems.0.unitPrice',
    ])
    expect(browser['lineItems.0.unitPrice']).toEqual(["Price 'abc' is not an amount — write it like 12.50"])
    expect(await db.saleEvent.count({ where: { storeId: store.id } })).toBe(before)
  })
})
