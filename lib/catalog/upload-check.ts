import { db as defaultDb } from '@/lib/db'
import type { PrismaClient } from '@/lib/generated/prisma/client'
import { checkCatalogItems, unknownItemMessage } from './preflight'

/** what an upload's preview says about its item ids and the Constructor catalog (saved on Upload.preview) */
export type PreviewCatalog = {
  status: 'checked' | 'unavailable'
  /** why the check could not be made */
  message?: string
  /** whether sales of unknown ids will be held when submitted (the connection's setting) */
  hold: boolean
  /** till ids the catalog does not hold (after the store's mappings), most used first */
  unknown: { itemId: string; events: number; reason: string; storeIds: string[] }[]
  /** till ids the store mapped to a catalog id: stored as the catalog's id */
  mapped: { itemId: string; catalogItemId: string; events: number }[]
}

const SHOWN = 100

// The catalog pre-flight of an upload's preview: its valid sales' item ids, each store's mappings applied, against
// the first connection's catalog. Never throws: a preview is never refused for the catalog's sake.
export async function checkUploadItems(
  itemIds: { storeId: string; itemId: string; events: number }[],
  opts: { db?: PrismaClient; connectionId?: string } = {},
): Promise<PreviewCatalog | undefined> {
  const db = opts.db ?? defaultDb
  if (itemIds.length === 0) return undefined
  try {
    const conn = await db.constructorConnection.findFirst({
      ...(opts.connectionId !== undefined && { where: { id: opts.connectionId } }),
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    })
    if (!conn) return undefined
    const mappings = await db.itemIdMapping.findMany({
      where: {
        storeId: { in: [...new Set(itemIds.map((i) => i.storeId))] },
        tillItemId: { in: [...new Set(itemIds.map((i) => i.itemId))] },
      },
      select: { storeId: true, tillItemId: true, catalogItemId: true },
    })
    const mapOf = new Map(mappings.map((m) => [`${m.storeId}\u0000${m.tillItemId}`, m.catalogItemId]))
    const sent = itemIds.map((i) => ({
      ...i,
      sentAs: mapOf.get(`${i.storeId}\u0000${i.itemId}`) ?? i.itemId,
    }))
    const check = await checkCatalogItems(conn.id, new Set(sent.map((i) => i.sentAs)), { db })
    const unknown = new Map<string, { events: number; storeIds: Set<string> }>()
    const mapped = new Map<string, { catalogItemId: string; events: number }>()
    for (const i of sent) {
      if (i.sentAs !== i.itemId) {
        const m = mapped.get(i.itemId) ?? { catalogItemId: i.sentAs, events: 0 }
        m.events += i.events
        mapped.set(i.itemId, m)
      }
      if (check.unknown.has(i.sentAs)) {
        const u = unknown.get(i.sentAs) ?? { events: 0, storeIds: new Set<string>() }
        u.events += i.events
        u.storeIds.add(i.storeId)
        unknown.set(i.sentAs, u)
      }
    }
    return {
      status: check.status,
      ...(check.message !== undefined && { message: check.message }),
      hold: check.hold,
      unknown: [...unknown]
        .sort((a, b) => b[1].events - a[1].events || a[0].localeCompare(b[0]))
        .slice(0, SHOWN)
        .map(([itemId, u]) => ({
          itemId,
          events: u.events,
          reason: unknownItemMessage(itemId),
          storeIds: [...u.storeIds],
        })),
      mapped: [...mapped]
        .sort((a, b) => b[1].events - a[1].events)
        .slice(0, SHOWN)
        .map(([itemId, m]) => ({ itemId, ...m })),
    }
  } catch {
    return {
      status: 'unavailable',
      message: 'The catalog check could not be made.',
      hold: true,
      unknown: [],
      mapped: [],
    }
  }
}
