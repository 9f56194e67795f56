'use server'

import { audit } from '@/lib/audit/log'
import { ActionError, authorizedAction, refresh } from '@/lib/auth/action'
import { batchActionSchema } from '@/lib/batches/schema'
import { db, Prisma } from '@/lib/db'
import { cancelBatch, retryBatch, SubmissionError } from '@/lib/submission/submit'

// Retry a failed batch, cancel a queued one: the status changes themselves live in lib/submission.

/** a batch belongs to the stores of every event it ever held; null when it does not exist */
async function batchStores({ batchId }: { batchId: string }) {
  const batch = await db.batch.findUnique({ where: { id: batchId }, select: { id: true } })
  if (!batch) return null
  const rows = await db.$queryRaw<{ storeId: string }[]>(Prisma.sql`
    SELECT DISTINCT e."storeId" FROM "BatchMember" be JOIN "SaleEvent" e ON e.id = be."eventId"
    WHERE be."batchId" = ${batchId}::uuid`)
  return rows.map((r) => r.storeId)
}

async function run<T>(fn: () => Promise<T>) {
  try {
    return await fn()
  } catch (e) {
    if (e instanceof SubmissionError) throw new ActionError(e.message)
    throw e
  }
}

/** the failed events of a finished batch go into new batches */
export const retryBatchAction = authorizedAction({
  name: 'batches.retry',
  access: 'signed-in',
  schema: batchActionSchema,
  storeScope: batchStores,
  handler: async (input, caller, ctx) => {
    const r = await run(() => retryBatch(caller, input))
    await audit(db, {
      actor: ctx.actor,
      action: 'batch.retried',
      entity: 'Batch',
      entityId: input.batchId,
      details: { events: r.eventCount, batches: r.batchIds },
      ip: ctx.ip,
    })
    refresh()
    return r
  },
})

/** a batch not being sent yet is cancelled; its events are READY again */
export const cancelBatchAction = authorizedAction({
  name: 'batches.cancel',
  access: 'signed-in',
  schema: batchActionSchema,
  storeScope: batchStores,
  handler: async (input, caller, ctx) => {
    const r = await run(() => cancelBatch(caller, input))
    await audit(db, {
      actor: ctx.actor,
      action: 'batch.cancelled',
      entity: 'Batch',
      entityId: input.batchId,
      details: { events: r.events },
      ip: ctx.ip,
    })
    refresh()
    return r
  },
})
