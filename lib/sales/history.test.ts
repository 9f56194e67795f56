import { describe, expect, it } from 'vitest'
import { type HistorySource, saleHistory } from './history'

// What a sale's page says about the batches it was in.
const t = (minute: number) => new Date(Date.UTC(2026, 2, 10, 12, minute))
const attempt = (number: number, httpStatus: number, outcome: string) => ({
  number,
  startedAt: t(number),
  httpStatus,
  outcome,
  responseExcerpt: null,
})

function eventIn(outcome: string, attempts: ReturnType<typeof attempt>[]): HistorySource {
  return {
    createdAt: t(0),
    upload: null,
    uploadedBy: null,
    createdBy: null,
    trail: [],
    batchEvents: [
      {
        batchId: '0190aaaa-0000-7000-8000-00000000abcd',
        position: 3,
        outcome,
        error: outcome === 'FAILED' ? 'item_id is not allowed' : null,
        batch: { createdAt: t(0), attemptsLog: attempts },
      },
    ],
  }
}

describe("a sale's history", () => {
  it('does not show an attempt that was sent without the sale as its success', () => {
    // attempt 1 refused this sale (400), it was taken out, attempt 2 sent the others
    const h = saleHistory(eventIn('FAILED', [attempt(1, 400, 'REJECTED'), attempt(2, 204, 'ACCEPTED')]))
    const second = h.find((e) => e.title.startsWith('Attempt 2'))
    expect(second?.tone).toBeUndefined()
    expect(second?.title).toContain('without this sale')
    expect(second?.title).not.toContain('accepted')
    const first = h.find((e) => e.title.startsWith('Attempt 1'))
    expect(first).toMatchObject({ tone: 'bad' })
  })

  it('shows the attempts that carried a sale as they went', () => {
    const h = saleHistory(eventIn('SUBMITTED', [attempt(1, 503, 'TRANSIENT'), attempt(2, 204, 'ACCEPTED')]))
    expect(h.find((e) => e.title.startsWith('Attempt 2'))).toMatchObject({
      tone: 'good',
      title: expect.stringContaining('HTTP 204, accepted'),
    })
  })

  it('says the same of a sale moved to a split batch', () => {
    const h = saleHistory(eventIn('SPLIT', [attempt(1, 400, 'REJECTED'), attempt(2, 204, 'ACCEPTED')]))
    expect(h.find((e) => e.title.startsWith('Attempt 2'))?.title).toContain('without this sale')
  })
})
