import 'server-only'
import type { AuditActor } from '@/lib/audit/log'
import type { Caller } from '@/lib/auth/caller'
import { mapTillItemId } from '@/lib/catalog/mappings'
import { db, Prisma } from '@/lib/db'
import { SALE_LIMITS } from '@/lib/sales/limits'
import { EMPTY_FILTER, reasonWhere, salesWhere } from '@/lib/sales/queries'
import { readSaleTime } from '@/lib/sales/read-values'
import { catalogReasonItemId } from '@/lib/sales/reasons'
import type { SaleIssue } from '@/lib/sales/schema'
import type { GroupFix } from '@/lib/sales/table-actions-schema'
import { excludeEvents, revalidatedStatus, storeRevalidation } from '@/lib/sales/transitions'
import { validateSaleEvent } from '@/lib/sales/validate'

// Corrections applied to many events at once (inbox group fixes, include after exclude): every touched
// event is validated again with the same rules as ingestion and becomes READY or stays INVALID with
// what is still wrong. Events in an open batch are never touched.

const sql = Prisma.sql
type Tx = Prisma.TransactionClient

const TOO_LARGE = new Prisma.Decimal(10).pow(SALE_LIMITS.maxIntegerDigits)

// Σ price × quantity for the tables; a sum the column can't hold is 0, and the event's issues say why
function total(items: { unitPrice: string | null; quantity: number | null }[]) {
  const sum = items.reduce(
    (s, li) => (li.unitPrice && li.quantity ? s.add(new Prisma.Decimal(li.unitPrice).mul(li.quantity)) : s),
    new Prisma.Decimal(0),
  )
  return sum.abs().gte(TOO_LARGE) ? '0' : sum.toString()
}

/** validates events again and stores the outcome (status, issues, item count and total); returns how many are READY */
export async function revalidateEvents(
  tx: Tx,
  ids: string[],
  userId: string | null,
  options: { include?: boolean } = {},
) {
  let ready = 0
  for (let i = 0; i < ids.length; i += 1000) {
    const chunk = ids.slice(i, i + 1000)
    const events = await tx.saleEvent.findMany({
      where: { id: { in: chunk }, openBatchId: null },
      include: { lineItems: { orderBy: { lineNumber: 'asc' } }, store: { select: { timeZone: true } } },
    })
    const rows = events
      .filter((e) => e.status !== 'EXCLUDED' || options.include)
      .filter((e) => e.status !== 'SUBMITTED' && e.status !== 'QUEUED')
      .map((e) => {
        const lineItems = e.lineItems.map((li) => ({
          role: li.role,
          itemId: li.itemId,
          itemName: li.itemName,
          variationId: li.variationId,
          unitPrice: li.unitPrice?.toString() ?? null,
          quantity: li.quantity,
        }))
        const issues: SaleIssue[] = validateSaleEvent(
          {
            kind: e.kind,
            storeId: e.storeId,
            orderId: e.orderId,
            occurredAt: e.occurredAt,
            customerId: e.customerId,
            revenue: e.revenue?.toString() ?? null,
            refund: e.refund?.toString() ?? null,
            returnExpenses: e.returnExpenses?.toString() ?? null,
            returnShippingCost: e.returnShippingCost?.toString() ?? null,
            returnReason: e.returnReason,
            returnType: e.returnType,
            returnPreference: e.returnPreference,
            returnDropOff: e.returnDropOff,
            lineItems,
          },
          { timeZone: e.store.timeZone },
        )
        const status = revalidatedStatus(e.status, issues.length)
        if (status === 'READY') ready++
        return {
          id: e.id,
          status,
          issues: JSON.stringify(issues),
          count: e.lineItems.length,
          total: total(lineItems),
        }
      })
    if (rows.length === 0) continue
    await storeRevalidation(tx, rows, userId)
  }
  return ready
}

/** ids of a reason group's events in the caller's stores that nobody is sending right now */
export async function groupEventIds(caller: Caller, reason: string, limit = 100_000) {
  const scope = await salesWhere(caller, EMPTY_FILTER)
  const rows = await db.$queryRaw<{ id: string }[]>(sql`
    SELECT e.id FROM "SaleEvent" e WHERE ${reasonWhere(reason)} AND ${scope} AND e."openBatchId" IS NULL
    ORDER BY e.id LIMIT ${limit}`)
  return rows.map((r) => r.id)
}

export class GroupFixError extends Error {
  override name = 'GroupFixError'
}

/** applies one fix to every event of a group; returns how many events it touched and how many are now READY */
export async function applyGroupFix(
  tx: Tx,
  ids: string[],
  fix: Exclude<GroupFix, { type: 'resubmit' }>,
  actor: NonNullable<AuditActor>,
  reason?: string,
) {
  if (ids.length === 0) return { touched: 0, ready: 0 }
  const inGroup = sql`"eventId" = ANY(${ids}::uuid[])`
  switch (fix.type) {
    case 'exclude': {
      const n = await excludeEvents(tx, ids, actor.userId)
      return { touched: n, ready: 0 }
    }
    case 'setTime': {
      const [date, time] = fix.localTime.split('T') as [string, string]
      const zones = await tx.$queryRaw<{ timeZone: string; ids: string[] }[]>(sql`
        SELECT s."timeZone", array_agg(e.id::text) AS ids FROM "SaleEvent" e JOIN "Store" s ON s.id = e."storeId"
        WHERE e.id = ANY(${ids}::uuid[]) AND e."occurredAt" IS NULL GROUP BY s."timeZone"`)
      for (const z of zones) {
        // the reader hand entry uses, in each store's zone
        const read = readSaleTime(date, time, z.timeZone, 'DMY')
        if (!read.ok) throw new GroupFixError(read.message)
        const at = read.value
        await tx.$executeRaw(
          sql`UPDATE "SaleEvent" SET "occurredAt" = ${at} WHERE id = ANY(${z.ids}::uuid[]) AND "occurredAt" IS NULL`,
        )
      }
      break
    }
    case 'setPrice':
      for (const p of fix.prices)
        await tx.$executeRaw(sql`
          UPDATE "LineItem" SET "unitPrice" = ${p.unitPrice}::numeric
          WHERE ${inGroup} AND "unitPrice" IS NULL
            AND "itemId" IS NOT DISTINCT FROM ${p.itemId} AND "itemName" IS NOT DISTINCT FROM ${p.itemName}`)
      break
    case 'setQuantity':
      if (fix.quantity > SALE_LIMITS.maxQuantity) throw new GroupFixError('That quantity is too large.')
      await tx.$executeRaw(
        sql`UPDATE "LineItem" SET quantity = ${fix.quantity} WHERE ${inGroup} AND quantity IS NULL`,
      )
      break
    case 'mapItem': {
      const till = reason === undefined ? null : catalogReasonItemId(reason)
      if (till === null)
        throw new GroupFixError('Only items missing from the catalog can be mapped to a catalog id.')
      await mapTillItemId(tx, ids, till, fix.catalogItemId, actor.userId)
      break
    }
    case 'setItemId':
      await tx.$executeRaw(
        sql`UPDATE "LineItem" SET "itemId" = ${fix.itemId} WHERE ${inGroup} AND "itemId" IS NULL AND "itemName" IS NULL`,
      )
      break
  }
  const ready = await revalidateEvents(tx, ids, actor.userId)
  return { touched: ids.length, ready }
}
