'use server'

import { audit } from '@/lib/audit/log'
import { authorizedAction, refresh } from '@/lib/auth/action'
import { db } from '@/lib/db'
import { mapItemIdSchema } from './schema'

// A manager maps a till's SKU to the catalog's id for one of their stores, e.g. from an upload's preview before
// storing it: the commit stores the catalog's id, and so do later files and hand entries.
export const mapItemIdAction = authorizedAction({
  name: 'catalog.mapItemId',
  access: 'signed-in',
  schema: mapItemIdSchema,
  storeScope: async ({ storeId }) =>
    (await db.store.findUnique({ where: { id: storeId }, select: { id: true } }))?.id ?? null,
  handler: async ({ storeId, tillItemId, catalogItemId }, _caller, ctx) => {
    await db.$transaction(async (tx) => {
      await tx.itemIdMapping.upsert({
        where: { storeId_tillItemId: { storeId, tillItemId } },
        create: { storeId, tillItemId, catalogItemId, createdById: ctx.actor.userId },
        update: { catalogItemId },
      })
      await audit(tx, {
        actor: ctx.actor,
        action: 'catalog.itemMapped',
        entity: 'Store',
        entityId: storeId,
        storeId,
        details: { tillItemId, catalogItemId },
        ip: ctx.ip,
      })
    })
    refresh()
    return { tillItemId, catalogItemId }
  },
})
