import { beforeAll, describe, expect, it, vi } from 'vitest'
import { makeStore, makeUser, uniq } from '@/lib/auth/test-fixtures'
import { runAs, sessionFor } from '@/lib/auth/testing'
import { buildAction } from '@/lib/constructor/payload'
import { db } from '@/lib/db'
import type { LineItemRole } from '@/lib/generated/prisma/client'
import { completeRefundAction } from '@/lib/sales/actions'
import { getSaleEvents } from '@/lib/sales/queries'
import { getPurchaseAndReturns, returnFlagsOf } from '@/lib/sales/returns'
import { parseSalesSearchParams } from '@/lib/sales/search-params'

vi.mock('server-only', () => ({}))

// A manager's returns: each is tied to the purchase of the same order in the same store; a return without one,
// or returning more of an item than was bought, is flagged (a warning, never a block); a Shopify refund that
// only says how much was refunded is completed by picking the returned lines from the purchase.

type Line = { itemId: string; quantity: number; unitPrice: string; itemName?: string }

let store: Awaited<ReturnType<typeof makeStore>>
let other: Awaited<ReturnType<typeof makeStore>>
let manager: Awaited<ReturnType<typeof makeUser>>
let otherManager: Awaited<ReturnType<typeof makeUser>>
const p = `RT-${uniq()}`
const ids: Record<string, string> = {}

async function sale(
  key: string,
  storeId: string,
  kind: 'PURCHASE' | 'RETURN',
  orderId: string,
  lines: Line[],
  extra: Record<string, unknown> = {},
) {
  const role: LineItemRole = kind === 'PURCHASE' ? 'PURCHASED' : 'RETURNED'
  const e = await db.saleEvent.create({
    data: {
      kind,
      storeId,
      orderId,
      occurredAt: new Date(Date.now() - 3_600_000),
      status: 'READY',
      itemCount: lines.length,
      itemsTotal: lines.reduce((s, l) => s + Number(l.unitPrice) * l.quantity, 0).toFixed(2),
      lineItems: {
        create: lines.map((l, i) => ({
          lineNumber: i + 1,
          role,
          itemId: l.itemId,
          itemName: l.itemName ?? null,
          unitPrice: l.unitPrice,
          quantity: l.quantity,
        })),
      },
      ...extra,
    },
  })
  ids[key] = e.id
  return e
}

const as = <T>(user: { id: string; sessionVersion: number }, fn: () => Promise<T>) =>
  runAs(sessionFor(user), fn)

async function callerOf(user: { id: string; sessionVersion: number }) {
  return as(user, async () => {
    const { getCaller } = await import('@/lib/auth/caller')
    const c = await getCaller()
    if (!c) throw new Error('no caller')
    return c
  })
}

beforeAll(async () => {
  store = await makeStore({ code: `${p}-S` })
  other = await makeStore({ code: `${p}-O` })
  manager = await makeUser({ storeIds: [store.id] })
  otherManager = await makeUser({ storeIds: [other.id] })
  const A = { itemId: 'MUG-A', unitPrice: '10.00' }
  const B = { itemId: 'TOWEL-B', unitPrice: '5.00' }
  // matched: bought 2 A + 1 B, returned 1 A
  await sale('p1', store.id, 'PURCHASE', `${p}-1`, [
    { ...A, quantity: 2 },
    { ...B, quantity: 1 },
  ])
  await sale('r1', store.id, 'RETURN', `${p}-1`, [{ ...A, quantity: 1 }])
  // no purchase at all
  await sale('r2', store.id, 'RETURN', `${p}-2`, [{ ...A, quantity: 1 }])
  // more returned than bought: 2 A of 1 bought, and an item never bought
  await sale('p3', store.id, 'PURCHASE', `${p}-3`, [{ ...A, quantity: 1 }])
  await sale('r3', store.id, 'RETURN', `${p}-3`, [
    { ...A, quantity: 2 },
    { itemId: 'NEVER-C', unitPrice: '1.00', quantity: 1 },
  ])
  // the purchase is in another store: not this return's purchase
  await sale('p4', other.id, 'PURCHASE', `${p}-4`, [{ ...A, quantity: 1 }])
  await sale('r4', store.id, 'RETURN', `${p}-4`, [{ ...A, quantity: 1 }])
  // Shopify's partial refund: an amount, no lines (INVALID until someone says which items came back)
  await sale('p5', store.id, 'PURCHASE', `${p}-5`, [
    { ...A, quantity: 3 },
    { ...B, quantity: 1, itemName: 'Linen Tea Towel' },
  ])
  await sale('r5', store.id, 'RETURN', `${p}-5`, [], {
    status: 'INVALID',
    refund: '14.40',
    returnType: 'PARTIAL',
    issues: [
      { field: 'lineItems', message: 'Shopify says 14.40 of the order was refunded but not which items' },
    ],
  })
})

describe('returns tied to their purchases', () => {
  it('a return finds the purchase of the same order in the same store, and the purchase its return', async () => {
    const caller = await callerOf(manager)
    const fromReturn = await getPurchaseAndReturns(caller, ids.r1 as string)
    expect(fromReturn?.purchase?.id).toBe(ids.p1)
    expect(fromReturn?.returns.map((r) => r.id)).toEqual([ids.r1])
    const fromPurchase = await getPurchaseAndReturns(caller, ids.p1 as string)
    expect(fromPurchase?.purchase?.id).toBe(ids.p1)
    expect(fromPurchase?.returns.map((r) => r.id)).toEqual([ids.r1])
    // per item: bought and returned side by side
    expect(fromPurchase?.items).toEqual([
      { item: 'MUG-A', bought: 2, returned: 1 },
      { item: 'TOWEL-B', bought: 1, returned: 0 },
    ])
    expect(fromPurchase?.flags).toEqual([])
    // another store's purchase of the same order id is not this return's purchase
    const r4 = await getPurchaseAndReturns(caller, ids.r4 as string)
    expect(r4?.purchase).toBeNull()
    // and the other store's manager sees nothing of this store
    expect(await getPurchaseAndReturns(await callerOf(otherManager), ids.r1 as string)).toBeNull()
  })

  it('flags a return without a purchase and one that returns more than was bought', async () => {
    const flags = await returnFlagsOf([ids.r1, ids.r2, ids.r3, ids.r4, ids.p1] as string[])
    expect(flags.get(ids.r1 as string) ?? []).toEqual([])
    expect(flags.get(ids.r2 as string)).toEqual(['no-purchase'])
    expect(flags.get(ids.r3 as string)).toEqual(['over-returned'])
    expect(flags.get(ids.r4 as string)).toEqual(['no-purchase'])
    expect(flags.get(ids.p1 as string) ?? []).toEqual([])
    const caller = await callerOf(manager)
    const r3 = await getPurchaseAndReturns(caller, ids.r3 as string)
    expect(r3?.items).toEqual([
      { item: 'MUG-A', bought: 1, returned: 2 },
      { item: 'NEVER-C', bought: 0, returned: 1 },
    ])
    // warnings, not blocks: the flagged returns stay ready to send
    const states = await db.saleEvent.findMany({ where: { id: { in: [ids.r2, ids.r3] as string[] } } })
    expect(states.map((s) => s.status)).toEqual(['READY', 'READY'])
  })

  it('the Sales table filters by either flag and shows it on the row', async () => {
    const caller = await callerOf(manager)
    const page = (returns: string) =>
      getSaleEvents(caller, parseSalesSearchParams({ store: store.code, returns }))
    const none = await page('no-purchase')
    expect(none.rows.map((r) => r.id).sort()).toEqual([ids.r2, ids.r4].sort())
    expect(none.rows.every((r) => r.returnFlags.includes('no-purchase'))).toBe(true)
    const over = await page('over-returned')
    expect(over.rows.map((r) => r.id)).toEqual([ids.r3])
    // the filter survives the URL round trip
    expect(parseSalesSearchParams({ returns: 'over-returned' }).returns).toBe('over-returned')
    expect(parseSalesSearchParams({ returns: 'nonsense' }).returns).toBeNull()
  })
})

describe("a return's amount", () => {
  it('counts what came back: not its kept or cross-sold lines', async () => {
    const orderId = `${p}-X`
    const e = await sale('x1', store.id, 'RETURN', orderId, [{ itemId: 'MUG', unitPrice: '50', quantity: 1 }])
    await db.lineItem.create({
      data: { eventId: e.id, lineNumber: 2, role: 'CROSS_SOLD', itemId: 'CUP', unitPrice: '30', quantity: 1 },
    })
    await db.saleEvent.update({ where: { id: e.id }, data: { itemCount: 2, itemsTotal: '80' } })
    const caller = await callerOf(manager)
    const rows = (await getSaleEvents(caller, parseSalesSearchParams({ store: store.code, q: orderId }))).rows
    expect(rows.map((r) => [r.id, Number(r.revenue)])).toEqual([[e.id, 50]])
  })
})

describe('completing a refund without lines', () => {
  it('picks the returned lines from the purchase; the return goes out with items_returned', async () => {
    const before = await db.saleEvent.findUniqueOrThrow({ where: { id: ids.r5 as string } })
    const r = await as(manager, () =>
      completeRefundAction({
        eventId: ids.r5 as string,
        version: before.version,
        lines: [
          { lineNumber: 1, quantity: 1 },
          { lineNumber: 2, quantity: 1 },
        ],
      }),
    )
    expect(r).toMatchObject({ ok: true })
    const after = await db.saleEvent.findUniqueOrThrow({
      where: { id: ids.r5 as string },
      include: { lineItems: { orderBy: { lineNumber: 'asc' } }, store: true },
    })
    expect(after.status).toBe('READY')
    expect(after.version).toBeGreaterThan(before.version)
    expect(after.issues).toEqual([])
    expect(after.refund?.toString()).toBe('14.4')
    expect(
      after.lineItems.map((l) => [l.role, l.itemId, l.itemName, l.quantity, l.unitPrice?.toString()]),
    ).toEqual([
      ['RETURNED', 'MUG-A', null, 1, '10'],
      ['RETURNED', 'TOWEL-B', 'Linen Tea Towel', 1, '5'],
    ])
    expect(after.itemCount).toBe(2)
    expect(after.itemsTotal.toString()).toBe('15')
    const action = buildAction(after)
    expect(action.action).toBe('return')
    expect(action.data).toMatchObject({
      order_id: `${p}-5`,
      refund: 14.4,
      items_returned: [
        { item_id: 'MUG-A', count: 1, price: 10 },
        { item_id: 'TOWEL-B', count: 1, price: 5 },
      ],
    })
    const trail = await db.auditLog.findMany({ where: { entity: 'SaleEvent', entityId: ids.r5 as string } })
    expect(trail.map((t) => t.action)).toEqual(['sale.refund-completed'])
    // the purchase now shows what came back
    const caller = await callerOf(manager)
    expect((await getPurchaseAndReturns(caller, ids.p5 as string))?.items).toEqual([
      { item: 'MUG-A', bought: 3, returned: 1 },
      { item: 'TOWEL-B', bought: 1, returned: 1 },
    ])
  })

  it('refuses more than was bought, a return that already has lines, a stale form and another store', async () => {
    const r6 = await sale('r6', store.id, 'RETURN', `${p}-6`, [], { status: 'INVALID', refund: '3' })
    await sale('p6', store.id, 'PURCHASE', `${p}-6`, [{ itemId: 'MUG-A', unitPrice: '10.00', quantity: 2 }])
    const call = (user: typeof manager, input: Parameters<typeof completeRefundAction>[0]) =>
      as(user, () => completeRefundAction(input))
    const tooMany = await call(manager, {
      eventId: r6.id,
      version: r6.version,
      lines: [{ lineNumber: 1, quantity: 3 }],
    })
    expect(tooMany).toMatchObject({ ok: false })
    expect(tooMany.ok ? '' : tooMany.error).toMatch(/2 of MUG-A/)
    const noLine = await call(manager, {
      eventId: r6.id,
      version: r6.version,
      lines: [{ lineNumber: 9, quantity: 1 }],
    })
    expect(noLine.ok).toBe(false)
    const stale = await call(manager, {
      eventId: r6.id,
      version: r6.version + 5,
      lines: [{ lineNumber: 1, quantity: 1 }],
    })
    expect(stale.ok ? '' : stale.error).toMatch(/changed/)
    const foreign = await call(otherManager, {
      eventId: r6.id,
      version: r6.version,
      lines: [{ lineNumber: 1, quantity: 1 }],
    })
    expect(foreign.ok).toBe(false)
    const withLines = await call(manager, {
      eventId: ids.r1 as string,
      version: 1,
      lines: [{ lineNumber: 1, quantity: 1 }],
    })
    expect(withLines.ok ? '' : withLines.error).toMatch(/already lists/)
    const noPurchase = await sale('r7', store.id, 'RETURN', `${p}-7`, [], { status: 'INVALID', refund: '3' })
    const orphan = await call(manager, {
      eventId: noPurchase.id,
      version: 1,
      lines: [{ lineNumber: 1, quantity: 1 }],
    })
    expect(orphan.ok ? '' : orphan.error).toMatch(/no purchase/i)
    // nothing of it was written
    const still = await db.saleEvent.findUniqueOrThrow({ where: { id: r6.id }, include: { lineItems: true } })
    expect([still.status, still.version, still.lineItems.length]).toEqual(['INVALID', r6.version, 0])
  })
})
