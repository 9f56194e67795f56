import { createHash } from 'node:crypto'
import type pg from 'pg'
import type { SubmitOutcome } from '@/lib/constructor/client'
import { buildAction, PayloadBuildError, type StoredEventForPayload } from '@/lib/constructor/payload'
import type { OfflineBehavioralAction } from '@/lib/constructor/schema'
import { type CustomerIdSettings, outgoingCustomerId } from '@/lib/customers/customer-id'
import type { AttemptRecord, BatchClaim, ClaimedEventRow } from './batch-records'
import type { SubmissionConfig } from './config'
import type { ConnectionCache } from './connections'
import { batchClaimBlocker, reenqueueBatch } from './jobs'
import { type ConnectionPacer, Semaphore } from './pace'
import {
  attemptRecordOf,
  closedWithoutSending,
  decideSend,
  MESSAGE_MAX,
  rateLimitHoldMs,
  type SendDecision,
} from './send-outcome'
import type { Queryable } from './sql'
import {
  claimBatch,
  failEventsBeforeSending,
  isolateRejected,
  markFailed,
  markPaused,
  markRetryWait,
  markSucceeded,
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

// The worker sends the same few statements for every batch: each runs as a named prepared statement, so a
// connection parses and plans it once instead of once per batch.
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

/** the event as the payload builder reads it, its customer id already what the connection's policy sends */
function toStored(row: ClaimedEventRow, customerIds: CustomerIdSettings): StoredEventForPayload {
  return {
    kind: row.kind,
    orderId: row.orderId,
    occurredAt: row.occurredAt,
    customerId: outgoingCustomerId(row.customerId, customerIds, row.storeLocale).sent,
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
      await markPaused(
        q,
        claim,
        closedWithoutSending(claim.attemptId, 'UNAUTHORIZED', reason, new Date()),
        reason,
      )
      ctx.connections.invalidate(connectionId)
      return 'unauthorized'
    }
    return await sendClaimed(ctx, q, pacer, claim, conn.client, events, {
      claimedAt,
      start,
      onTheWire,
      customerIds: conn.customerIds,
    })
  } finally {
    onTheWire()
  }
}

// The request body in event id order; an event the payload builder refuses is left out and failed on its own.
function buildActions(rows: ClaimedEventRow[], customerIds: CustomerIdSettings) {
  const actions: OfflineBehavioralAction[] = []
  const sent: string[] = []
  const unbuildable: { eventId: string; error: string }[] = []
  for (const row of rows) {
    try {
      actions.push(buildAction(toStored(row, customerIds)))
      sent.push(row.id)
    } catch (e) {
      if (!(e instanceof PayloadBuildError)) throw e
      unbuildable.push({ eventId: row.id, error: `Cannot be sent: ${e.message}`.slice(0, MESSAGE_MAX) })
    }
  }
  return { actions, sent, unbuildable }
}

async function sendClaimed(
  ctx: SendContext,
  q: Queryable,
  pacer: ConnectionPacer,
  claim: BatchClaim,
  client: NonNullable<Awaited<ReturnType<ConnectionCache['get']>>>['client'] & object,
  rows: ClaimedEventRow[],
  at: { claimedAt: number; start: number; onTheWire: () => void; customerIds: CustomerIdSettings },
): Promise<SendResult> {
  const { actions, sent, unbuildable } = buildActions(rows, at.customerIds)
  if (unbuildable.length > 0) await failEventsBeforeSending(q, claim, unbuildable)
  if (actions.length === 0) {
    const reason =
      rows.length === 0
        ? 'The batch has no events left to send'
        : `None of the ${rows.length} events can be sent`
    await markFailed(q, claim, closedWithoutSending(claim.attemptId, 'REJECTED', reason, new Date()), reason)
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
      const r = await markPaused(
        q,
        claim,
        closedWithoutSending(claim.attemptId, 'UNAUTHORIZED', stop, new Date()),
        stop,
      )
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
      pacer.hold(Date.now() + rateLimitHoldMs(outcome, claim.failures + 1, ctx.config))
  } finally {
    giveBack()
  }
  const record = attemptRecordOf(claim.attemptId, outcome, { startedAt, finishedAt })
  const decision = decideSend(outcome, { ...claim, sent, unbuildable: unbuildable.length }, ctx.config)
  if (decision.move !== 'pause') return applyDecision(q, claim, record, decision)
  const result = await applyDecision(q, claim, record, decision).finally(() => pacer.stopRecorded())
  ctx.connections.invalidate(claim.connectionId)
  ctx.log('warn', 'connection paused: Constructor refused the credentials', {
    connectionId: claim.connectionId,
    httpStatus: outcome.httpStatus,
  })
  return result
}

// Each decision is one guarded transition; a transition that no longer applies means another worker took the claim.
async function applyDecision(
  q: Queryable,
  claim: BatchClaim,
  record: AttemptRecord,
  decision: SendDecision,
): Promise<SendResult> {
  switch (decision.move) {
    case 'succeed':
      return (await markSucceeded(q, claim, record, decision.note)).applied ? 'succeeded' : 'lost_claim'
    case 'isolate':
      return (await isolateRejected(q, claim, record, decision.isolation)).applied ? 'rejected' : 'lost_claim'
    case 'pause':
      return (await markPaused(q, claim, record, decision.reason)).applied ? 'unauthorized' : 'lost_claim'
    case 'retry':
      return (await markRetryWait(q, claim, record, decision)).applied ? 'retry_wait' : 'lost_claim'
    case 'fail':
      return (await markFailed(q, claim, record, decision.reason)).applied ? 'failed' : 'lost_claim'
  }
}
