'use server'

import { audit } from '@/lib/audit/log'
import { ActionError, authorizedAction, MESSAGES, refresh } from '@/lib/auth/action'
import { newApiKey } from '@/lib/auth/api-keys'
import { db } from '@/lib/db'
import { nextRunAt } from '@/lib/submission/next-run'
import { createApiKeySchema, revokeApiKeySchema, setScheduleSchema } from './schema'

/** a key for the sales feed: the whole key is returned once, here, and never stored */
export const createApiKeyAction = authorizedAction({
  name: 'apiKeys.create',
  access: ['ADMIN'],
  schema: createApiKeySchema,
  handler: async ({ name, storeIds }, _caller, ctx) => {
    const stores = await db.store.findMany({
      where: { id: { in: storeIds }, active: true },
      select: { id: true },
    })
    if (stores.length !== new Set(storeIds).size)
      throw new ActionError('Choose active stores only.', { storeIds: ['Choose active stores only'] })
    const { key, prefix, secretHash } = newApiKey()
    const created = await db.$transaction(async (tx) => {
      const row = await tx.apiKey.create({
        data: {
          name,
          prefix,
          secretHash,
          createdById: ctx.actor.userId,
          stores: { create: stores.map((s) => ({ storeId: s.id })) },
        },
      })
      await audit(tx, {
        actor: ctx.actor,
        action: 'apiKey.created',
        entity: 'ApiKey',
        entityId: row.id,
        details: { name, prefix, storeIds: stores.map((s) => s.id) },
        ip: ctx.ip,
      })
      return row
    })
    refresh()
    return { id: created.id, prefix, key }
  },
})

/** a revoked key is refused from the next request on; the row stays for the audit trail */
export const revokeApiKeyAction = authorizedAction({
  name: 'apiKeys.revoke',
  access: ['ADMIN'],
  schema: revokeApiKeySchema,
  handler: async ({ keyId }, _caller, ctx) => {
    const revoked = await db.$transaction(async (tx) => {
      const key = await tx.apiKey.findUnique({ where: { id: keyId } })
      if (!key) throw new ActionError(MESSAGES.notFound)
      if (key.revokedAt) return key
      const row = await tx.apiKey.update({ where: { id: keyId }, data: { revokedAt: new Date() } })
      await audit(tx, {
        actor: ctx.actor,
        action: 'apiKey.revoked',
        entity: 'ApiKey',
        entityId: keyId,
        details: { name: key.name, prefix: key.prefix },
        ip: ctx.ip,
      })
      return row
    })
    refresh()
    return { id: revoked.id, revokedAt: revoked.revokedAt?.toISOString() ?? null }
  },
})

/** when a store's ready sales go to Constructor without anyone clicking */
export const setSubmitScheduleAction = authorizedAction({
  name: 'schedules.set',
  access: ['ADMIN'],
  schema: setScheduleSchema,
  handler: async ({ storeId, mode, dailyAt }, _caller, ctx) => {
    const store = await db.store.findUnique({ where: { id: storeId }, select: { timeZone: true } })
    if (!store) throw new ActionError(MESSAGES.notFound)
    const at = mode === 'DAILY' ? (dailyAt ?? null) : null
    const next = nextRunAt(mode, at, store.timeZone, new Date())
    const saved = await db.$transaction(async (tx) => {
      const before = await tx.storeSchedule.findUnique({ where: { storeId } })
      const row = await tx.storeSchedule.upsert({
        where: { storeId },
        create: { storeId, mode, dailyAt: at, nextRunAt: next },
        update: { mode, dailyAt: at, nextRunAt: next },
      })
      await audit(tx, {
        actor: ctx.actor,
        action: 'schedule.changed',
        entity: 'Store',
        entityId: storeId,
        storeId,
        details: {
          before: before ? { mode: before.mode, dailyAt: before.dailyAt } : null,
          after: { mode, dailyAt: at },
        },
        ip: ctx.ip,
      })
      return row
    })
    refresh()
    return { mode: saved.mode, nextRunAt: saved.nextRunAt?.toISOString() ?? null }
  },
})
