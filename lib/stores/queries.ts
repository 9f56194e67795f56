import 'server-only'
import type { Caller } from '@/lib/auth/caller'
import { db } from '@/lib/db'

// Store reads, scoped by the caller: a manager sees only their own active stores.
export async function getStores(caller: Caller) {
  return db.store.findMany({
    where: caller.allStores ? {} : { id: { in: caller.storeIds } },
    orderBy: [{ active: 'desc' }, { code: 'asc' }],
  })
}

/** every store with its managers, for the admin settings page */
export async function getStoresForSettings(caller: Caller) {
  if (caller.role !== 'ADMIN') return []
  return db.store.findMany({
    orderBy: [{ active: 'desc' }, { code: 'asc' }],
    include: {
      _count: { select: { memberships: true } },
      aliases: { select: { id: true, name: true }, orderBy: { name: 'asc' } },
    },
  })
}
