import { createHash } from 'node:crypto'
import type pg from 'pg'
import type { SubmitOutcome } from '@/lib/constructor/client'
import { buildAction, PayloadBuildError, type StoredEventForPayload } from '@/lib/constructor/payload'
import type { OfflineBehavioralAction } from '@/lib/constructor/schema'
import type { SubmissionConfig } from './config'
import type { ConnectionCache } from './connections'
import { type ConnectionPacer, Semaphore, slowDown } from './pace'
import { retryDelayMs, shouldGiveUp } from './retry-policy'
import type { Queryable } from './sql'
import {
  type AttemptOutcomeClass,
  type AttemptRecord,
  type BatchClaim,
  batchClaimBlocker,
  type ClaimedEventRow,
  claimBatch,
  failEventsBeforeSending,
  type Isolation,
  isolateRejected,
  markFailed,
  markPaused,
  markRetryWait,
  markSucceeded,
  pauseConnection,
  reenqueueBatch,
  renewLease,
} from './transitions'

export type SendContext = {
  pool: pg.Pool
  config: SubmissionConfig
  /** this process's id: the lease owner of what it sends, and its WorkerHeartbeat row */
  workerId: string
  connections: ConnectionCache
  /** this process's share of each connection's slots and schedule */
  pacerFor: (connectionId: string) => ConnectionPacer
  /** per connection: batches this process has claimed (or is claiming) that are not on the wire yet */
  ahead: Map<string, Semaphore>
  /** bounds this process's statements on the sending path (see SUBMIT_DB_CONCURRENCY) */
  dbGate: Semaphore
  log: (level: 'info' | 'warn' | 'error', msg: string, extra?: object) => void
}

export type SendResult =
  | 'not_claimable'
  | 'paused'
  | 'succeeded'
  | 'rejected'
  | 'retry_wait'
  | 'failed'
  | 'unauthorized'
  | 'lost_claim'

const MESSAGE_MAX = 500

// The worker sends the same few statements for every batch: each runs as a named prepared statement, so a
// connection parses and plans it once instead of once per batch (≈ 0.5 ms per batch on the hot path).
const statementNames = new Map<string, string>()
function statementName(text: string) {
  let name = statementNames.get(text)
  if (!name) {
    name = `ss_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`
    statementNames.set(text, name)
  }
  return name
}

export function pgQueryable(client: pg.PoolClient | pg.Pool, gate?: Semaphore): Queryable {
  const run = (text: string, values?: unknown[]) =>
    client.query({ name: statementName(text), text, values: values ?? [] }) as never
  if (!gate) return { query: run }
  return {
    async query(text, values) {
      await gate.acquire()
      try {
        return await run(text, values)
      } finally {
        gate.release()
      }
    },
  }
}

function toStored(row: ClaimedEventRow): StoredEventForPayload {
  return {
    kind: row.kind,
    orderId: row.orderId,
    occurredAt: row.occurredAt,
    customerId: row.customerId,
    revenue: row.revenue,
    returnExpenses: row.returnExpenses,
    refund: row.refund,
    returnShippingCost: row.returnShippingCost,
    returnReason: row.returnReason,
    returnType: row.returnType,
    returnPreference: row.returnPreference,
    returnDropOff: row.returnDropOff,
    store: { code: row.storeCode, latitude: row.latitude, longitude: row.longitude },
    lineItems: row.lineItems,
  }
}

const OUTCOME_CLASS: Record<SubmitOutcome['kind'], AttemptOutcomeClass> = {
  accepted: 'ACCEPTED',
  rejected: 'REJECTED',
  unauthorized: 'UNAUTHORIZED',
  rate_limited: 'RATE_LIMITED',
  transient: 'TRANSIENT',
}

function outcomeMessage(outcome: SubmitOutcome): string {
  switch (outcome.kind) {
    case 'accepted':
      return 'accepted'
    case 'rate_limited':
      return `Constructor is rate limiting (HTTP ${outcome.httpStatus})${outcome.retryAfterMs !== undefined ? `, Retry-After ${outcome.retryAfterMs} ms` : ''}`
    default:
      return outcome.message
  }
}

// 400: the indices the API named fail with their own messages; without indices the batch is halved.
export function isolationFor(
  outcome: Extract<SubmitOutcome, { kind: 'rejected' }>,
  sent: readonly string[],
): Isolation {
  const named = outcome.offendingIndices.filter((i) => i >= 0 && i < sent.length)
  if (named.length > 0) {
    return {
      failed: named.map((i) => {
        const own = outcome.issues.filter((issue) => issue.index === i)
        const detail = own
          .map((issue) => {
            const at = issue.loc.indexOf(i)
            const path = (at === -1 ? issue.loc : issue.loc.slice(at + 1)).join('.')
            return path ? `${path}: ${issue.msg}` : issue.msg
          })
          .join('; ')
        const error = `Constructor rejected this event: ${detail || outcome.message}`.slice(0, MESSAGE_MAX)
        return { eventId: sent[i] as string, error }
      }),
      moved: [],
    }
  }
  if (sent.length > 1) return { failed: [], moved: sent.slice(Math.ceil(sent.length / 2)) }
  return {
    failed: sent.map((eventId) => ({
      eventId,
      error: `Constructor rejected this event: ${outcome.message}`.slice(0, MESSAGE_MAX),
    })),
    moved: [],
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
// rounded up: a timer may fire up to a millisecond early, and the schedule must never be beaten
const sleepUntil = async (t: number) => {
  const ms = t - Date.now()
  if (ms > 0) await sleep(Math.ceil(ms) + 1)
}

function aheadGate(ctx: SendContext, connectionId: string, limit: number) {
  let s = ctx.ahead.get(connectionId)
  if (!s) {
    s = new Semaphore(limit)
    ctx.ahead.set(connectionId, s)
  } else s.setLimit(limit)
  return s
}

// One job: take a start time on the connection's shared schedule, claim the batch (one statement), wait for a
// concurrency slot, send it once, give the slot back, and record the outcome through one guarded transition. The
// claim and the outcome are not inside the slot, so the slots carry requests back to back. Idempotent: a job for a
// batch that is not waiting (already sent, cancelled, claimed by another worker) does nothing.
export async function sendBatch(
  ctx: SendContext,
  batchId: string,
  connectionId: string,
): Promise<SendResult> {
  let conn = await ctx.connections.get(connectionId)
  if (!conn || conn.paused) return 'paused'
  const pacer = ctx.pacerFor(connectionId)
  if (pacer.stopped) {
    // this process saw a 401/403: nothing goes out until the pause is recorded and then lifted by an admin
    if (!pacer.stopIsRecorded) return 'paused'
    ctx.connections.invalidate(connectionId)
    conn = await ctx.connections.get(connectionId)
    if (!conn || conn.paused) return 'paused'
    pacer.clearStop()
  }
  pacer.setLimits({ concurrency: conn.maxConcurrency, rate: conn.maxRequestsPerSecond })
  // at most one claimed batch waits per slot: a claim's lease must not run out while it waits for the wire
  const ahead = aheadGate(ctx, connectionId, conn.maxConcurrency)
  await ahead.acquire()
  let waiting = true
  const onTheWire = () => {
    if (waiting) {
      waiting = false
      ahead.release()
    }
  }
  try {
    const q = pgQueryable(ctx.pool, ctx.dbGate)
    const start = await pacer.time()
    // claimed when its time comes, so the lease covers the request and not the wait for the schedule
    await sleepUntil(pacer.notBefore(start))
    const leaseMs = ctx.config.requestTimeoutMs + ctx.config.leaseMarginMs
    const won = await claimBatch(q, { batchId, workerId: ctx.workerId, leaseMs })
    if (!won) {
      const blocker = await batchClaimBlocker(q, batchId)
      // a job that ran before the batch's time (e.g. replaced by a recovery) puts itself back for that time
      if (
        blocker &&
        !blocker.paused &&
        (blocker.status === 'QUEUED' || blocker.status === 'RETRY_WAIT') &&
        blocker.nextAttemptAt &&
        blocker.nextAttemptAt.getTime() > Date.now()
      ) {
        await reenqueueBatch(q, batchId, blocker.connectionId, blocker.nextAttemptAt)
      }
      return 'not_claimable'
    }
    const claimedAt = Date.now()
    const { claim, events } = won
    if (conn.unusable || !conn.client) {
      const reason = conn.unusable ?? 'The connection cannot be used'
      await pauseConnection(q, connectionId, reason)
      await markPaused(q, claim, closedWithoutSending(claim, 'UNAUTHORIZED', reason), reason)
      ctx.connections.invalidate(connectionId)
      return 'unauthorized'
    }
    return await sendClaimed(ctx, q, pacer, claim, conn.client, events, { claimedAt, start, onTheWire })
  } finally {
    onTheWire()
  }
}

function closedWithoutSending(
  claim: BatchClaim,
  outcome: AttemptOutcomeClass,
  message: string,
): AttemptRecord {
  const now = new Date()
  return {
    attemptId: claim.attemptId,
    startedAt: now,
    finishedAt: now,
    httpStatus: null,
    durationMs: 0,
    responseExcerpt: message.slice(0, MESSAGE_MAX),
    retryAfterMs: null,
    outcome,
  }
}

async function sendClaimed(
  ctx: SendContext,
  q: Queryable,
  pacer: ConnectionPacer,
  claim: BatchClaim,
  client: NonNullable<Awaited<ReturnType<ConnectionCache['get']>>>['client'] & object,
  rows: ClaimedEventRow[],
  at: { claimedAt: number; start: number; onTheWire: () => void },
): Promise<SendResult> {
  const actions: OfflineBehavioralAction[] = []
  const sent: string[] = []
  const unbuildable: { eventId: string; error: string }[] = []
  for (const row of rows) {
    try {
      actions.push(buildAction(toStored(row)))
      sent.push(row.id)
    } catch (e) {
      if (!(e instanceof PayloadBuildError)) throw e
      unbuildable.push({ eventId: row.id, error: `Cannot be sent: ${e.message}`.slice(0, MESSAGE_MAX) })
    }
  }
  if (unbuildable.length > 0) await failEventsBeforeSending(q, claim, unbuildable)
  if (actions.length === 0) {
    const reason =
      rows.length === 0
        ? 'The batch has no events left to send'
        : `None of the ${rows.length} events can be sent`
    await markFailed(q, claim, closedWithoutSending(claim, 'REJECTED', reason), reason)
    return 'failed'
  }

  let slot = await pacer.slot()
  let holding = true
  const giveBack = () => {
    if (holding) {
      holding = false
      pacer.releaseSlot(slot)
    }
  }
  let outcome: SubmitOutcome
  let startedAt: Date
  let finishedAt: Date
  try {
    // a 429 seen meanwhile holds every request of this process until its Retry-After: wait without the slot
    while (pacer.notBefore(at.start) > Date.now()) {
      giveBack()
      await sleepUntil(pacer.notBefore(at.start))
      slot = await pacer.slot()
      holding = true
    }
    const stop = pacer.stopped
    if (stop) {
      // Constructor refused the credentials while this batch waited: back to QUEUED, no request, no retry burned
      giveBack()
      const r = await markPaused(q, claim, closedWithoutSending(claim, 'UNAUTHORIZED', stop), stop)
      return r.applied ? 'unauthorized' : 'lost_claim'
    }
    // a claim that waited long for its slot makes sure it still holds the batch for the whole request
    if (Date.now() - at.claimedAt > ctx.config.leaseMarginMs / 2) {
      const leaseMs = ctx.config.requestTimeoutMs + ctx.config.leaseMarginMs
      if (!(await renewLease(q, claim, leaseMs))) {
        giveBack()
        return 'lost_claim'
      }
    }
    at.onTheWire()
    startedAt = new Date()
    outcome = await client.submit({ behavioral_actions: actions })
    finishedAt = new Date()
    // what must hold for this process's next requests is known before the slot goes to one of them
    if (outcome.kind === 'unauthorized') pacer.stop(outcome.message)
    if (outcome.kind === 'rate_limited')
      pacer.hold(
        Date.now() + (outcome.retryAfterMs ?? retryDelayMs(claim.failures + 1, undefined, ctx.config)),
      )
  } finally {
    giveBack()
  }
  const record: AttemptRecord = {
    attemptId: claim.attemptId,
    startedAt,
    finishedAt,
    httpStatus: outcome.httpStatus ?? null,
    durationMs: outcome.durationMs,
    responseExcerpt:
      outcome.responseExcerpt?.slice(0, 2048) ?? (outcome.kind === 'transient' ? outcome.message : null),
    retryAfterMs: outcome.kind === 'rate_limited' ? (outcome.retryAfterMs ?? null) : null,
    outcome: OUTCOME_CLASS[outcome.kind],
  }

  switch (outcome.kind) {
    case 'accepted': {
      const note = unbuildable.length > 0 ? `${unbuildable.length} event(s) could not be sent` : null
      const r = await markSucceeded(q, claim, record, note)
      return r.applied ? 'succeeded' : 'lost_claim'
    }
    case 'rejected': {
      const r = await isolateRejected(q, claim, record, isolationFor(outcome, sent))
      return r.applied ? 'rejected' : 'lost_claim'
    }
    case 'unauthorized': {
      const r = await markPaused(q, claim, record, outcome.message).finally(() => pacer.stopRecorded())
      ctx.connections.invalidate(claim.connectionId)
      ctx.log('warn', 'connection paused: Constructor refused the credentials', {
        connectionId: claim.connectionId,
        httpStatus: outcome.httpStatus,
      })
      return r.applied ? 'unauthorized' : 'lost_claim'
    }
    case 'rate_limited':
    case 'transient': {
      const failures = claim.failures + 1
      const message = outcomeMessage(outcome)
      if (shouldGiveUp(failures, claim.createdAt, ctx.config)) {
        const reason = `Gave up after ${failures} failed attempt(s): ${message}`.slice(0, MESSAGE_MAX)
        const r = await markFailed(q, claim, record, reason)
        return r.applied ? 'failed' : 'lost_claim'
      }
      const retryAfterMs = outcome.kind === 'rate_limited' ? outcome.retryAfterMs : undefined
      const delayMs = retryDelayMs(failures, retryAfterMs, ctx.config)
      // the whole connection holds until Retry-After (or this back-off) and its shared rate halves
      if (outcome.kind === 'rate_limited') await slowDown(q, claim.connectionId, retryAfterMs ?? delayMs)
      const r = await markRetryWait(q, claim, record, delayMs, message.slice(0, MESSAGE_MAX))
      return r.applied ? 'retry_wait' : 'lost_claim'
    }
  }
}
