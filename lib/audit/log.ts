import { uuidv7 } from '@/lib/db/uuid7'
import type { Prisma, PrismaClient } from '@/lib/generated/prisma/client'
import { redact } from '@/lib/redact'

// The audit trail: who did what to which record, before → after. Secrets and customers' ids never reach
// it (lib/redact.ts, the same rules as every log line).
// Writers that run on a raw pg connection (an upload's COPY transaction) hand that connection in instead.
type SqlClient = { query(text: string, values?: unknown[]): Promise<unknown> }
type Client = PrismaClient | Prisma.TransactionClient | SqlClient

export type AuditActor = { userId: string | null; email: string | null } | null

export type AuditEntry = {
  actor: AuditActor
  action: string
  entity: string
  entityId?: string | null
  storeId?: string | null
  details?: Record<string, unknown>
  ip?: string | null
  /** when it happened, if not now (the sign-in throttle runs on an injectable clock) */
  at?: Date
}

export { REDACTED, redact } from '@/lib/redact'

/** the fields that changed, as { field: { before, after } } */
export function diff<T extends Record<string, unknown>>(before: T | null, after: T, fields: (keyof T)[]) {
  const changes: Record<string, { before: unknown; after: unknown }> = {}
  for (const f of fields) {
    const a = before?.[f] ?? null
    const b = after[f] ?? null
    if (JSON.stringify(a) !== JSON.stringify(b)) changes[String(f)] = { before: a, after: b }
  }
  return changes
}

function auditRow(entry: AuditEntry) {
  return {
    actorId: entry.actor?.userId ?? null,
    actorEmail: entry.actor?.email ?? null,
    action: entry.action,
    entity: entry.entity,
    entityId: entry.entityId ?? null,
    storeId: entry.storeId ?? null,
    details: entry.details ? (redact(entry.details) as Prisma.InputJsonValue) : undefined,
    ip: entry.ip?.slice(0, 100) ?? null,
    ...(entry.at ? { at: entry.at } : {}),
  }
}

function isSqlClient(client: Client): client is SqlClient {
  return typeof (client as Partial<SqlClient>).query === 'function'
}

/** writes one entry, or many in one statement (a bulk action logs one entry per record) */
export async function audit(client: Client, entry: AuditEntry | AuditEntry[]) {
  const rows = (Array.isArray(entry) ? entry : [entry]).map(auditRow)
  if (rows.length === 0) return
  if (isSqlClient(client)) {
    await client.query(
      `INSERT INTO "AuditLog" (id, "actorId", "actorEmail", action, entity, "entityId", "storeId", details, ip, at)
       SELECT r.id, r."actorId", r."actorEmail", r.action, r.entity, r."entityId", r."storeId", r.details, r.ip, now()
       FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, "actorId" uuid, "actorEmail" text, action text, entity text,
         "entityId" text, "storeId" uuid, details jsonb, ip text)`,
      [JSON.stringify(rows.map((row) => ({ id: uuidv7(), ...row })))],
    )
  } else if (rows.length === 1 && rows[0]) await client.auditLog.create({ data: rows[0] })
  else await client.auditLog.createMany({ data: rows })
}
