import { beforeAll, describe, expect, it, vi } from 'vitest'
import { makeStore, makeUser, signedIn, uniq } from '@/lib/auth/test-fixtures'
import { runAs } from '@/lib/auth/testing'
import { db } from '@/lib/db'
import { SALE_LIMITS } from '@/lib/sales/limits'
import { SALE_MESSAGES } from '@/lib/sales/schema'
import { createSaleByHandAction } from './actions'
import { type HandEntryItemValues, type HandEntryValues, handEntrySchema, localToUtc } from './form-schema'

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
  locale: 'en-US',
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

// The same reader as an upload's (lib/sales/read-values.ts): what a file would refuse, a form refuses too, with a
// message on the field that says how to write it; nothing reaches the database as "Something went wrong".
describe('hand entry reads values like an upload', () => {
  const item = (over: Partial<HandEntryItemValues>) => ({
    itemId: 'MUG-1',
    itemName: 'Mug',
    unitPrice: '12.50',
    quantity: '1',
    ...over,
  })
  async function refused(input: HandEntryValues) {
    const before = await db.saleEvent.count({ where: { storeId: store.id } })
    const result = await runAs(signedIn(manager), () => createSaleByHandAction(input))
    expect(await db.saleEvent.count({ where: { storeId: store.id } })).toBe(before)
    expect(result.ok).toBe(false)
    if (result.ok) throw new Error('stored')
    expect(result.error).not.toMatch(/Something went wrong/)
    return result.fieldErrors ?? {}
  }

  it.each(['1,000', '1.000', '1e3', '0x10', '+-2'])(
    'refuses the quantity %s and says how to write it',
    async (q) => {
      const errors = await refused({ ...base(), lineItems: [item({ quantity: q })] })
      expect(errors['lineItems.0.quantity']?.[0]).toMatch(
        new RegExp(`^Quantity '${q.replace(/[.+]/g, '\\$&')}'.* like 1000|^Quantity '.*' is not a number`),
      )
    },
  )

  it('reads whole quantities, and refuses fractions', async () => {
    const errors = await refused({ ...base(), lineItems: [item({ quantity: '1,5' })] })
    expect(errors['lineItems.0.quantity']).toEqual([SALE_MESSAGES.quantityNotWhole('1,5')])
  })

  it.each([
    ['2026-02-30', '14:05', 'date', /^Date '2026-02-30' is not a real date/],
    ['2026-13-01', '14:05', 'date', /^Date '2026-13-01' is not a real date/],
    ['someday', '14:05', 'date', /^Date 'someday' can't be read/],
    [yesterday, '25:00', 'time', /^Time '25:00' can't be read — write it like 14:05/],
    [yesterday, '24:00', 'time', /^Time '24:00' can't be read/],
    [yesterday, '14:60', 'time', /^Time '14:60' can't be read/],
    [yesterday, '', 'time', /^Time is missing/],
  ])('refuses the date %s at %s instead of rolling it over', async (date, time, field, message) => {
    const errors = await refused({ ...base(), date, time })
    expect(errors[field]?.[0]).toMatch(message)
  })

  it.each([
    ['customerId', { customerId: 'C\u00007' }],
    ['orderId', { orderId: 'R-\uD83D' }],
    ['lineItems.0.itemName', { lineItems: [item({ itemName: 'Mug\u0000' })] }],
    ['lineItems.0.itemId', { lineItems: [item({ itemId: '\uDE00MUG' })] }],
  ])('gives a NUL byte or half an emoji in %s a reason on that field', async (field, over) => {
    const errors = await refused({ ...base(), ...over })
    expect(errors[field]?.[0]).toMatch(/contains a character that can't be stored/)
  })

  it('limits the return reason', async () => {
    const errors = await refused({
      ...base(),
      kind: 'RETURN' as const,
      orderId: `R-${uniq()}`,
      returnReason: 'x'.repeat(SALE_LIMITS.maxReturnReasonLength + 1),
    })
    expect(errors.returnReason).toEqual([
      SALE_MESSAGES.returnReasonTooLong(SALE_LIMITS.maxReturnReasonLength + 1),
    ])
  })

  it('refuses two lines of 99,999,999,999,999 × 10,000 with a reason, not a crash', async () => {
    const big = item({ unitPrice: '99999999999999', quantity: '10000' })
    const errors = await refused({ ...base(), lineItems: [big, { ...big, itemId: 'MUG-2' }] })
    expect(errors.lineItems?.[0]).toMatch(/^The items add up to 1,999,999,999,999,980,000/)
  })

  it("reads amounts with the store's decimal separator", async () => {
    const de = await makeStore({ code: `HE-DE-${uniq()}` })
    await db.store.update({ where: { id: de.id }, data: { locale: 'de-DE' } })
    const deManager = await makeUser({ storeIds: [de.id] })
    const input = {
      ...base(),
      storeId: de.id,
      locale: 'de-DE',
      lineItems: [item({ unitPrice: '1.234,50' }), item({ itemId: 'MUG-2', unitPrice: '2,345' })],
    }
    const result = await runAs(signedIn(deManager), () => createSaleByHandAction(input))
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const lines = await db.lineItem.findMany({
      where: { eventId: result.data.id },
      orderBy: { lineNumber: 'asc' },
    })
    expect(lines.map((l) => l.unitPrice?.toString())).toEqual(['1234.5', '2.345'])
    // the page was opened before an admin changed the store's locale: read it again
    const stale = await runAs(signedIn(deManager), () =>
      createSaleByHandAction({ ...input, locale: 'en-US' }),
    )
    expect(stale.ok).toBe(false)
  })

  it('reads 1,234 as a thousand in a store whose locale writes a decimal point', async () => {
    const result = await runAs(signedIn(manager), () =>
      createSaleByHandAction({ ...base(), locale: 'en-US', lineItems: [item({ unitPrice: '1,234' })] }),
    )
    expect(result.ok).toBe(true)
    if (!result.ok) return
    const line = await db.lineItem.findFirstOrThrow({ where: { eventId: result.data.id } })
    expect(line.unitPrice?.toString()).toBe('1234')
  })
})
