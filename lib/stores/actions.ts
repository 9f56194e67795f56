'use server'

import { audit, diff } from '@/lib/audit/log'
import { ActionError, authorizedAction, refresh } from '@/lib/auth/action'
import { db, Prisma } from '@/lib/db'
import { createStoreSchema, setStoreActiveSchema, updateStoreSchema } from '@/lib/stores/schema'

const FIELDS = ['code', 'name', 'latitude', 'longitude', 'timeZone', 'currency', 'locale', 'active'] as const

function codeTaken(error: unknown): never {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')
    throw new ActionError('Another store already uses this code.', {
      code: ['Another store already uses this code'],
    })
  throw error
}

export const createStoreAction = authorizedAction({
  name: 'stores.create',
  access: ['ADMIN'],
  schema: createStoreSchema,
  handler: async (input, _caller, ctx) => {
    const store = await db
      .$transaction(async (tx) => {
        const created = await tx.store.create({ data: input })
        await audit(tx, {
          actor: ctx.actor,
          action: 'store.created',
          entity: 'Store',
          entityId: created.id,
          storeId: created.id,
          details: { after: input },
          ip: ctx.ip,
        })
        return created
      })
      .catch(codeTaken)
    refresh()
    return { id: store.id, code: store.code }
  },
})

export const updateStoreAction = authorizedAction({
  name: 'stores.update',
  access: ['ADMIN'],
  schema: updateStoreSchema,
  handler: async ({ storeId, ...fields }, _caller, ctx) => {
    const store = await db
      .$transaction(async (tx) => {
        const before = await tx.store.findUnique({ where: { id: storeId } })
        if (!before) throw new ActionError('That store no longer exists.')
        const after = await tx.store.update({ where: { id: storeId }, data: fields })
        await audit(tx, {
          actor: ctx.actor,
          action: 'store.updated',
          entity: 'Store',
          entityId: storeId,
          storeId,
          details: { changes: diff(before, after, [...FIELDS]) },
          ip: ctx.ip,
        })
        return after
      })
      .catch(codeTaken)
    refresh()
    return { id: store.id, code: store.code }
  },
})

// Deactivating keeps every sale and upload; managers lose access to the store at their next request.
export const setStoreActiveAction = authorizedAction({
  name: 'stores.setActive',
  access: ['ADMIN'],
  schema: setStoreActiveSchema,
  handler: async ({ storeId, active }, _caller, ctx) => {
    await db.$transaction(async (tx) => {
      const before = await tx.store.findUnique({ where: { id: storeId } })
      if (!before) throw new ActionError('That store no longer exists.')
      if (before.active === active) return
      await tx.store.update({ where: { id: storeId }, data: { active } })
      await audit(tx, {
        actor: ctx.actor,
        action: active ? 'store.reactivated' : 'store.deactivated',
        entity: 'Store',
        entityId: storeId,
        storeId,
        details: { changes: { active: { before: before.active, after: active } } },
        ip: ctx.ip,
      })
    })
    refresh()
    return { id: storeId, active }
  },
})
