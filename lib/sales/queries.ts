import 'server-only'
import { scopeWhere } from '@/lib/auth/action'
import type { Caller } from '@/lib/auth/caller'
import { db } from '@/lib/db'

// Sales reads: every one takes the caller and stays inside their stores.

/** event counts by status across the caller's stores */
export async function getStatusCounts(caller: Caller) {
  const grouped = await db.saleEvent.groupBy({
    by: ['status'],
    where: scopeWhere(caller),
    _count: { _all: true },
  })
  return Object.fromEntries(grouped.map((g) => [g.status, g._count._all])) as Partial<Record<string, number>>
}

/** the latest events, newest first */
export async function getRecentSaleEvents(caller: Caller, take = 50) {
  return db.saleEvent.findMany({
    where: scopeWhere(caller),
    orderBy: { occurredAt: 'desc' },
    take,
    include: { store: { select: { code: true, timeZone: true, currency: true, locale: true } } },
  })
}
