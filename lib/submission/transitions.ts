import { JOB_MAX_ATTEMPTS, SEND_BATCH_TASK } from './queue'
import { type Queryable, SQL_UUID_V7 } from './sql'

// Every status change of batches and their events lives here. Each is one compare-and-set statement that
// applies only from the expected state (and, while SENDING, only for the attempt that claimed it), so two
// workers, or a worker and a person, can never both win. Set-based: a handful of statements per batch.
//
// Membership: while a batch is open, its events are the SaleEvent rows whose openBatchId names it (one column,
// so an event is in at most one open batch), found through the ids the batch was made with ("eventIds"): no index
// names openBatchId, so that setting and clearing it changes a row in place (a HOT update). A BatchEvent row is written when an event's fate in a batch is
// decided (SUBMITTED, FAILED, SPLIT into a child batch, CANCELLED), with its position in the request: events
// are sent in id order, so the position is the rank by id among the events the batch held at that moment.

export const MAX_BATCH_SIZE = 100

export type AttemptOutcomeClass = 'ACCEPTED' | 'REJECTED' | 'UNAUTHORIZED' | 'RATE_LIMITED' | 'TRANSIENT'

/** what one request did, as stored on its BatchAttempt row */
export type AttemptRecord = {
  attemptId: string
  startedAt: Date
  finishedAt: Date
  httpStatus: number | null
  durationMs: number
  responseExcerpt: string | null
  retryAfterMs: number | null
  outcome: AttemptOutcomeClass
}

/** the claim a worker holds on a SENDING batch: the attempt number fences out anyone who claimed it later */
export type BatchClaim = {
  batchId: string
  attempt: number
  connectionId: string
  createdAt: Date
  attemptId: string
  /** earlier attempts that burned a retry (transient, rate limited, or lost with a worker) */
  failures: number
}

// Only these burn a retry: a 400 (isolation) or a 401 (pause) does not bring a batch closer to giving up.
const FAILURES_SQL = `(SELECT count(*) FROM "BatchAttempt" x WHERE x."batchId" = b.id
  AND (x.outcome IN ('TRANSIENT', 'RATE_LIMITED') OR (x."finishedAt" IS NULL AND x.outcome IS NULL)))::int`

// graphile-worker job specs for a set of batches; job_key makes re-enqueueing replace a waiting job, not double it.
export function jobSpecsSql(select: string, keyMode: 'replace' | 'preserve_run_at' = 'replace') {
  return `(SELECT count(*) FROM graphile_worker.add_jobs(ARRAY(
    SELECT ROW('${SEND_BATCH_TASK}', json_build_object('batchId', j.id, 'connectionId', j.connection_id), NULL,
      j.run_at, ${JOB_MAX_ATTEMPTS}::smallint, 'batch:' || j.id::text, NULL, NULL)::graphile_worker.job_spec
    FROM (${select}) AS j(id, connection_id, run_at)), ${keyMode === 'preserve_run_at'}))::int`
}

const ATTEMPT_UPDATE = `UPDATE "BatchAttempt" SET "startedAt" = $3, "finishedAt" = $4, "httpStatus" = $5, "durationMs" = $6,
  "responseExcerpt" = $7, "retryAfterMs" = $8, outcome = $9::"AttemptOutcome" WHERE id = $10::uuid`

function attemptParams(a: AttemptRecord) {
  return [
    a.startedAt,
    a.finishedAt,
    a.httpStatus,
    a.durationMs,
    a.responseExcerpt,
    a.retryAfterMs,
    a.outcome,
    a.attemptId,
  ]
}

// READY events → QUEUED in new batches of ≤ 100, with one job per batch: one statement, so all or nothing.
// FOR UPDATE in id order: two people submitting the same events queue behind each other (no deadlock) and the
// second finds them QUEUED; the one openBatchId column (+ CHECK) keeps an event in at most one open batch.
export async function claimEventsIntoBatches(
  q: Queryable,
  args: { where: string; params: unknown[]; connectionId: string; createdById: string | null },
): Promise<{ eventCount: number; batchIds: string[] }> {
  const n = args.params.length
  const { rows } = await q.query<{ events: number; batchIds: string[] }>(
    `WITH cand AS (
       SELECT e.id, e."storeId", e."occurredAt" FROM "SaleEvent" e
       WHERE (${args.where}) AND e.status = 'READY' AND e."openBatchId" IS NULL
       ORDER BY e.id FOR UPDATE OF e
     ), num AS (
       SELECT id, "storeId", (row_number() OVER (ORDER BY "storeId", "occurredAt", id) - 1)::int AS rn FROM cand
     ), total AS (SELECT count(*)::int AS c FROM num),
     nb AS MATERIALIZED (
       SELECT g AS idx, ${SQL_UUID_V7} AS id, least(${MAX_BATCH_SIZE}, total.c - g * ${MAX_BATCH_SIZE})::int AS size
       FROM total, generate_series(0, (total.c - 1) / ${MAX_BATCH_SIZE}) AS g WHERE total.c > 0
     ), ids AS (
       SELECT rn / ${MAX_BATCH_SIZE} AS idx, array_agg(id ORDER BY id) AS ids, array_agg(DISTINCT "storeId") AS stores
       FROM num GROUP BY 1
     ), ins_batch AS (
       INSERT INTO "Batch" (id, "connectionId", status, "eventCount", "eventIds", "storeIds", "createdById", "createdAt",
         "updatedAt")
       SELECT nb.id, $${n + 1}::uuid, 'QUEUED', size, ids.ids, ids.stores, $${n + 2}::uuid, now(), now()
       FROM nb JOIN ids USING (idx)
       RETURNING id
     ), upd AS (
       UPDATE "SaleEvent" e SET status = 'QUEUED', "openBatchId" = nb.id, "lastError" = NULL,
         version = e.version + 1, "updatedAt" = now()
       FROM num JOIN nb ON nb.idx = num.rn / ${MAX_BATCH_SIZE} WHERE e.id = num.id RETURNING e.id
     )
     SELECT (SELECT count(*) FROM upd)::int AS events,
       ARRAY(SELECT id::text FROM nb ORDER BY idx) AS "batchIds",
       (SELECT count(*) FROM ins_batch) AS inserted,
       ${jobSpecsSql(`SELECT id, $${n + 1}::uuid, NULL::timestamptz FROM nb ORDER BY idx`)} AS jobs`,
    [...args.params, args.connectionId, args.createdById],
  )
  const row = rows[0]
  return { eventCount: row?.events ?? 0, batchIds: row?.batchIds ?? [] }
}

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

export type ClaimedEventRow = {
  id: string
  kind: 'PURCHASE' | 'RETURN'
  orderId: string
  occurredAt: Date | null
  customerId: string | null
  revenue: string | null
  returnExpenses: string | null
  refund: string | null
  returnShippingCost: string | null
  returnReason: string | null
  returnType: 'FULL' | 'PARTIAL' | null
  returnPreference: 'REFUND' | 'REPLACEMENT' | null
  returnDropOff: string | null
  storeCode: string
  latitude: string | null
  longitude: string | null
  lineItems: {
    lineNumber: number
    role: 'PURCHASED' | 'RETURNED' | 'KEPT' | 'CROSS_SOLD'
    itemId: string | null
    itemName: string | null
    variationId: string | null
    unitPrice: string | null
    quantity: number | null
  }[]
}

/** what the hot path's claim won: the claim with its events in request order */
export type BatchClaimWithEvents = { claim: BatchClaim; events: ClaimedEventRow[] }

// The hot path's claim, one round trip: QUEUED/RETRY_WAIT → SENDING (only when its wait is over and the connection is
// not paused), open its attempt, and read the events in request order. null: the batch cannot be claimed (sent,
// cancelled, claimed by another worker, waiting, or its connection paused). Concurrency slots and start times are
// not taken here (see pace.ts): a request holds a slot only while it is on the wire.
export async function claimBatch(
  q: Queryable,
  args: { batchId: string; workerId: string; leaseMs: number },
): Promise<BatchClaimWithEvents | null> {
  const { rows } = await q.query<{
    batchId: string
    attempt: number
    connectionId: string
    createdAt: Date
    attemptId: string
    failures: number
    /** the batch's events in request order, as one JSON document (one value to read, not a row per event) */
    events: (Omit<ClaimedEventRow, 'occurredAt'> & { occurredAt: string | null })[] | null
  }>(
    `WITH b AS (
       UPDATE "Batch" b SET status = 'SENDING', attempts = b.attempts + 1, "leaseOwner" = $2,
         "leaseUntil" = clock_timestamp() + $3::float8 * interval '1 millisecond',
         "startedAt" = coalesce(b."startedAt", now()), "updatedAt" = now()
       FROM "ConstructorConnection" c
       WHERE b.id = $1::uuid AND b.status IN ('QUEUED', 'RETRY_WAIT')
         AND (b."nextAttemptAt" IS NULL OR b."nextAttemptAt" <= clock_timestamp())
         AND c.id = b."connectionId" AND NOT c.paused
       RETURNING b.id, b.attempts, b."connectionId", b."createdAt", b."eventIds", ${FAILURES_SQL} AS failures
     ), a AS (
       INSERT INTO "BatchAttempt" (id, "batchId", number, "startedAt", "workerId")
       SELECT ${SQL_UUID_V7}, id, attempts, clock_timestamp(), $2 FROM b RETURNING id
     )
     SELECT b.id::text AS "batchId", b.attempts AS attempt, b."connectionId"::text AS "connectionId", b."createdAt",
       b.failures, (SELECT id::text FROM a) AS "attemptId",
       (SELECT json_agg(ev ORDER BY ev.id) FROM (
         SELECT e.id, e.kind, e."orderId", e."occurredAt", e."customerId", e.revenue::text AS revenue,
           e."returnExpenses"::text AS "returnExpenses", e.refund::text AS refund,
           e."returnShippingCost"::text AS "returnShippingCost", e."returnReason", e."returnType", e."returnPreference",
           e."returnDropOff", st.code AS "storeCode", st.latitude, st.longitude,
           coalesce((SELECT json_agg(json_build_object('lineNumber', li."lineNumber", 'role', li.role,
               'itemId', li."itemId", 'itemName', li."itemName", 'variationId', li."variationId",
               'unitPrice', li."unitPrice"::text, 'quantity', li.quantity)) FROM "LineItem" li WHERE li."eventId" = e.id),
             '[]'::json) AS "lineItems"
         FROM unnest(b."eventIds") AS x(id)
         JOIN "SaleEvent" e ON e.id = x.id AND e."openBatchId" = b.id
         JOIN "Store" st ON st.id = e."storeId"
       ) AS ev) AS events
     FROM b`,
    [args.batchId, args.workerId, args.leaseMs],
  )
  const first = rows[0]
  if (!first) return null
  const { events, ...claim } = first
  return {
    claim,
    events: (events ?? []).map((e) => ({
      ...e,
      occurredAt: e.occurredAt === null ? null : new Date(e.occurredAt),
    })),
  }
}

// A claim that waited long for a slot renews its lease before its request goes out (the request may take the whole
// timeout); false: the claim was taken back meanwhile and the batch must not be sent on it.
export async function renewLease(q: Queryable, claim: BatchClaim, leaseMs: number) {
  const { rows } = await q.query<{ n: number }>(
    `WITH b AS (
       UPDATE "Batch" SET "leaseUntil" = clock_timestamp() + $3::float8 * interval '1 millisecond'
       WHERE id = $1::uuid AND status = 'SENDING' AND attempts = $2 RETURNING 1
     ) SELECT count(*)::int AS n FROM b`,
    [claim.batchId, claim.attempt, leaseMs],
  )
  return (rows[0]?.n ?? 0) > 0
}

/** why a batch could not be claimed: still waiting (with its time), paused, or nothing left to do */
export async function batchClaimBlocker(q: Queryable, batchId: string) {
  const { rows } = await q.query<{
    status: string
    nextAttemptAt: Date | null
    paused: boolean
    connectionId: string
  }>(
    `SELECT b.status, b."nextAttemptAt", c.paused, b."connectionId"::text AS "connectionId"
     FROM "Batch" b JOIN "ConstructorConnection" c ON c.id = b."connectionId" WHERE b.id = $1::uuid`,
    [batchId],
  )
  return rows[0] ?? null
}

// Puts a send job back for a batch that is waiting (a job ran early, e.g. after a recovery).
export async function reenqueueBatch(
  q: Queryable,
  batchId: string,
  connectionId: string,
  runAt: Date | null,
) {
  await q.query(`SELECT ${jobSpecsSql('SELECT $1::uuid, $2::uuid, $3::timestamptz')}`, [
    batchId,
    connectionId,
    runAt,
  ])
}

// The BatchEvent rows of decided events: `rows` selects (batch id, event id, position, error). An event is decided
// once per batch: every decision takes it out of the batch (openBatchId changes) in the same statement, and an event
// never re-enters a batch (claims and splits make new ones).
function decidedSql(rows: string, outcome: 'SUBMITTED' | 'FAILED' | 'SPLIT' | 'CANCELLED') {
  return `INSERT INTO "BatchEvent" ("batchId", "eventId", position, outcome, error)
       SELECT r.batch_id, r.event_id, r.pos, '${outcome}', r.error FROM (${rows}) AS r(batch_id, event_id, pos, error)
       RETURNING 1`
}

// Events that cannot even be built into an action fail at once; the rest of the batch is still sent.
export async function failEventsBeforeSending(
  q: Queryable,
  claim: BatchClaim,
  failed: { eventId: string; error: string }[],
) {
  const { rows } = await q.query<{ events: number }>(
    `WITH b AS (SELECT id, "eventIds" FROM "Batch" WHERE id = $1::uuid AND status = 'SENDING' AND attempts = $2),
     f AS (SELECT * FROM unnest($3::uuid[], $4::text[]) AS f(id, error)),
     members AS (
       SELECT e.id, (row_number() OVER (ORDER BY e.id) - 1)::int AS pos
       FROM b, unnest(b."eventIds") AS x(id) JOIN "SaleEvent" e ON e.id = x.id WHERE e."openBatchId" = b.id
     ), fe AS (
       UPDATE "SaleEvent" e SET status = 'FAILED', "openBatchId" = NULL, "lastError" = f.error, version = e.version + 1,
         "updatedAt" = now()
       FROM f, b WHERE e.id = f.id AND e."openBatchId" = b.id RETURNING e.id, f.error
     ), fbe AS (
       ${decidedSql('SELECT (SELECT id FROM b), fe.id, m.pos, fe.error FROM fe JOIN members m ON m.id = fe.id', 'FAILED')}
     )
     SELECT (SELECT count(*) FROM fe)::int AS events, (SELECT count(*) FROM fbe)::int AS links`,
    [claim.batchId, claim.attempt, failed.map((f) => f.eventId), failed.map((f) => f.error)],
  )
  return rows[0]?.events ?? 0
}

// SENDING → SUCCEEDED; every event still in the batch → SUBMITTED with the time.
export async function markSucceeded(
  q: Queryable,
  claim: BatchClaim,
  attempt: AttemptRecord,
  note: string | null,
) {
  const params = [claim.batchId, claim.attempt, ...attemptParams(attempt), note]
  const { rows } = await q.query<{ batches: number; events: number }>(
    `WITH b AS (
       UPDATE "Batch" SET status = 'SUCCEEDED', "finishedAt" = $4, "lastHttpStatus" = $5,
         "lastError" = (SELECT CASE WHEN count(*) > 0 THEN count(*) || ' event(s) failed; the rest were submitted' ELSE $11 END
           FROM "BatchEvent" WHERE "batchId" = $1::uuid AND outcome = 'FAILED'),
         "leaseOwner" = NULL, "leaseUntil" = NULL, "nextAttemptAt" = NULL, "updatedAt" = now()
       WHERE id = $1::uuid AND status = 'SENDING' AND attempts = $2 RETURNING id, "eventIds"
     ), e AS (
       UPDATE "SaleEvent" SET status = 'SUBMITTED', "submittedAt" = $4, "openBatchId" = NULL, "lastError" = NULL,
         version = version + 1, "updatedAt" = now()
       WHERE id = ANY((SELECT "eventIds" FROM b)::uuid[]) AND "openBatchId" = (SELECT id FROM b) RETURNING id
     ), be AS (
       ${decidedSql('SELECT (SELECT id FROM b), id, (row_number() OVER (ORDER BY id) - 1)::int, NULL::text FROM e', 'SUBMITTED')}
     ), a AS (${ATTEMPT_UPDATE})
     SELECT (SELECT count(*) FROM b)::int AS batches, (SELECT count(*) FROM e)::int AS events,
       (SELECT count(*) FROM be)::int AS links`,
    params,
  )
  return { applied: (rows[0]?.batches ?? 0) > 0, events: rows[0]?.events ?? 0 }
}

// SENDING → RETRY_WAIT until nextAttemptAt, with the job scheduled for then (same statement, so never lost).
export async function markRetryWait(
  q: Queryable,
  claim: BatchClaim,
  attempt: AttemptRecord,
  delayMs: number,
  error: string,
) {
  const params = [claim.batchId, claim.attempt, ...attemptParams(attempt), delayMs, error]
  const { rows } = await q.query<{ batches: number }>(
    `WITH b AS (
       UPDATE "Batch" SET status = 'RETRY_WAIT', "nextAttemptAt" = clock_timestamp() + $11::float8 * interval '1 millisecond', "lastHttpStatus" = $5, "lastError" = $12,
         "leaseOwner" = NULL, "leaseUntil" = NULL, "updatedAt" = now()
       WHERE id = $1::uuid AND status = 'SENDING' AND attempts = $2 RETURNING id, "connectionId", "nextAttemptAt"
     ), a AS (${ATTEMPT_UPDATE})
     SELECT (SELECT count(*) FROM b)::int AS batches,
       ${jobSpecsSql('SELECT id, "connectionId", "nextAttemptAt" FROM b')} AS jobs`,
    params,
  )
  return { applied: (rows[0]?.batches ?? 0) > 0 }
}

// SENDING → FAILED (attempts or age exhausted): the events still in it end FAILED with the reason; a person can retry.
export async function markFailed(
  q: Queryable,
  claim: BatchClaim,
  attempt: AttemptRecord | null,
  reason: string,
) {
  const params = attempt
    ? [claim.batchId, claim.attempt, ...attemptParams(attempt), reason]
    : [claim.batchId, claim.attempt, reason]
  const r = attempt ? '$11' : '$3'
  const { rows } = await q.query<{ batches: number; events: number }>(
    `WITH b AS (
       UPDATE "Batch" SET status = 'FAILED', "finishedAt" = now(), "lastError" = ${r}
         ${attempt ? ', "lastHttpStatus" = $5' : ''}, "leaseOwner" = NULL, "leaseUntil" = NULL, "nextAttemptAt" = NULL,
         "updatedAt" = now()
       WHERE id = $1::uuid AND status = 'SENDING' AND attempts = $2 RETURNING id, "eventIds"
     ), e AS (
       UPDATE "SaleEvent" SET status = 'FAILED', "openBatchId" = NULL, "lastError" = ${r}, version = version + 1,
         "updatedAt" = now()
       WHERE id = ANY((SELECT "eventIds" FROM b)::uuid[]) AND "openBatchId" = (SELECT id FROM b) RETURNING id
     ), be AS (
       ${decidedSql(`SELECT (SELECT id FROM b), id, (row_number() OVER (ORDER BY id) - 1)::int, ${r}::text FROM e`, 'FAILED')}
     )${attempt ? `, a AS (${ATTEMPT_UPDATE})` : ''}
     SELECT (SELECT count(*) FROM b)::int AS batches, (SELECT count(*) FROM e)::int AS events,
       (SELECT count(*) FROM be)::int AS links`,
    params,
  )
  return { applied: (rows[0]?.batches ?? 0) > 0, events: rows[0]?.events ?? 0 }
}

// 401/403: the connection pauses with the reason; the batch goes back to QUEUED (an UNAUTHORIZED attempt burns no retry).
export async function markPaused(q: Queryable, claim: BatchClaim, attempt: AttemptRecord, reason: string) {
  const params = [claim.batchId, claim.attempt, ...attemptParams(attempt), reason, claim.connectionId]
  const { rows } = await q.query<{ batches: number }>(
    `WITH b AS (
       UPDATE "Batch" SET status = 'QUEUED', "lastHttpStatus" = $5, "lastError" = $11,
         "leaseOwner" = NULL, "leaseUntil" = NULL, "nextAttemptAt" = NULL, "updatedAt" = now()
       WHERE id = $1::uuid AND status = 'SENDING' AND attempts = $2 RETURNING "connectionId"
     ), c AS (
       UPDATE "ConstructorConnection" SET paused = true, "pausedReason" = $11, "pausedAt" = now(), "updatedAt" = now()
       WHERE id = $12::uuid AND NOT paused RETURNING 1
     ), a AS (${ATTEMPT_UPDATE})
     SELECT (SELECT count(*) FROM b)::int AS batches, (SELECT count(*) FROM c)::int AS paused`,
    params,
  )
  return { applied: (rows[0]?.batches ?? 0) > 0 }
}

export type Isolation = {
  /** events that end FAILED, with the API's (or the payload builder's) message */
  failed: { eventId: string; error: string }[]
  /** events moved to a new child batch (the other half of a bisection); empty when none */
  moved: string[]
}

// 400: only the offending events end FAILED; the rest are sent again (in this batch, and a child batch for the
// moved half when bisecting). When nothing is left in the batch, it ends FAILED; its attempt is counted.
export async function isolateRejected(
  q: Queryable,
  claim: BatchClaim,
  attempt: AttemptRecord | null,
  iso: Isolation,
) {
  const failedIds = iso.failed.map((f) => f.eventId)
  const failedErrors = iso.failed.map((f) => f.error)
  const summary = `${iso.failed.length} event(s) rejected${iso.moved.length ? `, ${iso.moved.length} moved to a split batch` : ''}`
  const params = [
    claim.batchId,
    claim.attempt,
    failedIds,
    failedErrors,
    iso.moved,
    summary,
    ...(attempt ? attemptParams(attempt) : []),
  ]
  const { rows } = await q.query<{ batches: number; remaining: number; child: string | null }>(
    `WITH b AS (
       SELECT id, "connectionId", "createdById", "eventIds", "storeIds" FROM "Batch"
       WHERE id = $1::uuid AND status = 'SENDING' AND attempts = $2 FOR UPDATE
     ), f AS (
       SELECT * FROM unnest($3::uuid[], $4::text[]) AS f(id, error)
     ), members AS (
       SELECT e.id, (row_number() OVER (ORDER BY e.id) - 1)::int AS pos
       FROM b, unnest(b."eventIds") AS x(id) JOIN "SaleEvent" e ON e.id = x.id WHERE e."openBatchId" = b.id
     ), fe AS (
       UPDATE "SaleEvent" e SET status = 'FAILED', "openBatchId" = NULL, "lastError" = f.error,
         version = e.version + 1, "updatedAt" = now()
       FROM f, b WHERE e.id = f.id AND e."openBatchId" = b.id RETURNING e.id, f.error
     ), fbe AS (
       ${decidedSql('SELECT (SELECT id FROM b), fe.id, m.pos, fe.error FROM fe JOIN members m ON m.id = fe.id', 'FAILED')}
     ), child AS MATERIALIZED (
       SELECT ${SQL_UUID_V7} AS id FROM b WHERE cardinality($5::uuid[]) > 0
     ), ins_child AS (
       INSERT INTO "Batch" (id, "connectionId", status, "eventCount", "eventIds", "storeIds", "parentBatchId", "createdById",
         "createdAt", "updatedAt")
       SELECT child.id, b."connectionId", 'QUEUED', cardinality($5::uuid[]),
         ARRAY(SELECT m FROM unnest($5::uuid[]) AS m ORDER BY m), b."storeIds", b.id, b."createdById", now(), now()
       FROM child, b RETURNING id
     ), me AS (
       UPDATE "SaleEvent" e SET "openBatchId" = child.id, version = e.version + 1, "updatedAt" = now()
       FROM child, b WHERE e.id = ANY($5::uuid[]) AND e."openBatchId" = b.id RETURNING e.id
     ), mbe AS (
       ${decidedSql('SELECT (SELECT id FROM b), me.id, m.pos, NULL::text FROM me JOIN members m ON m.id = me.id', 'SPLIT')}
     ), left_in AS (
       SELECT count(*)::int AS n FROM members m WHERE m.id <> ALL($3::uuid[]) AND m.id <> ALL($5::uuid[])
     ), bu AS (
       UPDATE "Batch" x SET
         status = CASE WHEN left_in.n > 0 THEN 'QUEUED'::"BatchStatus" ELSE 'FAILED'::"BatchStatus" END,
         "finishedAt" = CASE WHEN left_in.n > 0 THEN NULL ELSE now() END,
         "lastHttpStatus" = 400, "lastError" = $6, "leaseOwner" = NULL, "leaseUntil" = NULL, "nextAttemptAt" = NULL,
         "updatedAt" = now()
       FROM b, left_in WHERE x.id = b.id RETURNING x.id, x.status, x."connectionId"
     )${attempt ? `, a AS (UPDATE "BatchAttempt" SET "startedAt" = $7, "finishedAt" = $8, "httpStatus" = $9, "durationMs" = $10, "responseExcerpt" = $11, "retryAfterMs" = $12, outcome = $13::"AttemptOutcome" WHERE id = $14::uuid)` : ''}
     SELECT (SELECT count(*) FROM bu)::int AS batches, (SELECT n FROM left_in) AS remaining,
       (SELECT id::text FROM ins_child) AS child, (SELECT count(*) FROM fe)::int + (SELECT count(*) FROM fbe)::int
         + (SELECT count(*) FROM me)::int + (SELECT count(*) FROM mbe)::int AS touched,
       ${jobSpecsSql(`SELECT id, "connectionId", NULL::timestamptz FROM bu WHERE status = 'QUEUED'
                      UNION ALL SELECT c.id, b."connectionId", NULL::timestamptz FROM ins_child c, b`)} AS jobs`,
    params,
  )
  const row = rows[0]
  return {
    applied: (row?.batches ?? 0) > 0,
    remaining: row?.remaining ?? 0,
    childBatchId: row?.child ?? null,
  }
}

// QUEUED/RETRY_WAIT → CANCELLED by a person: its events return to READY; a job that runs later finds nothing to do.
export async function cancelQueuedBatch(q: Queryable, batchId: string) {
  const { rows } = await q.query<{ batches: number; events: number }>(
    `WITH b AS (
       UPDATE "Batch" SET status = 'CANCELLED', "finishedAt" = now(), "nextAttemptAt" = NULL, "updatedAt" = now()
       WHERE id = $1::uuid AND status IN ('QUEUED', 'RETRY_WAIT') RETURNING id, "eventIds"
     ), e AS (
       UPDATE "SaleEvent" SET status = 'READY', "openBatchId" = NULL, version = version + 1, "updatedAt" = now()
       WHERE id = ANY((SELECT "eventIds" FROM b)::uuid[]) AND "openBatchId" = (SELECT id FROM b) RETURNING id
     ), be AS (
       ${decidedSql('SELECT (SELECT id FROM b), id, (row_number() OVER (ORDER BY id) - 1)::int, NULL::text FROM e', 'CANCELLED')}
     )
     SELECT (SELECT count(*) FROM b)::int AS batches, (SELECT count(*) FROM e)::int AS events,
       (SELECT count(*) FROM be)::int AS links`,
    [batchId],
  )
  return { applied: (rows[0]?.batches ?? 0) > 0, events: rows[0]?.events ?? 0 }
}

// Pauses a connection for a reason that is not an answer to a request (e.g. the token cannot be decrypted).
export async function pauseConnection(q: Queryable, connectionId: string, reason: string) {
  await q.query(
    `UPDATE "ConstructorConnection" SET paused = true, "pausedReason" = $2, "pausedAt" = now(), "updatedAt" = now()
     WHERE id = $1::uuid AND NOT paused`,
    [connectionId, reason],
  )
}

// paused → running after an admin fixed and tested the settings; every waiting batch gets its job back.
export async function resumeConnection(q: Queryable, connectionId: string) {
  const { rows } = await q.query<{ resumed: number; jobs: number }>(
    `WITH c AS (
       UPDATE "ConstructorConnection" SET paused = false, "pausedReason" = NULL, "pausedAt" = NULL, "updatedAt" = now()
       WHERE id = $1::uuid AND paused RETURNING id
     ), w AS (
       SELECT b.id, b."connectionId", b."nextAttemptAt" FROM "Batch" b
       WHERE b."connectionId" = $1::uuid AND b.status IN ('QUEUED', 'RETRY_WAIT')
     )
     SELECT (SELECT count(*) FROM c)::int AS resumed,
       CASE WHEN EXISTS (SELECT 1 FROM c) THEN ${jobSpecsSql('SELECT id, "connectionId", "nextAttemptAt" FROM w')} ELSE 0 END AS jobs`,
    [connectionId],
  )
  return { resumed: (rows[0]?.resumed ?? 0) > 0, batches: rows[0]?.jobs ?? 0 }
}

// SENDING whose claim ran out, or whose worker stopped beating: the outcome is unknown, so the batch waits
// for a resend (safe: stable order ids) — or ends FAILED when out of attempts. The open attempt is closed.
export async function recoverLostBatches(q: Queryable, args: { staleMs: number; maxAttempts: number }) {
  const reason =
    'the worker sending this batch stopped before recording the outcome; resending (order ids make it safe)'
  const { rows } = await q.query<{ retried: number; failed: number }>(
    `WITH lost AS (
       SELECT b.id FROM "Batch" b
       WHERE b.status = 'SENDING' AND (b."leaseUntil" < clock_timestamp() OR NOT EXISTS (
         SELECT 1 FROM "WorkerHeartbeat" h WHERE h.id = b."leaseOwner"
           AND h."seenAt" > clock_timestamp() - $1::float8 * interval '1 millisecond'))
       FOR UPDATE SKIP LOCKED
     ), r AS (
       UPDATE "Batch" b SET status = 'RETRY_WAIT', "nextAttemptAt" = now(), "lastError" = $3, "leaseOwner" = NULL,
         "leaseUntil" = NULL, "updatedAt" = now()
       FROM lost WHERE b.id = lost.id AND ${FAILURES_SQL} < $2::int RETURNING b.id, b."connectionId", b."nextAttemptAt"
     ), f AS (
       UPDATE "Batch" b SET status = 'FAILED', "finishedAt" = now(), "lastError" = $3, "leaseOwner" = NULL,
         "leaseUntil" = NULL, "updatedAt" = now()
       FROM lost WHERE b.id = lost.id AND ${FAILURES_SQL} >= $2::int RETURNING b.id
     ), members AS (
       SELECT e.id, e."openBatchId" AS batch_id,
         (row_number() OVER (PARTITION BY e."openBatchId" ORDER BY e.id) - 1)::int AS pos
       FROM lost JOIN "Batch" lb ON lb.id = lost.id
       CROSS JOIN LATERAL unnest(lb."eventIds") AS x(id)
       JOIN "SaleEvent" e ON e.id = x.id AND e."openBatchId" = lb.id
     ), fe AS (
       UPDATE "SaleEvent" SET status = 'FAILED', "openBatchId" = NULL, "lastError" = $3, version = version + 1,
         "updatedAt" = now()
       WHERE id IN (SELECT m.id FROM members m WHERE m.batch_id IN (SELECT id FROM f))
         AND "openBatchId" IN (SELECT id FROM f) RETURNING id
     ), fbe AS (
       ${decidedSql('SELECT m.batch_id, m.id, m.pos, $3::text FROM fe JOIN members m ON m.id = fe.id', 'FAILED')}
     ), a AS (
       UPDATE "BatchAttempt" SET "finishedAt" = clock_timestamp(), outcome = 'TRANSIENT', "responseExcerpt" = $3
       WHERE "batchId" IN (SELECT id FROM lost) AND "finishedAt" IS NULL RETURNING 1
     )
     SELECT (SELECT count(*) FROM r)::int AS retried, (SELECT count(*) FROM f)::int AS failed,
       (SELECT count(*) FROM fe)::int + (SELECT count(*) FROM fbe)::int + (SELECT count(*) FROM a)::int AS touched,
       ${jobSpecsSql('SELECT id, "connectionId", "nextAttemptAt" FROM r')} AS jobs`,
    [args.staleMs, args.maxAttempts, reason],
  )
  return { retried: rows[0]?.retried ?? 0, failed: rows[0]?.failed ?? 0 }
}

// Waiting batches of a running connection with no runnable job (a job that gave up; a connection resumed by code
// that only cleared `paused`; a job that saw a stale paused flag): give one back.
export async function reenqueueOrphans(q: Queryable, olderThanMs: number) {
  const { rows } = await q.query<{ jobs: number }>(
    `SELECT ${jobSpecsSql(
      `SELECT b.id, b."connectionId", b."nextAttemptAt" FROM "Batch" b JOIN "ConstructorConnection" c ON c.id = b."connectionId"
       WHERE b.status IN ('QUEUED', 'RETRY_WAIT') AND NOT c.paused
         AND b."updatedAt" < clock_timestamp() - $1::float8 * interval '1 millisecond'
         AND NOT EXISTS (SELECT 1 FROM graphile_worker._private_jobs j
           WHERE j.key = 'batch:' || b.id::text AND j.attempts < j.max_attempts)
       LIMIT 1000`,
      'preserve_run_at',
    )} AS jobs`,
    [olderThanMs],
  )
  return rows[0]?.jobs ?? 0
}
