import { describe, expect, it } from 'vitest'
import type { RejectedOutcome } from '@/lib/constructor/client'
import { backoffMs, retryDelayMs, shouldGiveUp } from './retry-policy'
import { isolationFor } from './send-outcome'

const cfg = { backoffBaseMs: 1_000, backoffMaxMs: 60_000, maxAttempts: 5, maxAgeMs: 3_600_000 }

describe('retry policy', () => {
  it('backs off exponentially with full jitter, capped', () => {
    expect(backoffMs(1, cfg, () => 0.999)).toBe(999)
    expect(backoffMs(3, cfg, () => 0.5)).toBe(2_000)
    expect(backoffMs(20, cfg, () => 0.999)).toBe(59_940)
    expect(backoffMs(4, cfg, () => 0)).toBe(0)
  })
  it('never retries before Retry-After', () => {
    expect(retryDelayMs(1, 5_000, cfg, () => 0.1)).toBe(5_000)
    expect(retryDelayMs(6, 1_000, cfg, () => 0.5)).toBe(16_000)
    expect(retryDelayMs(1, undefined, cfg, () => 0.5)).toBe(500)
  })
  it('gives up after the configured attempts or age', () => {
    const now = Date.now()
    expect(shouldGiveUp(4, new Date(now), cfg, now)).toBe(false)
    expect(shouldGiveUp(5, new Date(now), cfg, now)).toBe(true)
    expect(shouldGiveUp(1, new Date(now - 3_600_000), cfg, now)).toBe(true)
  })
})

const rejected = (offendingIndices: number[], issues: RejectedOutcome['issues'] = []): RejectedOutcome => ({
  kind: 'rejected',
  httpStatus: 400,
  durationMs: 1,
  message: 'Invalid request body',
  offendingIndices,
  issues,
})

describe('isolating a 400', () => {
  const sent = ['e0', 'e1', 'e2', 'e3', 'e4']
  it('fails exactly the named events, each with its own message', () => {
    const iso = isolationFor(
      rejected(
        [1, 3],
        [
          {
            index: 1,
            loc: ['body', 'behavioral_actions', 1, 'data', 'items', 0, 'price'],
            msg: 'must be a number',
          },
          { index: 3, loc: ['body', 'behavioral_actions', 3, 'data', '_dt'], msg: 'Field required' },
        ],
      ),
      sent,
    )
    expect(iso).toEqual({
      failed: [
        { eventId: 'e1', error: 'Constructor rejected this event: data.items.0.price: must be a number' },
        { eventId: 'e3', error: 'Constructor rejected this event: data._dt: Field required' },
      ],
      moved: [],
    })
  })
  it('halves the batch when no index is named, and fails a lone event with the message', () => {
    expect(isolationFor(rejected([]), sent)).toEqual({ failed: [], moved: ['e3', 'e4'] })
    expect(isolationFor(rejected([]), ['e9'])).toEqual({
      failed: [{ eventId: 'e9', error: 'Constructor rejected this event: Invalid request body' }],
      moved: [],
    })
  })
  it('ignores indices outside the request', () => {
    expect(isolationFor(rejected([7]), sent)).toEqual({ failed: [], moved: ['e3', 'e4'] })
  })
})
