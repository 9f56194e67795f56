import { type CatalogLookupOptions, lookupableIds, lookupCatalogItems } from '@/lib/constructor/catalog'
import { decryptSecret } from '@/lib/crypto/secret-box'
import { dbPool, db as defaultDb } from '@/lib/db'
import { Prisma, type PrismaClient } from '@/lib/generated/prisma/client'
import type { Queryable } from '@/lib/submission/sql'

// The catalog pre-flight: which item ids of the sales about to go out (or in an upload's preview) the connection's
// Constructor catalog does not hold. Answers are cached per connection in "CatalogItemCache", shared by every web
// and worker process: a known id for CATALOG_KNOWN_TTL_MS, an unknown one for CATALOG_UNKNOWN_TTL_MS (shorter, so
// an item added to the catalog stops holding sales soon). A check that cannot be made is "unavailable" and holds nothing.

/** how long "this id is in the catalog" is believed */
export const CATALOG_KNOWN_TTL_MS = 24 * 60 * 60_000
/** how long "this id is not in the catalog" is believed */
export const CATALOG_UNKNOWN_TTL_MS = 15 * 60_000

/** the reason a held sale carries, per item id */
export function unknownItemMessage(itemId: string) {
  return `Item ${itemId} is not in your Constructor catalog`
}

export type CatalogCheck = {
  status: 'checked' | 'unavailable'
  /** ids the catalog does not hold */
  unknown: Set<string>
  /** whether the connection holds sales of unknown ids (else they are sent anyway) */
  hold: boolean
  /** why the check could not be made (for a store manager) */
  message?: string
  /** ids answered from the cache, and asked of Constructor */
  cacheHits: number
  looked: number
}

type Options = {
  /** where the connection and the cache are read (default: the process's pool). Plain SQL, so the worker's upload
   * check never loads Prisma's query compiler (≈ 75 MB at its first query; docs/performance.md, issue 19) */
  q?: Queryable
  /** overrides for the lookup (tests: a clock for the waits) */
  lookup?: Partial<Pick<CatalogLookupOptions, 'sleep' | 'requestTimeoutMs' | 'budgetMs'>>
  now?: Date
}

const sql = Prisma.sql

function unavailable(reason: string, hold: boolean): CatalogCheck {
  const message = `The catalog check is unavailable: ${reason}.`
  return { status: 'unavailable', unknown: new Set(), hold, message, cacheHits: 0, looked: 0 }
}

// Checks item ids against the connection's catalog, through the cache; never throws for Constructor's sake.
export async function checkCatalogItems(
  connectionId: string,
  itemIds: Iterable<string>,
  opts: Options = {},
): Promise<CatalogCheck> {
  const q = opts.q ?? dbPool()
  const { rows: conns } = await q.query<{
    holdUnknownItems: boolean
    tokenCiphertext: string | null
    baseUrl: string
    apiKey: string
    section: string
  }>(
    `SELECT "holdUnknownItems", "tokenCiphertext", "baseUrl", "apiKey", section
     FROM "ConstructorConnection" WHERE id = $1::uuid`,
    [connectionId],
  )
  const conn = conns[0]
  if (!conn) return unavailable('no Constructor connection is set up', true)
  const ids = lookupableIds(itemIds)
  if (ids.length === 0)
    return { status: 'checked', unknown: new Set(), hold: conn.holdUnknownItems, cacheHits: 0, looked: 0 }
  const now = opts.now ?? new Date()
  const knownSince = new Date(now.getTime() - CATALOG_KNOWN_TTL_MS)
  const unknownSince = new Date(now.getTime() - CATALOG_UNKNOWN_TTL_MS)
  const { rows: cached } = await q.query<{ itemId: string; known: boolean }>(
    `SELECT "itemId", known FROM "CatalogItemCache"
     WHERE "connectionId" = $1::uuid AND "itemId" = ANY($2::text[])
       AND "checkedAt" > CASE WHEN known THEN $3::timestamptz ELSE $4::timestamptz END`,
    [connectionId, ids, knownSince, unknownSince],
  )
  const unknown = new Set(cached.filter((c) => !c.known).map((c) => c.itemId))
  const answered = new Set(cached.map((c) => c.itemId))
  const ask = ids.filter((id) => !answered.has(id))
  const result: CatalogCheck = {
    status: 'checked',
    unknown,
    hold: conn.holdUnknownItems,
    cacheHits: cached.length,
    looked: ask.length,
  }
  if (ask.length === 0) return result
  // what could not be asked counts as asked-and-unavailable, so the person is told
  const notAsked = (reason: string) => ({
    ...unavailable(reason, conn.holdUnknownItems),
    unknown,
    cacheHits: cached.length,
    looked: ask.length,
  })
  if (!conn.tokenCiphertext) return notAsked('no API token is set')
  let token: string
  try {
    token = decryptSecret(conn.tokenCiphertext)
  } catch {
    return notAsked('the stored API token cannot be read')
  }
  let lookup: Awaited<ReturnType<typeof lookupCatalogItems>>
  try {
    lookup = await lookupCatalogItems(
      { baseUrl: conn.baseUrl, apiKey: conn.apiKey, section: conn.section, token, ...opts.lookup },
      ask,
    )
  } catch {
    return notAsked('the connection’s settings cannot be used for it')
  }
  const checked = [...lookup.checked]
  if (checked.length > 0) {
    const known = checked.map((id) => lookup.found.has(id))
    await q.query(
      `INSERT INTO "CatalogItemCache" ("connectionId", "itemId", known, "checkedAt")
       SELECT $1::uuid, v.id, v.known, $2::timestamptz
       FROM unnest($3::text[], $4::boolean[]) AS v(id, known)
       ON CONFLICT ("connectionId", "itemId") DO UPDATE SET known = EXCLUDED.known, "checkedAt" = EXCLUDED."checkedAt"`,
      [connectionId, now, checked, known],
    )
    for (const id of checked) if (!lookup.found.has(id)) unknown.add(id)
  }
  if (lookup.unavailable) {
    result.status = 'unavailable'
    result.message = `The catalog check is unavailable: ${lookup.unavailable.message}.`
  }
  return result
}

/** forgets a connection's cached answers (its key, section or token changed) */
export async function clearCatalogCache(connectionId: string, opts: { db?: PrismaClient } = {}) {
  const db = opts.db ?? defaultDb
  await db.catalogItemCache.deleteMany({ where: { connectionId } })
}

/** the item ids of the sales a submission is about to take (`where` over alias e, as lib/submission/submit.ts has it) */
export async function selectionItemIds(db: PrismaClient, where: string | Prisma.Sql, params: unknown[] = []) {
  const base = sql`SELECT DISTINCT li."itemId" AS id FROM "LineItem" li JOIN "SaleEvent" e ON e.id = li."eventId"
    WHERE e.status IN ('READY', 'FAILED') AND e."openBatchId" IS NULL AND li."itemId" IS NOT NULL AND `
  const rows =
    typeof where === 'string'
      ? await db.$queryRawUnsafe<{ id: string }[]>(`${base.sql}(${where})`, ...params)
      : await db.$queryRaw<{ id: string }[]>(sql`${base}(${where})`)
  return rows.map((r) => r.id)
}
