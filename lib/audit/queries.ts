import 'server-only'
import type { Caller } from '@/lib/auth/caller'
import { db } from '@/lib/db'
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

// Admins read the whole trail. A manager reads what concerns their stores' data, plus their own
// entries that concern no store (their sign-ins, their password change), never another person's.
function scope(caller: Caller, params: unknown[]) {
  if (caller.allStores) return 'TRUE'
  params.push(caller.storeIds, caller.userId)
  return `(a."storeId" = ANY($${params.length - 1}::uuid[]) OR (a."storeId" IS NULL AND a."actorId" = $${params.length}::uuid))`
}

/** one page of the trail, newest first, and the page count, from one transaction */
export async function getAuditLog(caller: Caller, p: AuditParams) {
  const params: unknown[] = []
  const where = [scope(caller, params)]
  if (p.category) {
    params.push(AUDIT_CATEGORIES[p.category].prefixes.map((x) => `${likeEscape(x)}%`))
    where.push(`a.action LIKE ANY($${params.length}::text[])`)
  }
  if (p.store) {
    params.push(p.store)
    where.push(`s.code = $${params.length}`)
  }
  if (p.from) {
    params.push(p.from)
    where.push(`a."at" >= $${params.length}::date::timestamp AT TIME ZONE 'UTC'`)
  }
  if (p.to) {
    params.push(p.to)
    where.push(`a."at" < ($${params.length}::date + 1)::timestamp AT TIME ZONE 'UTC'`)
  }
  if (p.q) {
    params.push(`%${likeEscape(p.q)}%`)
    const n = params.length
    where.push(
      `(a."actorEmail" ILIKE $${n} OR a.action ILIKE $${n} OR a.entity ILIKE $${n} OR a."entityId" ILIKE $${n}
        OR s.code ILIKE $${n} OR a.details::text ILIKE $${n})`,
    )
  }
  const from = `FROM "AuditLog" a LEFT JOIN "Store" s ON s.id = a."storeId" WHERE ${where.join(' AND ')}`
  const offset = (p.page - 1) * AUDIT_PAGE_SIZE
  const [rows, total] = await db.$transaction([
    db.$queryRawUnsafe<AuditRow[]>(
      `SELECT a.id::text, a."at", a."actorId"::text AS "actorId", a."actorEmail", a.action, a.entity, a."entityId",
         a."storeId"::text AS "storeId", s.code AS "storeCode", a.details, a.ip
       ${from} ORDER BY a."at" DESC, a.id DESC LIMIT ${AUDIT_PAGE_SIZE} OFFSET ${offset}`,
      ...params,
    ),
    db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n ${from}`, ...params),
  ])
  const count = total[0]?.n ?? 0
  return { rows, total: count, pageCount: Math.max(1, Math.ceil(count / AUDIT_PAGE_SIZE)) }
}
