'use server'

import { audit, diff } from '@/lib/audit/log'
import { ActionError, authorizedAction, refresh } from '@/lib/auth/action'
import { db, Prisma } from '@/lib/db'
import {
  addStoreNameSchema,
  createStoreSchema,
  removeStoreNameSchema,
  setStoreActiveSchema,
  updateStoreSchema,
} from '@/lib/stores/schema'
import { normalizeStoreName } from '@/lib/stores/store-names'
import { nextRunAt } from '@/lib/submission/next-run'
import { getUpload } from '@/lib/uploads/queries'

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
        // a daily submission runs at its local time: in the new zone from now on
        const schedule = await tx.storeSchedule.findUnique({ where: { storeId } })
        if (before.timeZone !== after.timeZone && schedule?.mode === 'DAILY')
          await tx.storeSchedule.update({
            where: { storeId },
            data: { nextRunAt: nextRunAt('DAILY', schedule.dailyAt, after.timeZone, new Date()) },
          })
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

function nameTaken(message: string): never {
  throw new ActionError(message, { name: [message] })
}

// One name names one store (StoreAlias.normalized is unique). A manager names a till's location from the upload
// preview for their own stores only (the store scope), and only a name that preview asks about; an admin any name
// for any store, also in Settings → Stores.
export const addStoreNameAction = authorizedAction({
  name: 'stores.addName',
  access: 'signed-in',
  schema: addStoreNameSchema,
  storeScope: async ({ storeId }) =>
    (await db.store.findUnique({ where: { id: storeId }, select: { id: true } }))?.id ?? null,
  handler: async ({ storeId, name, uploadId }, caller, ctx) => {
    const normalized = normalizeStoreName(name)
    // a manager may claim only a name an upload of theirs asks about: never another store's till location
    const upload = !caller.allStores && uploadId ? await getUpload(caller, uploadId) : null
    const mayClaim =
      caller.allStores ||
      Boolean(upload?.preview?.unknownStores?.some((u) => normalizeStoreName(u.name) === normalized))
    const added = await db
      .$transaction(async (tx) => {
        const stores = await tx.store.findMany({ select: { id: true, code: true } })
        const byCode = stores.find((s) => normalizeStoreName(s.code) === normalized)
        if (byCode)
          nameTaken(
            byCode.id === storeId
              ? `'${name}' is already this store's code.`
              : `'${name}' is the code of ${caller.allStores ? `store ${byCode.code}` : 'another store'} — choose that store, or ask an admin.`,
          )
        const existing = await tx.storeAlias.findUnique({
          where: { normalized },
          include: { store: { select: { code: true } } },
        })
        if (existing) {
          if (existing.storeId === storeId) return null
          nameTaken(
            caller.allStores
              ? `'${name}' already names store ${existing.store.code}. Remove it there first.`
              : `'${name}' already names another store. Ask an admin if it should be this one.`,
          )
        }
        if (!mayClaim)
          nameTaken(
            `'${name}' is not a name one of your uploads asks about. Ask an admin to add it in Settings → Stores.`,
          )
        const alias = await tx.storeAlias.create({ data: { storeId, name, normalized } })
        await audit(tx, {
          actor: ctx.actor,
          action: 'store.nameAdded',
          entity: 'Store',
          entityId: storeId,
          storeId,
          details: { name },
          ip: ctx.ip,
        })
        return alias
      })
      .catch((e) => {
        // two people naming the same till at once: the second finds it taken
        if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002')
          nameTaken(`'${name}' was just given to a store. Reload the page to see which.`)
        throw e
      })
    refresh()
    return { storeId, name, added: added !== null }
  },
})

export const removeStoreNameAction = authorizedAction({
  name: 'stores.removeName',
  access: ['ADMIN'],
  schema: removeStoreNameSchema,
  handler: async ({ aliasId }, _caller, ctx) => {
    const removed = await db.$transaction(async (tx) => {
      const alias = await tx.storeAlias.findUnique({ where: { id: aliasId } })
      if (!alias) throw new ActionError('That name was already removed.')
      await tx.storeAlias.delete({ where: { id: aliasId } })
      await audit(tx, {
        actor: ctx.actor,
        action: 'store.nameRemoved',
        entity: 'Store',
        entityId: alias.storeId,
        storeId: alias.storeId,
        details: { name: alias.name },
        ip: ctx.ip,
      })
      return alias
    })
    refresh()
    return { storeId: removed.storeId, name: removed.name }
  },
})
