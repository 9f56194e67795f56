import 'server-only'
import type { Caller } from '@/lib/auth/caller'
import { db } from '@/lib/db'

// Reads for Settings → API keys (admin) and the overview's schedule card (scoped to the caller's stores).

/** every key, newest first, with the codes of the stores it writes; never the key itself (only its prefix) */
export async function getApiKeysForSettings(caller: Caller) {
  if (caller.role !== 'ADMIN') return []
  const keys = await db.apiKey.findMany({
    orderBy: [{ revokedAt: { sort: 'asc', nulls: 'first' } }, { createdAt: 'desc' }],
    select: {
      id: true,
      name: true,
      prefix: true,
      createdAt: true,
      lastUsedAt: true,
      revokedAt: true,
      stores: { select: { store: { select: { code: true } } } },
    },
  })
  return keys.map(({ stores, ...k }) => ({ ...k, storeCodes: stores.map((s) => s.store.code).sort() }))
}

/** each of the caller's active stores with its schedule (OFF when it has none) */
export async function getStoreSchedules(caller: Caller) {
  const stores = await db.store.findMany({
    where: { active: true, ...(caller.allStores ? {} : { id: { in: caller.storeIds } }) },
    select: { id: true, code: true, name: true, timeZone: true, schedule: true },
    orderBy: { code: 'asc' },
  })
  return stores.map((s) => ({
    storeId: s.id,
    code: s.code,
    name: s.name,
    timeZone: s.timeZone,
    mode: s.schedule?.mode ?? 'OFF',
    dailyAt: s.schedule?.dailyAt ?? null,
    nextRunAt: s.schedule?.nextRunAt ?? null,
    lastRunAt: s.schedule?.lastRunAt ?? null,
    lastOk: s.schedule?.lastOk ?? null,
    lastResult: s.schedule?.lastResult ?? null,
  }))
}
export type StoreScheduleRow = Awaited<ReturnType<typeof getStoreSchedules>>[number]
