import type { SubmitOutcome } from '@/lib/constructor/client'
import type { AttemptOutcomeClass, AttemptRecord, Isolation } from './batch-records'
import type { SubmissionConfig } from './config'
import { retryDelayMs, shouldGiveUp } from './retry-policy'

// What a send's answer does to its batch: a pure decision from Constructor's answer and the batch's attempt state
// to one batch transition (transitions.ts). No database, no clock of its own: tests give it both.

export const MESSAGE_MAX = 500

/** the batch's attempt state when its answer came */
export type AttemptState = {
  /** earlier attempts that burned a retry */
  failures: number
  createdAt: Date
  /** the event ids sent, in request order (the indices a 400 names) */
  sent: readonly string[]
  /** events that could not be built into an action and were failed before sending */
  unbuildable: number
}

export type SendDecision =
  | { move: 'succeed'; note: string | null }
  | { move: 'isolate'; isolation: Isolation }
  | { move: 'pause'; reason: string }
  | { move: 'retry'; delayMs: number; error: string; slowDownMs: number | null }
  | { move: 'fail'; reason: string }

type DecisionConfig = Pick<SubmissionConfig, 'backoffBaseMs' | 'backoffMaxMs' | 'maxAttempts' | 'maxAgeMs'>

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

/** the BatchAttempt row of one request */
export function attemptRecordOf(
  attemptId: string,
  outcome: SubmitOutcome,
  at: { startedAt: Date; finishedAt: Date },
): AttemptRecord {
  return {
    attemptId,
    startedAt: at.startedAt,
    finishedAt: at.finishedAt,
    httpStatus: outcome.httpStatus ?? null,
    durationMs: outcome.durationMs,
    responseExcerpt:
      outcome.responseExcerpt?.slice(0, 2048) ?? (outcome.kind === 'transient' ? outcome.message : null),
    retryAfterMs: outcome.kind === 'rate_limited' ? (outcome.retryAfterMs ?? null) : null,
    outcome: OUTCOME_CLASS[outcome.kind],
  }
}

/** the attempt of a claim closed without a request (nothing to send, or the credentials were already refused) */
export function closedWithoutSending(
  attemptId: string,
  outcome: AttemptOutcomeClass,
  message: string,
  now: Date,
): AttemptRecord {
  return {
    attemptId,
    startedAt: now,
    finishedAt: now,
    httpStatus: null,
    durationMs: 0,
    responseExcerpt: message.slice(0, MESSAGE_MAX),
    retryAfterMs: null,
    outcome,
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

/** on a 429: how long every request of the connection holds (Retry-After, or this failure's back-off) */
export function rateLimitHoldMs(
  outcome: Extract<SubmitOutcome, { kind: 'rate_limited' }>,
  failures: number,
  cfg: Pick<SubmissionConfig, 'backoffBaseMs' | 'backoffMaxMs'>,
  random = Math.random,
) {
  return outcome.retryAfterMs ?? retryDelayMs(failures, undefined, cfg, random)
}

// A 429 and a transient failure burn a retry (and give up when the attempts or the age are used up); a 429 also
// slows the whole connection down, in the retry's own statement. A 401/403 pauses; a 400 isolates the offenders.
export function decideSend(
  outcome: SubmitOutcome,
  state: AttemptState,
  cfg: DecisionConfig,
  now = Date.now(),
  random = Math.random,
): SendDecision {
  switch (outcome.kind) {
    case 'accepted':
      return {
        move: 'succeed',
        note: state.unbuildable > 0 ? `${state.unbuildable} event(s) could not be sent` : null,
      }
    case 'rejected':
      return { move: 'isolate', isolation: isolationFor(outcome, state.sent) }
    case 'unauthorized':
      return { move: 'pause', reason: outcome.message }
    case 'rate_limited':
    case 'transient': {
      const failures = state.failures + 1
      const message = outcomeMessage(outcome)
      if (shouldGiveUp(failures, state.createdAt, cfg, now))
        return {
          move: 'fail',
          reason: `Gave up after ${failures} failed attempt(s): ${message}`.slice(0, MESSAGE_MAX),
        }
      const retryAfterMs = outcome.kind === 'rate_limited' ? outcome.retryAfterMs : undefined
      const delayMs = retryDelayMs(failures, retryAfterMs, cfg, random)
      return {
        move: 'retry',
        delayMs,
        error: message.slice(0, MESSAGE_MAX),
        slowDownMs: outcome.kind === 'rate_limited' ? (retryAfterMs ?? delayMs) : null,
      }
    }
  }
}
