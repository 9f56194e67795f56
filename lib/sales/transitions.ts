import { Prisma } from '@/lib/generated/prisma/client'
import type { Queryable } from '@/lib/submission/sql'
import type { EventStatus } from './search-params'

// The sale event's state machine. Every change of a sale's status is written here, or by the batch move that carries
// the event with it (lib/submission/transitions.ts: one statement for the batch and its events). Each writer is a
// compare-and-set: it applies only from the states in the table and never to an event in an open batch.
//
// An event is made INVALID or READY (hand entry, an upload's COPY, the demo seed): creating it in one of those states
// is not a move and stays at the creation site. Nothing else may create an event in another state.

/** the states an event may be created in */
export const EVENT_INITIAL = ['INVALID', 'READY'] as const satisfies readonly EventStatus[]

/** every allowed move, with the writer that makes it */
export const EVENT_MOVES = [
  // submission: a person submits, the worker sends (lib/submission/transitions.ts)
  { from: ['READY'], to: ['QUEUED'], writer: 'claimEventsIntoBatches' },
  { from: ['QUEUED'], to: ['SUBMITTED'], writer: 'markSucceeded' },
  {
    from: ['QUEUED'],
    to: ['FAILED'],
    writer: 'markFailed, isolateRejected, failEventsBeforeSending, recoverLostBatches',
  },
  { from: ['QUEUED'], to: ['READY'], writer: 'cancelQueuedBatch' },
  // a person resubmits a failed event, corrected or as it is
  { from: ['FAILED'], to: ['READY'], writer: 'reopenFailedEvents' },
  // the catalog pre-flight holds a ready sale whose item ids the Constructor catalog does not know
  { from: ['READY'], to: ['INVALID'], writer: 'holdUnknownItemSales' },
  // a person excludes events from sending, or includes them again (validated again)
  { from: ['INVALID', 'READY', 'FAILED'], to: ['EXCLUDED'], writer: 'excludeEvents' },
  { from: ['EXCLUDED'], to: ['READY', 'INVALID'], writer: 'storeRevalidation' },
  // a group fix validates again: INVALID until nothing is wrong; a FAILED event keeps its API reason until resubmitted
  { from: ['INVALID', 'READY'], to: ['INVALID', 'READY'], writer: 'storeRevalidation' },
  { from: ['FAILED'], to: ['FAILED', 'INVALID'], writer: 'storeRevalidation' },
  // a person corrects one event (a sent one becomes a correction to send again); an excluded event stays excluded
  { from: ['INVALID', 'READY', 'FAILED', 'SUBMITTED'], to: ['READY'], writer: 'saveEditedEvent' },
  { from: ['EXCLUDED'], to: ['EXCLUDED'], writer: 'saveEditedEvent' },
  // the same order uploaded again with other content (a sent one comes back as a correction)
  {
    from: ['INVALID', 'READY', 'FAILED', 'SUBMITTED', 'EXCLUDED'],
    to: ['READY', 'INVALID'],
    writer: 'storeUploadedChanges',
  },
] as const satisfies readonly { from: readonly EventStatus[]; to: readonly EventStatus[]; writer: string }[]

type Tx = Prisma.TransactionClient
const sql = Prisma.sql

// FAILED → READY (a person resubmits, corrected or as it is); the event keeps every batch it was in.
export async function reopenFailedEvents(q: Queryable, where: string, params: unknown[]) {
  const { rows } = await q.query<{ n: number }>(
    `WITH u AS (UPDATE "SaleEvent" e SET status = 'READY', version = e.version + 1, "updatedAt" = now()
       WHERE (${where}) AND e.status = 'FAILED' AND e."openBatchId" IS NULL RETURNING 1)
     SELECT count(*)::int AS n FROM u`,
    params,
  )
  return rows[0]?.n ?? 0
}

// READY → INVALID: the catalog pre-flight (lib/catalog) found item ids the catalog does not hold; each such line
// gets the issue "Item <id> is not in your Constructor catalog" (its reason code is catalog:<id>). `where` names the
// candidate events (alias e) with `params`; returns how many were held.
export async function holdUnknownItemSales(
  q: Queryable,
  where: string,
  params: unknown[],
  unknownIds: string[],
) {
  if (unknownIds.length === 0) return 0
  const p = [...params, unknownIds]
  const { rows } = await q.query<{ n: number }>(
    `WITH held AS (
       SELECT li."eventId", jsonb_agg(jsonb_build_object('field', 'lineItems.' || (li."lineNumber" - 1) || '.itemId',
         'message', 'Item ' || li."itemId" || ' is not in your Constructor catalog') ORDER BY li."lineNumber") AS issues
       FROM "LineItem" li JOIN "SaleEvent" e ON e.id = li."eventId"
       WHERE (${where}) AND e.status = 'READY' AND e."openBatchId" IS NULL AND li."itemId" = ANY($${p.length}::text[])
       GROUP BY li."eventId"
     ), u AS (
       UPDATE "SaleEvent" e SET status = 'INVALID', issues = h.issues, version = e.version + 1, "updatedAt" = now()
       FROM held h WHERE e.id = h."eventId" AND e.status = 'READY' AND e."openBatchId" IS NULL RETURNING 1
     ) SELECT count(*)::int AS n FROM u`,
    p,
  )
  return rows[0]?.n ?? 0
}

// INVALID/READY/FAILED → EXCLUDED: never sent until a person includes it again. Returns how many moved.
export async function excludeEvents(tx: Tx, ids: string[], userId: string | null) {
  return tx.$executeRaw(sql`
    UPDATE "SaleEvent" e SET status = 'EXCLUDED', version = e.version + 1, "updatedById" = ${userId}::uuid,
      "updatedAt" = now()
    WHERE e.id = ANY(${ids}::uuid[]) AND e."openBatchId" IS NULL AND e.status IN ('INVALID', 'READY', 'FAILED')`)
}

/** the state an event validated again ends in: a FAILED event keeps its API reason until corrected or resubmitted */
export function revalidatedStatus(current: EventStatus, issueCount: number): 'INVALID' | 'READY' | 'FAILED' {
  if (issueCount > 0) return 'INVALID'
  return current === 'FAILED' ? 'FAILED' : 'READY'
}

export type Revalidation = { id: string; status: EventStatus; issues: string; count: number; total: string }

// Stores what validating events again found (status from revalidatedStatus, issues, item count and total), only for
// events a person may correct that are in no open batch.
export async function storeRevalidation(tx: Tx, rows: Revalidation[], userId: string | null) {
  return tx.$executeRaw(sql`
    UPDATE "SaleEvent" e SET status = v.status::"EventStatus", issues = v.issues::jsonb, "itemCount" = v.cnt,
      "itemsTotal" = v.total::numeric, version = e.version + 1, "updatedById" = ${userId}::uuid, "updatedAt" = now()
    FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.status)}::text[],
      ${rows.map((r) => r.issues)}::text[], ${rows.map((r) => r.count)}::int[], ${rows.map((r) => r.total)}::text[])
      AS v(id, status, issues, cnt, total)
    WHERE e.id = v.id AND e."openBatchId" IS NULL AND e.status IN ('INVALID', 'READY', 'FAILED', 'EXCLUDED')`)
}

/** the content a person's correction writes: everything but the status, which the move decides */
export type EditedContent = Omit<Prisma.SaleEventUncheckedUpdateManyInput, 'status' | 'version'>

// A person's correction, saved only if nobody changed the event since the form read it (its version) and it is in no
// open batch: it becomes READY (an excluded one stays EXCLUDED). Returns false when the guard did not hold.
export async function saveEditedEvent(
  tx: Tx,
  args: { eventId: string; version: number; current: EventStatus; content: EditedContent },
) {
  const updated = await tx.saleEvent.updateMany({
    where: { id: args.eventId, version: args.version, openBatchId: null, status: { not: 'QUEUED' } },
    data: {
      ...args.content,
      status: args.current === 'EXCLUDED' ? 'EXCLUDED' : 'READY',
      version: { increment: 1 },
    },
  })
  return updated.count === 1
}

// An upload's changed events, staged in ingest_changed by the commit, replace the stored ones in place (they keep
// their ids and batch history) with the status the file gives them (READY or INVALID). Runs on the commit's own
// connection, inside its transaction; version names the row the commit's lookup locked. Returns how many moved.
export async function storeUploadedChanges(q: Queryable) {
  const { rows } = await q.query<{ n: number }>(
    `WITH u AS (
       UPDATE "SaleEvent" e SET kind = c.kind, "orderIdGenerated" = c."orderIdGenerated", "occurredAt" = c."occurredAt",
         "customerId" = c."customerId", revenue = c.revenue, "returnExpenses" = c."returnExpenses", refund = c.refund,
         "returnShippingCost" = c."returnShippingCost", "returnReason" = c."returnReason", "returnType" = c."returnType",
         "returnPreference" = c."returnPreference", "returnDropOff" = c."returnDropOff", status = c.status,
         issues = c.issues, "itemCount" = c."itemCount", "itemsTotal" = c."itemsTotal", "contentHash" = c."contentHash",
         "isCorrection" = e."isCorrection" OR c."isCorrection", version = e.version + 1, "lastError" = NULL,
         "uploadId" = c."uploadId", "updatedById" = c."updatedById", "updatedAt" = c."updatedAt"
       FROM ingest_changed c
       WHERE e.id = c.id AND e.version = c.version AND e."openBatchId" IS NULL
         AND c.status IN ('READY', 'INVALID') AND e.status <> 'QUEUED'
       RETURNING 1
     ) SELECT count(*)::int AS n FROM u`,
  )
  return rows[0]?.n ?? 0
}
