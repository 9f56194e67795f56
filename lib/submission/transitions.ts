import {
  type AttemptRecord,
  type BatchClaim,
  type BatchClaimWithEvents,
  CLAIMED_EVENTS_SQL,
  type ClaimedEventRow,
  type Isolation,
  MAX_BATCH_SIZE,
} from './batch-records'
import { jobSpecsSql } from './jobs'
import { slowDownSql } from './pace'
import { type Queryable, SQL_UUID_V7 } from './sql'

// The batch's state machine. Every status change of a batch, and of the events it holds, is one compare-and-set
// statement here that applies only from the expected state (and, while SENDING, only for the attempt that claimed
// it), so two workers, or a worker and a person, can never both win. Each move is one statement with its own fixed
// parameters: $1 the batch, $2 the claimed attempt, $3 the attempt's record (JSON), then the move's own.
//
// Membership: while a batch is open, its events are the SaleEvent rows whose openBatchId names it (one column, so an
// event is in at most one open batch), found through the ids the batch was made with ("eventIds"): no index names
// openBatchId, so setting and clearing it changes a row in place (a HOT update). A BatchEvent row is written when an
// event's fate in a batch is decided (SUBMITTED, FAILED, SPLIT into a child batch, CANCELLED), with its position in
// the request: events are sent in id order, so the position is the rank by id among the events the batch held then.

export type BatchStatus = 'QUEUED' | 'SENDING' | 'RETRY_WAIT' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED'

/** a batch is made QUEUED (by claimEventsIntoBatches, or as the moved half of a split by isolateRejected) */
export const BATCH_INITIAL: readonly BatchStatus[] = ['QUEUED']

/** every allowed move, with the writer that makes it; the events still in the batch move with it (lib/sales/transitions.ts) */
export const BATCH_MOVES = [
  { from: 'QUEUED', to: 'SENDING', writer: 'claimBatch' },
  { from: 'RETRY_WAIT', to: 'SENDING', writer: 'claimBatch' },
  { from: 'SENDING', to: 'SUCCEEDED', writer: 'markSucceeded' },
  { from: 'SENDING', to: 'RETRY_WAIT', writer: 'markRetryWait' },
  { from: 'SENDING', to: 'RETRY_WAIT', writer: 'recoverLostBatches' },
  { from: 'SENDING', to: 'FAILED', writer: 'markFailed' },
  { from: 'SENDING', to: 'FAILED', writer: 'recoverLostBatches' },
  { from: 'SENDING', to: 'FAILED', writer: 'isolateRejected' },
  { from: 'SENDING', to: 'QUEUED', writer: 'isolateRejected' },
  { from: 'SENDING', to: 'QUEUED', writer: 'markPaused' },
  { from: 'QUEUED', to: 'CANCELLED', writer: 'cancelQueuedBatch' },
  { from: 'RETRY_WAIT', to: 'CANCELLED', writer: 'cancelQueuedBatch' },
] as const satisfies readonly { from: BatchStatus; to: BatchStatus; writer: string }[]

// Only Constructor's failed answers burn a retry: a 400 (isolation), a 401 (pause) or an attempt lost with its worker
// (no answer recorded: ours, not the API's) does not bring a batch closer to giving up.
const FAILURES_SQL = `(SELECT count(*) FROM "BatchAttempt" x WHERE x."batchId" = b.id
  AND x.outcome IN ('TRANSIENT', 'RATE_LIMITED'))::int`
// Attempts lost with their worker, the open one being taken back included: only a batch that keeps stopping its
// workers gives up on them (SUBMIT_MAX_LOST_ATTEMPTS), with a reason of our own.
const LOST_SQL = `(SELECT count(*) FROM "BatchAttempt" x WHERE x."batchId" = b.id
  AND (x.outcome = 'LOST' OR (x."finishedAt" IS NULL AND x.outcome IS NULL)))::int`

// The attempt's record ($3) as a BatchAttempt row, and the claim's guard ($1, $2) for an UPDATE of "Batch": in the
// UPDATE's own WHERE, so that a concurrent change makes PostgreSQL test it again on the row's newest version.
const ATTEMPT = `att AS (SELECT * FROM jsonb_populate_record(NULL::"BatchAttempt", $3::jsonb))`
const STILL_CLAIMED = `"Batch".id = $1::uuid AND "Batch".status = 'SENDING' AND "Batch".attempts = $2`
// The attempt row is guarded like the batch row: only the claim's own attempt ($1, $2), and only while it is open. An
// attempt the sweep closed (lost) or another claim wrote is never rewritten by a worker that wakes up late.
const ATTEMPT_UPDATE = `UPDATE "BatchAttempt" x SET "startedAt" = att."startedAt", "finishedAt" = att."finishedAt",
       "httpStatus" = att."httpStatus", "durationMs" = att."durationMs", "responseExcerpt" = att."responseExcerpt",
       "retryAfterMs" = att."retryAfterMs", outcome = att.outcome
     FROM att WHERE x.id = att.id AND x."batchId" = $1::uuid AND x.number = $2
       AND x."finishedAt" IS NULL AND x.outcome IS NULL RETURNING 1`

function attemptJson(a: AttemptRecord) {
  return JSON.stringify({
    id: a.attemptId,
    startedAt: a.startedAt,
    finishedAt: a.finishedAt,
    httpStatus: a.httpStatus,
    durationMs: a.durationMs,
    responseExcerpt: a.responseExcerpt,
    retryAfterMs: a.retryAfterMs,
    outcome: a.outcome,
  })
}

// The BatchEvent rows of decided events: `rows` selects (batch id, event id, position, error). An event is decided
// once per batch: every decision takes it out of the batch (openBatchId changes) in the same statement, and an event
// never re-enters a batch (claims and splits make new ones).
function decidedSql(rows: string, outcome: 'SUBMITTED' | 'FAILED' | 'SPLIT' | 'CANCELLED') {
  return `INSERT INTO "BatchEvent" ("batchId", "eventId", position, outcome, error)
       SELECT r.batch_id, r.event_id, r.pos, '${outcome}', r.error FROM (${rows}) AS r(batch_id, event_id, pos, error)
       RETURNING 1`
}

// The events still in the open batch b, with their positions in its request.
const MEMBERS = `members AS (
       SELECT e.id, (row_number() OVER (ORDER BY e.id) - 1)::int AS pos
       FROM b, unnest(b."eventIds") AS x(id) JOIN "SaleEvent" e ON e.id = x.id WHERE e."openBatchId" = b.id
     )`

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

// QUEUED/RETRY_WAIT → SENDING, the hot path's claim in one round trip: only when its wait is over and the connection
// is not paused; opens its attempt and reads the events in request order. null: the batch cannot be claimed (sent,
// cancelled, claimed by another worker, waiting, or its connection paused). Concurrency slots and start times are
// not taken here (see pace.ts): a request holds a slot only while it is on the wire.
export async function claimBatch(
  q: Queryable,
  args: { batchId: string; workerId: string; leaseMs: number },
): Promise<BatchClaimWithEvents | null> {
  const { rows } = await q.query<
    BatchClaim & { events: (Omit<ClaimedEventRow, 'occurredAt'> & { occurredAt: string | null })[] | null }
  >(
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
       b.failures, (SELECT id::text FROM a) AS "attemptId", ${CLAIMED_EVENTS_SQL} AS events
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
// timeout); false: the claim was taken back meanwhile and the batch must not be sent on it. Not a move: SENDING stays.
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

// Events that cannot even be built into an action fail at once (QUEUED → FAILED); the rest of the batch is still sent.
export async function failEventsBeforeSending(
  q: Queryable,
  claim: BatchClaim,
  failed: { eventId: string; error: string }[],
) {
  const { rows } = await q.query<{ events: number }>(
    `WITH b AS (SELECT id, "eventIds" FROM "Batch" WHERE id = $1::uuid AND status = 'SENDING' AND attempts = $2),
     f AS (SELECT * FROM unnest($3::uuid[], $4::text[]) AS f(id, error)),
     ${MEMBERS}, fe AS (
       UPDATE "SaleEvent" e SET status = 'FAILED', "failureKind" = 'NOT_SENT', "openBatchId" = NULL, "lastError" = f.error,
         version = e.version + 1, "updatedAt" = now()
       FROM f, b WHERE e.id = f.id AND e."openBatchId" = b.id RETURNING e.id, f.error
     ), fbe AS (
       ${decidedSql('SELECT (SELECT id FROM b), fe.id, m.pos, fe.error FROM fe JOIN members m ON m.id = fe.id', 'FAILED')}
     )
     SELECT (SELECT count(*) FROM fe)::int AS events, (SELECT count(*) FROM fbe)::int AS links`,
    [claim.batchId, claim.attempt, failed.map((f) => f.eventId), failed.map((f) => f.error)],
  )
  return rows[0]?.events ?? 0
}

// SENDING → SUCCEEDED; every event still in the batch QUEUED → SUBMITTED with the time. $4: a note for lastError.
export async function markSucceeded(
  q: Queryable,
  claim: BatchClaim,
  attempt: AttemptRecord,
  note: string | null,
) {
  const { rows } = await q.query<{ batches: number; events: number }>(
    `WITH ${ATTEMPT}, b AS (
       UPDATE "Batch" SET status = 'SUCCEEDED', "finishedAt" = att."finishedAt", "lastHttpStatus" = att."httpStatus",
         "lastError" = (SELECT CASE WHEN count(*) > 0 THEN count(*) || ' event(s) failed; the rest were submitted' ELSE $4 END
           FROM "BatchEvent" WHERE "batchId" = $1::uuid AND outcome = 'FAILED'),
         "leaseOwner" = NULL, "leaseUntil" = NULL, "nextAttemptAt" = NULL, "updatedAt" = now()
       FROM att WHERE ${STILL_CLAIMED} RETURNING "Batch".id, "Batch"."eventIds"
     ), e AS (
       UPDATE "SaleEvent" SET status = 'SUBMITTED', "submittedAt" = (SELECT "finishedAt" FROM att), "openBatchId" = NULL,
         "lastError" = NULL, version = version + 1, "updatedAt" = now()
       WHERE id = ANY((SELECT "eventIds" FROM b)::uuid[]) AND "openBatchId" = (SELECT id FROM b) RETURNING id
     ), be AS (
       ${decidedSql('SELECT (SELECT id FROM b), id, (row_number() OVER (ORDER BY id) - 1)::int, NULL::text FROM e', 'SUBMITTED')}
     ), a AS (${ATTEMPT_UPDATE})
     SELECT (SELECT count(*) FROM b)::int AS batches, (SELECT count(*) FROM e)::int AS events,
       (SELECT count(*) FROM be)::int AS links, (SELECT count(*) FROM a)::int AS attempts`,
    [claim.batchId, claim.attempt, attemptJson(attempt), note],
  )
  return { applied: (rows[0]?.batches ?? 0) > 0, events: rows[0]?.events ?? 0 }
}

// SENDING → RETRY_WAIT until nextAttemptAt, with the job scheduled for then (same statement, so never lost).
// $4: the delay; $5: the error; $6: on a 429, how long the whole connection holds (its shared rate also halves, unless
// it is already holding); null otherwise.
export async function markRetryWait(
  q: Queryable,
  claim: BatchClaim,
  attempt: AttemptRecord,
  retry: { delayMs: number; error: string; slowDownMs: number | null },
) {
  const { rows } = await q.query<{ batches: number }>(
    `WITH ${ATTEMPT}, b AS (
       UPDATE "Batch" SET status = 'RETRY_WAIT', "nextAttemptAt" = clock_timestamp() + $4::float8 * interval '1 millisecond',
         "lastHttpStatus" = att."httpStatus", "lastError" = $5, "leaseOwner" = NULL, "leaseUntil" = NULL, "updatedAt" = now()
       FROM att WHERE ${STILL_CLAIMED} RETURNING "Batch".id, "Batch"."connectionId", "Batch"."nextAttemptAt"
     ), a AS (${ATTEMPT_UPDATE}), slow AS (
       ${slowDownSql('(SELECT "connectionId" FROM b)', '$6')} AND $6::float8 IS NOT NULL RETURNING 1
     )
     SELECT (SELECT count(*) FROM b)::int AS batches, (SELECT count(*) FROM a)::int AS attempts,
       (SELECT count(*) FROM slow)::int AS slowed,
       ${jobSpecsSql('SELECT id, "connectionId", "nextAttemptAt" FROM b')} AS jobs`,
    [claim.batchId, claim.attempt, attemptJson(attempt), retry.delayMs, retry.error, retry.slowDownMs],
  )
  return { applied: (rows[0]?.batches ?? 0) > 0 }
}

// SENDING → FAILED (attempts or age exhausted, or nothing in it can be sent): the events still in it end FAILED with
// the reason ($4), as not sent (Constructor did not refuse them); a person can retry.
export async function markFailed(q: Queryable, claim: BatchClaim, attempt: AttemptRecord, reason: string) {
  const { rows } = await q.query<{ batches: number; events: number }>(
    `WITH ${ATTEMPT}, b AS (
       UPDATE "Batch" SET status = 'FAILED', "finishedAt" = now(), "lastError" = $4, "lastHttpStatus" = att."httpStatus",
         "leaseOwner" = NULL, "leaseUntil" = NULL, "nextAttemptAt" = NULL, "updatedAt" = now()
       FROM att WHERE ${STILL_CLAIMED} RETURNING "Batch".id, "Batch"."eventIds"
     ), e AS (
       UPDATE "SaleEvent" SET status = 'FAILED', "failureKind" = 'NOT_SENT', "openBatchId" = NULL, "lastError" = $4,
         version = version + 1, "updatedAt" = now()
       WHERE id = ANY((SELECT "eventIds" FROM b)::uuid[]) AND "openBatchId" = (SELECT id FROM b) RETURNING id
     ), be AS (
       ${decidedSql('SELECT (SELECT id FROM b), id, (row_number() OVER (ORDER BY id) - 1)::int, $4::text FROM e', 'FAILED')}
     ), a AS (${ATTEMPT_UPDATE})
     SELECT (SELECT count(*) FROM b)::int AS batches, (SELECT count(*) FROM e)::int AS events,
       (SELECT count(*) FROM be)::int AS links, (SELECT count(*) FROM a)::int AS attempts`,
    [claim.batchId, claim.attempt, attemptJson(attempt), reason],
  )
  return { applied: (rows[0]?.batches ?? 0) > 0, events: rows[0]?.events ?? 0 }
}

// 401/403, or a token that cannot be used: the batch goes back to QUEUED (an UNAUTHORIZED attempt burns no retry)
// and its connection RUNNING → PAUSED with the reason ($4), in the same statement (see lib/connection/transitions.ts).
export async function markPaused(q: Queryable, claim: BatchClaim, attempt: AttemptRecord, reason: string) {
  const { rows } = await q.query<{ batches: number }>(
    `WITH ${ATTEMPT}, b AS (
       UPDATE "Batch" SET status = 'QUEUED', "lastHttpStatus" = att."httpStatus", "lastError" = $4,
         "leaseOwner" = NULL, "leaseUntil" = NULL, "nextAttemptAt" = NULL, "updatedAt" = now()
       FROM att WHERE ${STILL_CLAIMED} RETURNING "Batch"."connectionId"
     ), c AS (
       UPDATE "ConstructorConnection" SET paused = true, "pausedReason" = $4, "pausedAt" = now(), "updatedAt" = now()
       WHERE id = $5::uuid AND NOT paused RETURNING 1
     ), a AS (${ATTEMPT_UPDATE})
     SELECT (SELECT count(*) FROM b)::int AS batches, (SELECT count(*) FROM c)::int AS paused,
       (SELECT count(*) FROM a)::int AS attempts`,
    [claim.batchId, claim.attempt, attemptJson(attempt), reason, claim.connectionId],
  )
  return { applied: (rows[0]?.batches ?? 0) > 0 }
}

// 400: SENDING → QUEUED, or → FAILED when nothing is left in it. Only the offending events ($4, $5) end FAILED; the
// moved half of a bisection ($6) goes to a new child batch (QUEUED); the rest are sent again. $7: the summary.
export async function isolateRejected(
  q: Queryable,
  claim: BatchClaim,
  attempt: AttemptRecord,
  iso: Isolation,
) {
  const summary = `${iso.failed.length} event(s) rejected${iso.moved.length ? `, ${iso.moved.length} moved to a split batch` : ''}`
  const { rows } = await q.query<{ batches: number; remaining: number; child: string | null }>(
    `WITH ${ATTEMPT}, b AS (
       SELECT id, "connectionId", "createdById", "eventIds", "storeIds" FROM "Batch"
       WHERE ${STILL_CLAIMED} FOR UPDATE
     ), f AS (
       SELECT * FROM unnest($4::uuid[], $5::text[]) AS f(id, error)
     ), ${MEMBERS}, fe AS (
       UPDATE "SaleEvent" e SET status = 'FAILED', "failureKind" = 'REFUSED', "openBatchId" = NULL, "lastError" = f.error,
         version = e.version + 1, "updatedAt" = now()
       FROM f, b WHERE e.id = f.id AND e."openBatchId" = b.id RETURNING e.id, f.error
     ), fbe AS (
       ${decidedSql('SELECT (SELECT id FROM b), fe.id, m.pos, fe.error FROM fe JOIN members m ON m.id = fe.id', 'FAILED')}
     ), child AS MATERIALIZED (
       SELECT ${SQL_UUID_V7} AS id FROM b WHERE cardinality($6::uuid[]) > 0
     ), ins_child AS (
       INSERT INTO "Batch" (id, "connectionId", status, "eventCount", "eventIds", "storeIds", "parentBatchId", "createdById",
         "createdAt", "updatedAt")
       SELECT child.id, b."connectionId", 'QUEUED', cardinality($6::uuid[]),
         ARRAY(SELECT m FROM unnest($6::uuid[]) AS m ORDER BY m), b."storeIds", b.id, b."createdById", now(), now()
       FROM child, b RETURNING id
     ), me AS (
       UPDATE "SaleEvent" e SET "openBatchId" = child.id, version = e.version + 1, "updatedAt" = now()
       FROM child, b WHERE e.id = ANY($6::uuid[]) AND e."openBatchId" = b.id RETURNING e.id
     ), mbe AS (
       ${decidedSql('SELECT (SELECT id FROM b), me.id, m.pos, NULL::text FROM me JOIN members m ON m.id = me.id', 'SPLIT')}
     ), left_in AS (
       SELECT count(*)::int AS n FROM members m WHERE m.id <> ALL($4::uuid[]) AND m.id <> ALL($6::uuid[])
     ), bu AS (
       UPDATE "Batch" x SET
         status = CASE WHEN left_in.n > 0 THEN 'QUEUED'::"BatchStatus" ELSE 'FAILED'::"BatchStatus" END,
         "finishedAt" = CASE WHEN left_in.n > 0 THEN NULL ELSE now() END,
         "lastHttpStatus" = 400, "lastError" = $7, "leaseOwner" = NULL, "leaseUntil" = NULL, "nextAttemptAt" = NULL,
         "updatedAt" = now()
       FROM b, left_in WHERE x.id = b.id RETURNING x.id, x.status, x."connectionId"
     ), a AS (${ATTEMPT_UPDATE})
     SELECT (SELECT count(*) FROM bu)::int AS batches, (SELECT n FROM left_in) AS remaining,
       (SELECT id::text FROM ins_child) AS child, (SELECT count(*) FROM fe)::int + (SELECT count(*) FROM fbe)::int
         + (SELECT count(*) FROM me)::int + (SELECT count(*) FROM mbe)::int + (SELECT count(*) FROM a)::int AS touched,
       ${jobSpecsSql(`SELECT id, "connectionId", NULL::timestamptz FROM bu WHERE status = 'QUEUED'
                      UNION ALL SELECT c.id, b."connectionId", NULL::timestamptz FROM ins_child c, b`)} AS jobs`,
    [
      claim.batchId,
      claim.attempt,
      attemptJson(attempt),
      iso.failed.map((f) => f.eventId),
      iso.failed.map((f) => f.error),
      iso.moved,
      summary,
    ],
  )
  const row = rows[0]
  return {
    applied: (row?.batches ?? 0) > 0,
    remaining: row?.remaining ?? 0,
    childBatchId: row?.child ?? null,
  }
}

// QUEUED/RETRY_WAIT → CANCELLED by a person: its events QUEUED → READY; a job that runs later finds nothing to do.
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

// SENDING whose claim ran out, or whose worker stopped beating: the outcome is unknown, so the open attempt is closed
// as LOST and the batch waits for a resend (safe: stable order ids). A lost attempt burns no retry: only a batch lost
// maxLostAttempts times ends FAILED, as not sent, with a reason that says it was our worker, not Constructor.
export async function recoverLostBatches(q: Queryable, args: { staleMs: number; maxLostAttempts: number }) {
  const resending =
    'the worker sending this batch stopped before recording the outcome; resending (order ids make it safe)'
  const { rows } = await q.query<{ retried: number; failed: number }>(
    `WITH lost AS (
       SELECT b.id, ${LOST_SQL} AS lost FROM "Batch" b
       WHERE b.status = 'SENDING' AND (b."leaseUntil" < clock_timestamp() OR NOT EXISTS (
         SELECT 1 FROM "WorkerHeartbeat" h WHERE h.id = b."leaseOwner"
           AND h."seenAt" > clock_timestamp() - $1::float8 * interval '1 millisecond'))
       FOR UPDATE SKIP LOCKED
     ), r AS (
       UPDATE "Batch" b SET status = 'RETRY_WAIT', "nextAttemptAt" = now(), "lastError" = $3, "leaseOwner" = NULL,
         "leaseUntil" = NULL, "updatedAt" = now()
       FROM lost WHERE b.id = lost.id AND lost.lost < $2::int RETURNING b.id, b."connectionId", b."nextAttemptAt"
     ), f AS (
       UPDATE "Batch" b SET status = 'FAILED', "finishedAt" = now(), "leaseOwner" = NULL, "leaseUntil" = NULL,
         "lastError" = 'Not sent: the worker sending this batch stopped ' || lost.lost
           || ' times before Constructor''s answer was recorded. Constructor did not refuse these sales; resubmit them.',
         "updatedAt" = now()
       FROM lost WHERE b.id = lost.id AND lost.lost >= $2::int RETURNING b.id, b."lastError"
     ), members AS (
       SELECT e.id, e."openBatchId" AS batch_id,
         (row_number() OVER (PARTITION BY e."openBatchId" ORDER BY e.id) - 1)::int AS pos
       FROM lost JOIN "Batch" lb ON lb.id = lost.id
       CROSS JOIN LATERAL unnest(lb."eventIds") AS x(id)
       JOIN "SaleEvent" e ON e.id = x.id AND e."openBatchId" = lb.id
     ), fe AS (
       UPDATE "SaleEvent" e SET status = 'FAILED', "failureKind" = 'NOT_SENT', "openBatchId" = NULL, "lastError" = f."lastError",
         version = e.version + 1, "updatedAt" = now()
       FROM f WHERE e.id IN (SELECT m.id FROM members m WHERE m.batch_id = f.id) AND e."openBatchId" = f.id
       RETURNING e.id, f."lastError" AS error
     ), fbe AS (
       ${decidedSql('SELECT m.batch_id, m.id, m.pos, fe.error FROM fe JOIN members m ON m.id = fe.id', 'FAILED')}
     ), a AS (
       UPDATE "BatchAttempt" SET "finishedAt" = clock_timestamp(), outcome = 'LOST', "responseExcerpt" = $3
       WHERE "batchId" IN (SELECT id FROM lost) AND "finishedAt" IS NULL AND outcome IS NULL RETURNING 1
     )
     SELECT (SELECT count(*) FROM r)::int AS retried, (SELECT count(*) FROM f)::int AS failed,
       (SELECT count(*) FROM fe)::int + (SELECT count(*) FROM fbe)::int + (SELECT count(*) FROM a)::int AS touched,
       ${jobSpecsSql('SELECT id, "connectionId", "nextAttemptAt" FROM r')} AS jobs`,
    [args.staleMs, args.maxLostAttempts, resending],
  )
  return { retried: rows[0]?.retried ?? 0, failed: rows[0]?.failed ?? 0 }
}
