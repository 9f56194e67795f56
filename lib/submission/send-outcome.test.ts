import { describe, expect, it } from 'vitest'
import type { SubmitOutcome } from '@/lib/constructor/client'
import { attemptRecordOf, decideSend } from './send-outcome'

// The answer to a send, decided without a database: which transition the batch takes, with what.

const cfg = { backoffBaseMs: 1_000, backoffMaxMs: 60_000, maxAttempts: 3, maxAgeMs: 3_600_000 }
const now = Date.parse('2026-12-01T12:00:00Z')
const fresh = {
  failures: 0,
  createdAt: new Date(now - 60_000),
  sent: ['e0', 'e1', 'e2', 'e3'],
  unbuildable: 0,
}
const half = () => 0.5

describe('the decision after a send', () => {
  it('an accepted batch succeeds, with a note when some events could not be built', () => {
    const accepted: SubmitOutcome = { kind: 'accepted', httpStatus: 200, durationMs: 12 }
    expect(decideSend(accepted, fresh, cfg, now)).toEqual({ move: 'succeed', note: null })
    expect(decideSend(accepted, { ...fresh, unbuildable: 2 }, cfg, now)).toEqual({
      move: 'succeed',
      note: '2 event(s) could not be sent',
    })
  })

  it('a 400 isolates the offenders; a 401 pauses with its message', () => {
    const rejected: SubmitOutcome = {
      kind: 'rejected',
      httpStatus: 400,
      durationMs: 5,
      message: 'Invalid request body',
      offendingIndices: [],
      issues: [],
    }
    expect(decideSend(rejected, fresh, cfg, now)).toEqual({
      move: 'isolate',
      isolation: { failed: [], moved: ['e2', 'e3'] },
    })
    const refused: SubmitOutcome = {
      kind: 'unauthorized',
      httpStatus: 401,
      durationMs: 5,
      reason: 'unauthenticated',
      message: 'Constructor refused the token',
    }
    expect(decideSend(refused, { ...fresh, failures: 9 }, cfg, now)).toEqual({
      move: 'pause',
      reason: 'Constructor refused the token',
    })
  })

  it('a 429 retries no sooner than Retry-After and slows the connection down for as long, in the same move', () => {
    const limited: SubmitOutcome = {
      kind: 'rate_limited',
      httpStatus: 429,
      durationMs: 3,
      retryAfterMs: 5_000,
    }
    expect(decideSend(limited, fresh, cfg, now, half)).toEqual({
      move: 'retry',
      delayMs: 5_000,
      error: 'Constructor is rate limiting (HTTP 429), Retry-After 5000 ms',
      slowDownMs: 5_000,
    })
    // without Retry-After the back-off is both the wait and the hold
    const bare: SubmitOutcome = { kind: 'rate_limited', httpStatus: 429, durationMs: 3 }
    expect(decideSend(bare, { ...fresh, failures: 1 }, cfg, now, half)).toMatchObject({
      move: 'retry',
      delayMs: 1_000,
      slowDownMs: 1_000,
    })
  })

  it('a transient failure retries with back-off and does not slow the connection', () => {
    const down: SubmitOutcome = {
      kind: 'transient',
      reason: 'server_error',
      httpStatus: 503,
      durationMs: 8,
      message: 'Constructor answered 503',
    }
    expect(decideSend(down, fresh, cfg, now, half)).toEqual({
      move: 'retry',
      delayMs: 500,
      error: 'Constructor answered 503',
      slowDownMs: null,
    })
  })

  it('gives up when the attempts or the age are used up', () => {
    const down: SubmitOutcome = {
      kind: 'transient',
      reason: 'timeout',
      durationMs: 30_000,
      message: 'No answer within 30 s',
    }
    expect(decideSend(down, { ...fresh, failures: 2 }, cfg, now)).toEqual({
      move: 'fail',
      reason: 'Gave up after 3 failed attempt(s): No answer within 30 s',
    })
    const old = { ...fresh, createdAt: new Date(now - 3_600_000) }
    expect(decideSend(down, old, cfg, now)).toMatchObject({ move: 'fail' })
  })

  it('records the attempt as stored: status, excerpt, Retry-After and its class', () => {
    const at = { startedAt: new Date(now), finishedAt: new Date(now + 40) }
    expect(
      attemptRecordOf(
        'a1',
        {
          kind: 'rate_limited',
          httpStatus: 429,
          durationMs: 40,
          retryAfterMs: 2_000,
          responseExcerpt: 'slow down',
        },
        at,
      ),
    ).toEqual({
      attemptId: 'a1',
      ...at,
      httpStatus: 429,
      durationMs: 40,
      responseExcerpt: 'slow down',
      retryAfterMs: 2_000,
      outcome: 'RATE_LIMITED',
    })
    expect(
      attemptRecordOf(
        'a2',
        { kind: 'transient', reason: 'dns', durationMs: 3, message: 'Cannot resolve' },
        at,
      ),
    ).toMatchObject({
      httpStatus: null,
      responseExcerpt: 'Cannot resolve',
      retryAfterMs: null,
      outcome: 'TRANSIENT',
    })
  })
})
