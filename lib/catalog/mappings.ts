import { Prisma } from '@/lib/generated/prisma/client'
import { SQL_UUID_V7 } from '@/lib/submission/sql'

// A store's mappings of a till's SKU to the Constructor catalog's id ("ItemIdMapping"): made by the Needs attention
// group fix of a "not in your Constructor catalog" group, applied to every later upload, hand entry and feed input.

type Tx = Prisma.TransactionClient
const sql = Prisma.sql

// Points every line of the events with the till's id at the catalog's id, and remembers that for each of their stores.
export async function mapTillItemId(
  tx: Tx,
  eventIds: string[],
  tillItemId: string,
  catalogItemId: string,
  userId: string | null,
) {
  await tx.$executeRaw(sql`
    INSERT INTO "ItemIdMapping" (id, "storeId", "tillItemId", "catalogItemId", "createdById", "updatedAt")
    SELECT ${Prisma.raw(SQL_UUID_V7)}, s."storeId", ${tillItemId}, ${catalogItemId}, ${userId}::uuid, now()
    FROM (SELECT DISTINCT "storeId" FROM "SaleEvent" WHERE id = ANY(${eventIds}::uuid[])) s
    ON CONFLICT ("storeId", "tillItemId") DO UPDATE
      SET "catalogItemId" = EXCLUDED."catalogItemId", "updatedAt" = now()`)
  return tx.$executeRaw(sql`
    UPDATE "LineItem" SET "itemId" = ${catalogItemId}
    WHERE "eventId" = ANY(${eventIds}::uuid[]) AND "itemId" = ${tillItemId}`)
}

/** the store's catalog id for each of these till ids that has one */
export async function itemMappingsFor(tx: Tx, storeId: string, itemIds: Iterable<string>) {
  const ids = [...new Set(itemIds)]
  if (ids.length === 0) return new Map<string, string>()
  const rows = await tx.itemIdMapping.findMany({
    where: { storeId, tillItemId: { in: ids } },
    select: { tillItemId: true, catalogItemId: true },
  })
  return new Map(rows.map((r) => [r.tillItemId, r.catalogItemId]))
}

/** line items with each mapped till id replaced by its catalog id (hand entry and feed input, before storing) */
export async function applyItemMappings<L extends { itemId: string | null }>(
  tx: Tx,
  storeId: string,
  lines: L[],
): Promise<L[]> {
  const map = await itemMappingsFor(
    tx,
    storeId,
    lines.flatMap((l) => (l.itemId ? [l.itemId] : [])),
  )
  if (map.size === 0) return lines
  return lines.map((l) =>
    l.itemId && map.has(l.itemId) ? { ...l, itemId: map.get(l.itemId) ?? l.itemId } : l,
  )
}

type Queryable = { query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }> }

// An upload's stored lines with each mapped till id replaced, inside the commit's transaction, on its connection.
// From the mappings' side (the line items' item id index), and not at all when the stores map nothing.
export async function mapUploadItemIds(client: Queryable, uploadId: string, storeIds: string[]) {
  const any = await client.query('SELECT 1 FROM "ItemIdMapping" WHERE "storeId" = ANY($1::uuid[]) LIMIT 1', [
    storeIds,
  ])
  if (any.rows.length === 0) return
  await client.query(
    `UPDATE "LineItem" li SET "itemId" = m."catalogItemId"
     FROM "ItemIdMapping" m, "SaleEvent" e
     WHERE m."storeId" = ANY($2::uuid[]) AND li."itemId" = m."tillItemId" AND e.id = li."eventId"
       AND e."uploadId" = $1::uuid AND e."storeId" = m."storeId"`,
    [uploadId, storeIds],
  )
}

/** sales stored through the feed API, by their keys: lines with a mapped till id get the store's catalog id */
export async function mapFeedItemIds(
  client: Queryable,
  keys: readonly { storeId: string; kind: string; orderId: string }[],
) {
  if (keys.length === 0) return
  await client.query(
    `UPDATE "LineItem" li SET "itemId" = m."catalogItemId"
     FROM unnest($1::uuid[], $2::"EventKind"[], $3::text[]) AS k("storeId", kind, "orderId"), "SaleEvent" e,
       "ItemIdMapping" m
     WHERE e."storeId" = k."storeId" AND e.kind = k.kind AND e."orderId" = k."orderId" AND li."eventId" = e.id
       AND m."storeId" = e."storeId" AND li."itemId" = m."tillItemId"
       -- never a sale on its way or already sent: the request answered "busy" or "unchanged" for those
       AND e."openBatchId" IS NULL AND e.status NOT IN ('QUEUED', 'SUBMITTED')`,
    [keys.map((k) => k.storeId), keys.map((k) => k.kind), keys.map((k) => k.orderId)],
  )
}
