import 'server-only'
import type { Caller } from '@/lib/auth/caller'
import { db, Prisma } from '@/lib/db'
import { AUDIT_CATEGORIES, AUDIT_PAGE_SIZE, type AuditParams } from './search-params'

export type AuditRow = {
  id: string
  at: Date
  actorId: string | null
  actorEmail: string | null
  action: string
  entity: string
  entityId: string | null
  storeId: string | null
  storeCode: string | null
  details: unknown
  ip: string | null
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`)

const sql = Prisma.sql

// Admins read the whole trail. A manager reads what concerns their stores' data, plus their own
// entries that concern no store (their sign-ins, their password change), never another person's.
function scope(caller: Caller): Prisma.Sql {
  if (caller.allStores) return sql`TRUE`
  return sql`(a."storeId" = ANY(${caller.storeIds}::uuid[]) OR (a."storeId" IS NULL AND a."actorId" = ${caller.userId}::uuid))`
}

/** one page of the trail, newest first, and the page count, from one transaction */
export async function getAuditLog(caller: Caller, p: AuditParams) {
  const where = [scope(caller)]
  if (p.category) {
    const patterns = AUDIT_CATEGORIES[p.category].prefixes.map((x) => `${likeEscape(x)}%`)
    where.push(sql`a.action LIKE ANY(${patterns}::text[])`)
  }
  if (p.store) where.push(sql`s.code = ${p.store}`)
  if (p.from) where.push(sql`a."at" >= ${p.from}::date::timestamp AT TIME ZONE 'UTC'`)
  if (p.to) where.push(sql`a."at" < (${p.to}::date + 1)::timestamp AT TIME ZONE 'UTC'`)
  if (p.q) {
    const q = `%${likeEscape(p.q)}%`
    where.push(
      sql`(a."actorEmail" ILIKE ${q} OR a.action ILIKE ${q} OR a.entity ILIKE ${q} OR a."entityId" ILIKE ${q}
        OR s.code ILIKE ${q} OR a.details::text ILIKE ${q})`,
    )
  }
  const from = sql`FROM "AuditLog" a LEFT JOIN "Store" s ON s.id = a."storeId" WHERE ${Prisma.join(where, ' AND ')}`
  const offset = (p.page - 1) * AUDIT_PAGE_SIZE
  const [rows, total] = await db.$transaction([
    db.$queryRaw<AuditRow[]>(sql`
      SELECT a.id::text, a."at", a."actorId"::text AS "actorId", a."actorEmail", a.action, a.entity, a."entityId",
         a."storeId"::text AS "storeId", s.code AS "storeCode", a.details, a.ip
       ${from} ORDER BY a."at" DESC, a.id DESC LIMIT ${AUDIT_PAGE_SIZE} OFFSET ${offset}`),
    db.$queryRaw<{ n: number }[]>(sql`SELECT count(*)::int AS n ${from}`),
  ])
  const count = total[0]?.n ?? 0
  return { rows, total: count, pageCount: Math.max(1, Math.ceil(count / AUDIT_PAGE_SIZE)) }
}
