import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { makeStore, makeUser, uniq } from '@/lib/auth/test-fixtures'
import { closeDbPool, db } from '@/lib/db'
import { applyGroupFix } from './fixes'
import { SALE_LIMITS } from './limits'
import { REASONS } from './reasons'
import { SALE_MESSAGES } from './schema'
import { groupFixSchema } from './table-actions-schema'

vi.mock('server-only', () => ({}))

// Group fixes keep the one table of limits: what they accept is what the columns hold, and an event whose
// values are out of range stays INVALID with its reason instead of failing the fix.
let store: Awaited<ReturnType<typeof makeStore>>
let user: Awaited<ReturnType<typeof makeUser>>

beforeAll(async () => {
  store = await makeStore({ code: `FIX-${uniq()}` })
  user = await makeUser({ storeIds: [store.id] })
})
afterAll(async () => {
  await closeDbPool()
})

describe('group fixes and the limits', () => {
  it('fixes the other lines of an event whose items overflow a total, which stays INVALID with its reason', async () => {
    const big = { role: 'PURCHASED' as const, unitPrice: '99999999999999', quantity: 10_000 }
    const event = await db.saleEvent.create({
      data: {
        kind: 'PURCHASE',
        storeId: store.id,
        orderId: `OVF-${uniq()}`,
        occurredAt: new Date(Date.now() - 86_400_000),
        status: 'INVALID',
        issues: [{ field: 'lineItems.2.quantity', message: 'Quantity is missing' }],
        lineItems: {
          create: [
            { lineNumber: 1, itemId: 'A', ...big },
            { lineNumber: 2, itemId: 'B', ...big },
            { lineNumber: 3, itemId: 'C', role: 'PURCHASED', unitPrice: '1', quantity: null },
          ],
        },
      },
    })
    const out = await db.$transaction((tx) =>
      applyGroupFix(
        tx,
        [event.id],
        { type: 'setQuantity', quantity: 1 },
        { userId: user.id, email: user.email },
      ),
    )
    expect(out).toEqual({ touched: 1, ready: 0 })
    const stored = await db.saleEvent.findUniqueOrThrow({ where: { id: event.id } })
    expect(stored.status).toBe('INVALID')
    expect(stored.issues).toEqual([
      expect.objectContaining({ field: 'lineItems', message: expect.stringMatching(/^The items add up to/) }),
    ])
  })

  it('reads prices with the shared reader and refuses what the columns cannot hold', () => {
    const price = (unitPrice: string) =>
      groupFixSchema.safeParse({ type: 'setPrice', prices: [{ itemId: 'A', itemName: null, unitPrice }] })
    const ok = price(' 12,50 ')
    expect(ok.success && ok.data.type === 'setPrice' && ok.data.prices[0]?.unitPrice).toBe('12.5')
    expect(price('1e3').error?.issues[0]?.message).toMatch(/^Price '1e3' is not an amount/)
    expect(price('123456789012345').error?.issues[0]?.message).toMatch(/too large/)
    expect(price('1.23456').error?.issues[0]?.message).toMatch(/more than 4 decimal places/)
    expect(price('-2').error?.issues[0]?.message).toMatch(/can't be negative/)
  })

  it('reads the time of a group fix as hand entry does: 30 February and 24:00 are refused, not rolled over', () => {
    const time = (localTime: string) => groupFixSchema.safeParse({ type: 'setTime', localTime })
    expect(time('2026-03-02T14:05').success).toBe(true)
    expect(time('2026-02-30T14:05').error?.issues[0]?.message).toMatch(
      /^Date '2026-02-30' is not a real date/,
    )
    expect(time('2026-03-02T24:00').error?.issues[0]?.message).toMatch(/^Time '24:00' can't be read/)
    expect(time('2026-03-02T25:00').error?.issues[0]?.message).toMatch(/^Time '25:00' can't be read/)
  })

  it('refuses an item id with a NUL byte or half an emoji, or over the limit', () => {
    const itemId = (v: string) => groupFixSchema.safeParse({ type: 'setItemId', itemId: v })
    expect(itemId('SKU\u0000').error?.issues[0]?.message).toMatch(/can't be stored/)
    expect(itemId('SKU\uD83D').error?.issues[0]?.message).toMatch(/can't be stored/)
    expect(itemId('x'.repeat(SALE_LIMITS.maxTextLength + 1)).success).toBe(false)
    expect(itemId('SKU-\uD83D\uDE00').success).toBe(true)
  })

  it('groups the reasons of the limits under their own names in the inbox', async () => {
    const reason = async (field: string, message: string) =>
      (await db.$queryRaw<{ r: string }[]>`SELECT sale_issue_reason(${field}, ${message}) AS r`)[0]?.r
    const cases: [string, string, string][] = [
      ['lineItems', SALE_MESSAGES.itemsTotalTooLarge('1,999,999,999,999,980,000'), 'total-too-large'],
      ['returnReason', SALE_MESSAGES.returnReasonTooLong(1_001), 'return-reason-invalid'],
      ['returnReason', SALE_MESSAGES.textUnstorable('Return reason'), 'text-unstorable'],
      ['lineItems.0.itemName', SALE_MESSAGES.textUnstorable('Item name'), 'text-unstorable'],
      ['customerId', SALE_MESSAGES.textUnstorable('Customer id'), 'text-unstorable'],
      ['lineItems', SALE_MESSAGES.itemsMissing(), 'items-missing'],
      ['lineItems.0.itemId', SALE_MESSAGES.textTooLong('Item id', 300), 'item-invalid'],
    ]
    for (const [field, message, code] of cases) {
      expect(await reason(field, message), message).toBe(code)
      expect(REASONS[code], code).toBeDefined()
    }
  })
})
