'use server'

import { randomBytes } from 'node:crypto'
import { audit } from '@/lib/audit/log'
import { ActionError, authorizedAction, MESSAGES, refresh } from '@/lib/auth/action'
import { applyItemMappings } from '@/lib/catalog/mappings'
import { db, Prisma } from '@/lib/db'
import { sumLineTotals } from '@/lib/money/decimal'
import { saleEventContentHash } from '@/lib/uploads/content-hash'
import { handEntrySchema } from './form-schema'

/** "12.50" → "12.5", "007" → "7": the form the content hash and an upload of the same sale use */
function canonical(amount: string) {
  const [int = '0', frac = ''] = amount.split('.')
  const i = int.replace(/^0+(?=\d)/, '')
  const f = frac.replace(/0+$/, '')
  return f ? `${i}.${f}` : i
}

/** e.g. HAND-20260302-7F3A9C: the till had no receipt number for this sale */
function generatedOrderId(at: Date | null) {
  const day = (at ?? new Date()).toISOString().slice(0, 10).replaceAll('-', '')
  return `HAND-${day}-${randomBytes(3).toString('hex').toUpperCase()}`
}

/** a purchase or a return typed in by hand, validated by the same schema as the form */
export const createSaleByHandAction = authorizedAction({
  name: 'sales.createByHand',
  access: 'signed-in',
  schema: handEntrySchema,
  storeScope: (input) => input.event.storeId as string,
  handler: async ({ event, orderIdGiven, timeZone, locale }, _caller, ctx) => {
    const storeId = event.storeId as string
    const store = await db.store.findUnique({
      where: { id: storeId },
      select: { timeZone: true, locale: true, active: true },
    })
    if (!store?.active) throw new ActionError(MESSAGES.notFound)
    // the time was read in the zone the form showed; if the store moved zone meanwhile, ask again
    if (store.timeZone !== timeZone)
      throw new ActionError("The store's time zone has changed. Reload the page and enter the time again.")
    // amounts like 1,234 were read with the store's decimal separator: if an admin changed it meanwhile, ask again
    if (store.locale !== locale)
      throw new ActionError(
        "The store's number format has changed. Reload the page and enter the sale again.",
      )
    const orderId = orderIdGiven ? (event.orderId as string) : generatedOrderId(event.occurredAt)
    // a till SKU the store mapped to a catalog id (Needs attention) is stored as the catalog's id
    const lineItems = await applyItemMappings(
      db,
      storeId,
      event.lineItems.map((li, i) => ({
        lineNumber: i + 1,
        role: li.role,
        itemId: li.itemId ?? null,
        itemName: li.itemName ?? null,
        variationId: li.variationId ?? null,
        unitPrice: canonical(li.unitPrice as string),
        quantity: li.quantity as number,
      })),
    )
    const content = {
      kind: event.kind,
      storeId,
      orderId,
      occurredAt: event.occurredAt,
      customerId: event.customerId ?? null,
      revenue: null,
      refund: null,
      returnExpenses: null,
      returnShippingCost: null,
      returnReason: event.returnReason ?? null,
      returnType: null,
      returnPreference: null,
      returnDropOff: null,
      lineItems,
    }
    try {
      const created = await db.$transaction(async (tx) => {
        const row = await tx.saleEvent.create({
          data: {
            kind: event.kind,
            storeId,
            orderId,
            orderIdGenerated: !orderIdGiven,
            occurredAt: event.occurredAt,
            customerId: content.customerId,
            returnReason: content.returnReason,
            status: 'READY',
            issues: [],
            itemCount: lineItems.length,
            itemsTotal: sumLineTotals(lineItems),
            contentHash: saleEventContentHash(content),
            createdById: ctx.actor.userId,
            updatedById: ctx.actor.userId,
            lineItems: { create: lineItems },
          },
        })
        await audit(tx, {
          actor: ctx.actor,
          action: 'sale.created',
          entity: 'SaleEvent',
          entityId: row.id,
          storeId,
          details: { kind: event.kind, orderId, items: lineItems.length, by: 'hand' },
          ip: ctx.ip,
        })
        return row
      })
      refresh()
      return { id: created.id, orderId }
    } catch (e) {
      if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002')
        throw new ActionError(
          `Order ${orderId} is already recorded for this store. Open it in Sales to change it.`,
          {
            orderId: [`Order ${orderId} is already recorded for this store`],
          },
        )
      throw e
    }
  },
})
