import 'server-only'
import type { Caller } from '@/lib/auth/caller'
import { db } from '@/lib/db'

// Batch reads. A batch has no store of its own: a manager sees the batches holding at least one
// event of their stores, and counts only those events.
export async function getRecentBatches(caller: Caller, take = 50) {
  const inScope = caller.allStores ? {} : { event: { storeId: { in: caller.storeIds } } }
  const batches = await db.batch.findMany({
    where: caller.allStores ? {} : { events: { some: inScope } },
    orderBy: { createdAt: 'desc' },
    take,
    include: { _count: { select: { events: { where: inScope } } } },
  })
  return batches.map(({ _count, ...b }) => ({
    ...b,
    eventCount: caller.allStores ? b.eventCount : _count.events,
  }))
}
