import { dbPool } from '@/lib/db'
import type { Queryable } from '@/lib/submission/sql'
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
  mapped: { storeId: string; itemId: string; catalogItemId: string; events: number }[]
}

const ITEM_LISTS = ['items', 'items_returned', 'items_kept', 'items_cross_sold'] as const

/** a preview's first events with each store's mapped till ids replaced by the catalog's, exactly as they will leave */
export function withCatalogIds<E extends { storeCode: string; action: { data: object } | null }>(
  events: E[],
  stores: readonly { id: string; code: string }[],
  catalog: PreviewCatalog | undefined,
): E[] {
  if (!catalog || catalog.mapped.length === 0) return events
  const storeIdOf = new Map(stores.map((s) => [s.code, s.id]))
  const mapOf = new Map(catalog.mapped.map((m) => [`${m.storeId}\u0000${m.itemId}`, m.catalogItemId]))
  return events.map((e) => {
    const storeId = storeIdOf.get(e.storeCode)
    if (!e.action || !storeId) return e
    const data: Record<string, unknown> = { ...e.action.data }
    for (const key of ITEM_LISTS) {
      const items = data[key]
      if (!Array.isArray(items)) continue
      data[key] = items.map((item: { item_id?: string }) => {
        const to = item.item_id === undefined ? undefined : mapOf.get(`${storeId}\u0000${item.item_id}`)
        return to === undefined ? item : { ...item, item_id: to }
      })
    }
    return { ...e, action: { ...e.action, data } }
  })
}

const SHOWN = 100

// The catalog pre-flight of an upload's preview: its valid sales' item ids, each store's mappings applied, against
// the first connection's catalog. Never throws: a preview is never refused for the catalog's sake.
export async function checkUploadItems(
  itemIds: { storeId: string; itemId: string; events: number }[],
  opts: { q?: Queryable; connectionId?: string } = {},
): Promise<PreviewCatalog | undefined> {
  // plain SQL: run by the worker's upload job, which otherwise never loads Prisma (see preflight.ts)
  const q = opts.q ?? dbPool()
  if (itemIds.length === 0) return undefined
  try {
    const { rows: conns } = await q.query<{ id: string }>(
      `SELECT id::text FROM "ConstructorConnection" ${opts.connectionId !== undefined ? 'WHERE id = $1::uuid' : ''}
       ORDER BY "createdAt", id LIMIT 1`,
      opts.connectionId !== undefined ? [opts.connectionId] : [],
    )
    const conn = conns[0]
    if (!conn) return undefined
    const { rows: mappings } = await q.query<{ storeId: string; tillItemId: string; catalogItemId: string }>(
      `SELECT "storeId"::text, "tillItemId", "catalogItemId" FROM "ItemIdMapping"
       WHERE "storeId" = ANY($1::uuid[]) AND "tillItemId" = ANY($2::text[])`,
      [[...new Set(itemIds.map((i) => i.storeId))], [...new Set(itemIds.map((i) => i.itemId))]],
    )
    const mapOf = new Map(mappings.map((m) => [`${m.storeId}\u0000${m.tillItemId}`, m.catalogItemId]))
    const sent = itemIds.map((i) => ({
      ...i,
      sentAs: mapOf.get(`${i.storeId}\u0000${i.itemId}`) ?? i.itemId,
    }))
    const check = await checkCatalogItems(conn.id, new Set(sent.map((i) => i.sentAs)), { q })
    const unknown = new Map<string, { events: number; storeIds: Set<string> }>()
    const mapped = new Map<
      string,
      { storeId: string; itemId: string; catalogItemId: string; events: number }
    >()
    for (const i of sent) {
      if (i.sentAs !== i.itemId)
        mapped.set(`${i.storeId}\u0000${i.itemId}`, {
          storeId: i.storeId,
          itemId: i.itemId,
          catalogItemId: i.sentAs,
          events: i.events,
        })
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
      mapped: [...mapped.values()].sort((a, b) => b.events - a.events).slice(0, SHOWN),
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
