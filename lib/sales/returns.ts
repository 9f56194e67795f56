import 'server-only'
import { scopeWhere } from '@/lib/auth/action'
import type { Caller } from '@/lib/auth/caller'
import { db, Prisma } from '@/lib/db'
import type { ReturnFlag } from '@/lib/sales/return-flags'

// A return and its purchase: the purchase of the same order in the same store, found through the unique index
// (storeId, kind, orderId), so no link column has to be kept in step with uploads, edits and deletes. Items are
// matched by item id (the name when a line has no id); quantities are added per item.

const sql = Prisma.sql

/** the amount of a sale as every figure shows it: a purchase's revenue as given, else Σ price × quantity; a return's
 * refund as given, else its revenue, else Σ price × quantity of what came back: the items total without
 * the kept and cross-sold lines (always for the alias e) */
export const SALE_AMOUNT = sql`(CASE WHEN e.kind = 'RETURN' THEN coalesce(e.refund, e.revenue, e."itemsTotal" - (
    SELECT coalesce(sum(r."unitPrice" * r.quantity), 0) FROM "LineItem" r
    WHERE r."eventId" = e.id AND r.role IN ('KEPT', 'CROSS_SOLD')))
  ELSE coalesce(e.revenue, e."itemsTotal") END)`

const PURCHASE_OF_E = sql`SELECT p.id FROM "SaleEvent" p
  WHERE p."storeId" = e."storeId" AND p.kind = 'PURCHASE' AND p."orderId" = e."orderId"`

/** the condition "the return e has this warning" (for the alias e) */
export function returnFlagWhere(flag: ReturnFlag): Prisma.Sql {
  if (flag === 'no-purchase') return sql`(e.kind = 'RETURN' AND NOT EXISTS (${PURCHASE_OF_E}))`
  return sql`(e.kind = 'RETURN' AND EXISTS (${PURCHASE_OF_E}) AND EXISTS (
    SELECT 1 FROM (
      SELECT coalesce(r."itemId", r."itemName") AS item, sum(coalesce(r.quantity, 0)) AS returned
      FROM "LineItem" r WHERE r."eventId" = e.id AND r.role = 'RETURNED' GROUP BY 1
    ) ret
    WHERE ret.returned > coalesce((
      SELECT sum(coalesce(b.quantity, 0)) FROM "LineItem" b
      WHERE b."eventId" = (${PURCHASE_OF_E}) AND b.role = 'PURCHASED'
        AND coalesce(b."itemId", b."itemName") IS NOT DISTINCT FROM ret.item), 0)))`
}

/** the warnings of the return e, as a text[] column (empty for a purchase) */
export const RETURN_FLAGS_COLUMN = sql`(CASE WHEN e.kind = 'RETURN' THEN array_remove(ARRAY[
    CASE WHEN ${returnFlagWhere('no-purchase')} THEN 'no-purchase' END,
    CASE WHEN ${returnFlagWhere('over-returned')} THEN 'over-returned' END], NULL)
  ELSE '{}'::text[] END)`

/** the warnings of each named return (ids that are no return are left out); the caller scoped the ids */
export async function returnFlagsOf(ids: string[]): Promise<Map<string, ReturnFlag[]>> {
  const rows = await db.$queryRaw<{ id: string; flags: ReturnFlag[] }[]>(sql`
    SELECT e.id::text, ${RETURN_FLAGS_COLUMN} AS flags FROM "SaleEvent" e
    WHERE e.id = ANY(${ids}::uuid[]) AND e.kind = 'RETURN'`)
  return new Map(rows.map((r) => [r.id, r.flags]))
}

const SUMMARY = {
  id: true,
  kind: true,
  orderId: true,
  status: true,
  occurredAt: true,
  revenue: true,
  refund: true,
  itemsTotal: true,
  itemCount: true,
  version: true,
  openBatchId: true,
  lineItems: { orderBy: { lineNumber: 'asc' as const } },
} satisfies Prisma.SaleEventSelect

export type LinkedSale = Prisma.SaleEventGetPayload<{ select: typeof SUMMARY }>
export type ItemBalance = { item: string; bought: number; returned: number }

const itemKey = (li: { itemId: string | null; itemName: string | null }) => li.itemId ?? li.itemName ?? '—'

/** per item: how many the purchase lists and how many its returns bring back, purchase order first */
export function itemBalances(purchase: LinkedSale | null, returns: LinkedSale[]): ItemBalance[] {
  const out = new Map<string, ItemBalance>()
  const at = (item: string) => {
    let b = out.get(item)
    if (!b) {
      b = { item, bought: 0, returned: 0 }
      out.set(item, b)
    }
    return b
  }
  for (const li of purchase?.lineItems ?? [])
    if (li.role === 'PURCHASED') at(itemKey(li)).bought += li.quantity ?? 0
  for (const r of returns)
    for (const li of r.lineItems) if (li.role === 'RETURNED') at(itemKey(li)).returned += li.quantity ?? 0
  return [...out.values()]
}

/** a sale with its purchase and that purchase's returns (or, with no purchase, the return alone); null: not the caller's */
export async function getPurchaseAndReturns(caller: Caller, id: string) {
  const event = await db.saleEvent.findFirst({
    where: { id, ...scopeWhere(caller) },
    select: { storeId: true, orderId: true, kind: true },
  })
  if (!event) return null
  const [purchase, returns] = await Promise.all([
    db.saleEvent.findUnique({
      where: { storeId_kind_orderId: { storeId: event.storeId, kind: 'PURCHASE', orderId: event.orderId } },
      select: SUMMARY,
    }),
    db.saleEvent.findMany({
      where: { storeId: event.storeId, kind: 'RETURN', orderId: event.orderId },
      select: SUMMARY,
      orderBy: { id: 'asc' },
    }),
  ])
  const flagged = await returnFlagsOf(returns.map((r) => r.id))
  const flags = [...new Set(returns.flatMap((r) => flagged.get(r.id) ?? []))]
  return { kind: event.kind, purchase, returns, items: itemBalances(purchase, returns), flags, flagged }
}
export type PurchaseAndReturns = NonNullable<Awaited<ReturnType<typeof getPurchaseAndReturns>>>

export class RefundCompletionError extends Error {
  override name = 'RefundCompletionError'
}

type Tx = Prisma.TransactionClient

/**
 * A return that says only how much was refunded (Shopify's Refunded Amount) gets its returned lines from its
 * purchase: each picked line is copied (item, name, variation, price) with the quantity that came back, at most
 * what the purchase lists per item. Then it is validated again (lib/sales/fixes.ts), so it becomes READY the
 * way any corrected sale does. `expected` is the version the form read. Throws RefundCompletionError with a
 * message for the manager; returns the lines written.
 */
export async function completeRefundLines(
  tx: Tx,
  args: { eventId: string; version: number; lines: { lineNumber: number; quantity: number }[] },
  messages: { gone: string; changed: string; queued: string },
) {
  const [ret] = await tx.$queryRaw<
    {
      id: string
      kind: string
      status: string
      storeId: string
      orderId: string
      version: number
      queued: boolean
    }[]
  >(sql`
    SELECT id::text, kind::text, status::text, "storeId"::text, "orderId", version,
      ("openBatchId" IS NOT NULL) AS queued
    FROM "SaleEvent" WHERE id = ${args.eventId}::uuid FOR UPDATE`)
  if (!ret) throw new RefundCompletionError(messages.gone)
  if (ret.kind !== 'RETURN') throw new RefundCompletionError('Only a return takes its lines from a purchase.')
  if (ret.queued || ret.status === 'QUEUED') throw new RefundCompletionError(messages.queued)
  if (ret.version !== args.version) throw new RefundCompletionError(messages.changed)
  const own = await tx.lineItem.findMany({ where: { eventId: ret.id }, orderBy: { lineNumber: 'asc' } })
  if (own.some((l) => l.role === 'RETURNED'))
    throw new RefundCompletionError(
      'This return already lists its returned items. Change them in the form below instead.',
    )
  if (ret.status === 'EXCLUDED' || ret.status === 'SUBMITTED')
    throw new RefundCompletionError(
      ret.status === 'EXCLUDED'
        ? 'This return is excluded from sending. Include it again first.'
        : 'This return was already sent.',
    )
  const purchase = await tx.saleEvent.findUnique({
    where: { storeId_kind_orderId: { storeId: ret.storeId, kind: 'PURCHASE', orderId: ret.orderId } },
    include: { lineItems: { where: { role: 'PURCHASED' }, orderBy: { lineNumber: 'asc' } } },
  })
  if (!purchase)
    throw new RefundCompletionError(
      `No purchase with order number ${ret.orderId} is stored for this store, so there are no lines to pick from. Add the returned items in the form below.`,
    )
  const picked = args.lines.map((l) => {
    const line = purchase.lineItems.find((p) => p.lineNumber === l.lineNumber)
    if (!line) throw new RefundCompletionError(`Line ${l.lineNumber} is not on purchase ${ret.orderId}.`)
    return { line, quantity: l.quantity }
  })
  // per item, never more than the purchase lists
  const bought = new Map<string, number>()
  for (const li of purchase.lineItems)
    bought.set(itemKey(li), (bought.get(itemKey(li)) ?? 0) + (li.quantity ?? 0))
  const asked = new Map<string, number>()
  for (const p of picked) asked.set(itemKey(p.line), (asked.get(itemKey(p.line)) ?? 0) + p.quantity)
  for (const [item, n] of asked) {
    const max = bought.get(item) ?? 0
    if (n > max)
      throw new RefundCompletionError(
        `You picked ${n} of ${item}, but the purchase lists only ${max} of ${item}. Nothing was saved.`,
      )
  }
  const first = own.reduce((m, l) => Math.max(m, l.lineNumber), 0) + 1
  const data = picked.map((p, i) => ({
    eventId: ret.id,
    lineNumber: first + i,
    role: 'RETURNED' as const,
    itemId: p.line.itemId,
    itemName: p.line.itemName,
    variationId: p.line.variationId,
    unitPrice: p.line.unitPrice,
    quantity: p.quantity,
  }))
  await tx.lineItem.createMany({ data })
  const full = [...bought].every(([item, n]) => (asked.get(item) ?? 0) >= n)
  // content only: the status is decided by validating again
  await tx.saleEvent.update({ where: { id: ret.id }, data: { returnType: full ? 'FULL' : 'PARTIAL' } })
  return { storeId: ret.storeId, orderId: ret.orderId, lines: data }
}
