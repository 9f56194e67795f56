import 'server-only'
import type { Caller } from '@/lib/auth/caller'
import type { BatchesTableParams, BatchStatus } from '@/lib/batches/schema'
import { db, Prisma } from '@/lib/db'

// Batch reads. A batch has no store of its own: a manager sees the batches holding at least one
// event of their stores, and counts only those events.

// ——— the batches table and one batch ———

const sql = Prisma.sql

/** a manager's batches: those holding at least one event of their stores */
function batchScope(caller: Caller) {
  return caller.allStores
    ? sql`TRUE`
    : sql`EXISTS (SELECT 1 FROM "BatchMember" be JOIN "SaleEvent" e ON e.id = be."eventId"
        WHERE be."batchId" = b.id AND e."storeId" = ANY(${caller.storeIds}::uuid[]))`
}

/** counts only the caller's events */
function eventScope(caller: Caller) {
  return caller.allStores ? sql`TRUE` : sql`e."storeId" = ANY(${caller.storeIds}::uuid[])`
}

export type BatchRow = {
  id: string
  status: BatchStatus
  createdAt: Date
  startedAt: Date | null
  finishedAt: Date | null
  nextAttemptAt: Date | null
  attempts: number
  lastHttpStatus: number | null
  /** hidden when the batch also held other stores' sales (the message could name them) */
  lastError: string | null
  parentBatchId: string | null
  children: number
  events: number
  submitted: number
  failed: number
  pending: number
  split: number
  cancelled: number
}

export async function getBatches(caller: Caller, params: BatchesTableParams) {
  const where = [batchScope(caller)]
  if (params.status.length) where.push(sql`b.status = ANY(${params.status}::"BatchStatus"[])`)
  const cond = Prisma.join(where, ' AND ')
  const [rows, counted] = await db.$transaction([
    db.$queryRaw<BatchRow[]>(sql`
      WITH page AS MATERIALIZED (
        SELECT b.id FROM "Batch" b WHERE ${cond} ORDER BY b."createdAt" DESC, b.id DESC
        LIMIT ${params.size} OFFSET ${(params.page - 1) * params.size}
      )
      SELECT b.id, b.status::text AS status, b."createdAt", b."startedAt", b."finishedAt", b."nextAttemptAt", b.attempts,
        b."lastHttpStatus", CASE WHEN c.foreign = 0 THEN b."lastError" END AS "lastError", b."parentBatchId",
        (SELECT count(*)::int FROM "Batch" ch WHERE ch."parentBatchId" = b.id) AS children,
        c.events, c.submitted, c.failed, c.pending, c.split, c.cancelled
      FROM page JOIN "Batch" b ON b.id = page.id,
      LATERAL (
        SELECT count(*) FILTER (WHERE ${eventScope(caller)})::int AS events,
          count(*) FILTER (WHERE ${eventScope(caller)} AND be.outcome = 'SUBMITTED')::int AS submitted,
          count(*) FILTER (WHERE ${eventScope(caller)} AND be.outcome = 'FAILED')::int AS failed,
          count(*) FILTER (WHERE ${eventScope(caller)} AND be.outcome = 'PENDING')::int AS pending,
          count(*) FILTER (WHERE ${eventScope(caller)} AND be.outcome = 'SPLIT')::int AS split,
          count(*) FILTER (WHERE ${eventScope(caller)} AND be.outcome = 'CANCELLED')::int AS cancelled,
          count(*) FILTER (WHERE NOT (${eventScope(caller)}))::int AS foreign
        FROM "BatchMember" be JOIN "SaleEvent" e ON e.id = be."eventId" WHERE be."batchId" = b.id
      ) c
      ORDER BY b."createdAt" DESC, b.id DESC`),
    db.$queryRaw<{ n: number }[]>(sql`SELECT count(*)::int AS n FROM "Batch" b WHERE ${cond}`),
  ])
  return { rows, rowCount: counted[0]?.n ?? 0 }
}

/** one batch with its attempts, parent and children, and the caller's events in it; null when not the caller's */
export async function getBatchDetail(caller: Caller, id: string) {
  const rows = await db.$queryRaw<{ id: string }[]>(
    sql`SELECT b.id FROM "Batch" b WHERE b.id = ${id}::uuid AND ${batchScope(caller)}`,
  )
  if (rows.length === 0) return null
  const [batch, counts, events] = await Promise.all([
    db.batch.findUniqueOrThrow({
      where: { id },
      include: {
        attemptsLog: { orderBy: { number: 'asc' } },
        parent: { select: { id: true, status: true } },
        children: { select: { id: true, status: true, eventCount: true }, orderBy: { createdAt: 'asc' } },
      },
    }),
    db.$queryRaw<{ outcome: string; n: number; foreign: number; retryable: number }[]>(sql`
      SELECT be.outcome::text AS outcome, count(*) FILTER (WHERE ${eventScope(caller)})::int AS n,
        count(*) FILTER (WHERE NOT (${eventScope(caller)}))::int AS foreign,
        -- what "Retry failed sales" would send: failed here and still failed, or fixed and not sent since
        count(*) FILTER (WHERE ${eventScope(caller)} AND be.outcome = 'FAILED' AND e.status IN ('FAILED', 'READY'))::int
          AS retryable
      FROM "BatchMember" be JOIN "SaleEvent" e ON e.id = be."eventId" WHERE be."batchId" = ${id}::uuid
      GROUP BY be.outcome`),
    db.$queryRaw<
      {
        id: string
        orderId: string
        kind: string
        occurredAt: Date | null
        status: string
        /** in the request that decided the outcome; null while the event waits in the open batch */
        position: number | null
        outcome: string
        error: string | null
        storeCode: string
        timeZone: string
        locale: string
      }[]
    >(sql`
      SELECT e.id, e."orderId", e.kind::text AS kind, e."occurredAt", e.status::text AS status, be.position,
        be.outcome::text AS outcome, be.error, s.code AS "storeCode", s."timeZone", s.locale
      FROM "BatchMember" be JOIN "SaleEvent" e ON e.id = be."eventId" JOIN "Store" s ON s.id = e."storeId"
      WHERE be."batchId" = ${id}::uuid AND ${eventScope(caller)}
      ORDER BY (be.outcome = 'FAILED') DESC, be.position NULLS LAST, e.id LIMIT 500`),
  ])
  const foreign = counts.reduce((n, c) => n + c.foreign, 0)
  const byOutcome = Object.fromEntries(counts.map((c) => [c.outcome, c.n])) as Partial<Record<string, number>>
  // attempts' answers can quote other stores' sales: a manager sees them only for batches wholly theirs
  const mine = foreign === 0
  return {
    batch: {
      ...batch,
      lastError: mine ? batch.lastError : null,
      attemptsLog: batch.attemptsLog.map((a) => ({ ...a, responseExcerpt: mine ? a.responseExcerpt : null })),
      eventCount: counts.reduce((n, c) => n + c.n, 0),
    },
    byOutcome,
    /** failed sales of this batch a retry would send: not those fixed and sent (or queued) since */
    retryable: counts.reduce((n, c) => n + c.retryable, 0),
    events,
    mine,
  }
}
export type BatchDetail = NonNullable<Awaited<ReturnType<typeof getBatchDetail>>>
