import { Prisma } from '@/lib/generated/prisma/client'

// "Select all N matching this filter": the sales table's filter, parsed and scoped on the server (salesWhere),
// names the events a bulk action takes. They are locked for the rest of the action's transaction, so the count a
// person confirmed and the set that is submitted or excluded are the same rows.

/** the ids of the events the (already scoped) condition matches, locked until the transaction ends */
export async function lockMatchingEventIds(
  tx: Prisma.TransactionClient,
  where: Prisma.Sql,
): Promise<string[]> {
  const rows = await tx.$queryRaw<{ id: string }[]>(
    Prisma.sql`SELECT e.id FROM "SaleEvent" e WHERE ${where} ORDER BY e.id FOR UPDATE OF e`,
  )
  return rows.map((r) => r.id)
}

/** how many events the condition matches, and how many of them are ready to submit */
export async function countMatchingEvents(tx: Prisma.TransactionClient, where: Prisma.Sql) {
  const rows = await tx.$queryRaw<{ count: number; ready: number }[]>(
    Prisma.sql`SELECT count(*)::int AS count,
      count(*) FILTER (WHERE e.status = 'READY' AND e."openBatchId" IS NULL)::int AS ready
      FROM "SaleEvent" e WHERE ${where}`,
  )
  return { count: rows[0]?.count ?? 0, ready: rows[0]?.ready ?? 0 }
}
