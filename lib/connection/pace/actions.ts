'use server'

import { audit, diff } from '@/lib/audit/log'
import { ActionError, authorizedAction, refresh } from '@/lib/auth/action'
import { savePaceSchema } from '@/lib/connection/pace/schema'
import { db } from '@/lib/db'

// The sending pace, admins only. Workers read the connection's limits about once a second, and the shared pace never
// runs above the limit (lib/submission/pace.ts), so a lower rate holds from the next request on, in every process.
export const savePaceAction = authorizedAction({
  name: 'connection.savePace',
  access: ['ADMIN'],
  schema: savePaceSchema,
  handler: async ({ connectionId, maxRequestsPerSecond, maxConcurrency }, _caller, ctx) => {
    const saved = await db.$transaction(async (tx) => {
      const before = await tx.constructorConnection.findUnique({
        where: { id: connectionId },
        select: { id: true, maxRequestsPerSecond: true, maxConcurrency: true },
      })
      if (!before) throw new ActionError('That connection no longer exists. Reload the page.')
      const after = await tx.constructorConnection.update({
        where: { id: connectionId },
        data: { maxRequestsPerSecond, maxConcurrency },
        select: { id: true, maxRequestsPerSecond: true, maxConcurrency: true },
      })
      // the effective pace (halved after a 429, growing back) starts from the new limit when that is lower
      await tx.connectionPace.updateMany({
        where: { connectionId, rate: { gt: maxRequestsPerSecond } },
        data: { rate: maxRequestsPerSecond, updatedAt: new Date() },
      })
      const changes = diff(before, after, ['maxRequestsPerSecond', 'maxConcurrency'])
      if (Object.keys(changes).length > 0)
        await audit(tx, {
          actor: ctx.actor,
          action: 'connection.pace-changed',
          entity: 'ConstructorConnection',
          entityId: connectionId,
          details: { changes },
          ip: ctx.ip,
        })
      return { maxRequestsPerSecond: after.maxRequestsPerSecond, maxConcurrency: after.maxConcurrency }
    })
    refresh()
    return saved
  },
})
