import { describe, expect, it } from 'vitest'
import { collectDateOrderEvidence, decideDateOrder, newDateOrderEvidence, readDateTime } from './parse-date'

const noon = 12 * 60
const read = (date: string, time = '', order: 'DMY' | 'MDY' = 'DMY') => readDateTime(date, time, order, noon)

describe('readDateTime', () => {
  it('reads ISO dates with and without time and offset', () => {
    expect(read('2026-03-08')).toEqual({
      year: 2026,
      month: 3,
      day: 8,
      hour: 12,
      minute: 0,
      second: 0,
      millisecond: 0,
      offsetMs: null,
      hasTime: false,
    })
    expect(read('2026-03-08T14:05:12.250Z')).toMatchObject({
      hour: 14,
      minute: 5,
      second: 12,
      millisecond: 250,
      offsetMs: 0,
    })
    expect(read('2026-03-08 14:05:12 -0500')).toMatchObject({
      hour: 14,
      offsetMs: -5 * 3_600_000,
      hasTime: true,
    })
    expect(read('2026-03-08T14:05+05:30')).toMatchObject({ minute: 5, offsetMs: 5.5 * 3_600_000 })
  })

  it('reads day/month in the order it is told', () => {
    expect(read('03/04/2026', '', 'DMY')).toMatchObject({ day: 3, month: 4 })
    expect(read('03/04/2026', '', 'MDY')).toMatchObject({ day: 4, month: 3 })
    expect(read('08.03.26 9:05 PM')).toMatchObject({ year: 2026, month: 3, day: 8, hour: 21, minute: 5 })
    expect(read('13/04/2026', '', 'MDY')).toBe('wrong-order')
    expect(read('32.13.2026')).toBe('impossible-date')
  })

  it('reads month names', () => {
    expect(read('8 Mar 2026')).toMatchObject({ year: 2026, month: 3, day: 8 })
    expect(read('March 8, 2026 2:05 pm')).toMatchObject({ month: 3, day: 8, hour: 14, minute: 5 })
  })

  it('uses a separate time cell, also over a placeholder midnight', () => {
    expect(read('2026-03-08', '14:05:12')).toMatchObject({ hour: 14, minute: 5, second: 12, hasTime: true })
    expect(read('08.03.2026 00:00', '14:05')).toMatchObject({ hour: 14, minute: 5 })
    expect(read('2026-03-08 09:00', '14:05')).toMatchObject({ hour: 9, minute: 0 })
    expect(read('2026-03-08', '12:00 AM')).toMatchObject({ hour: 0 })
  })

  it('names what it cannot read', () => {
    expect(read('yesterday')).toBe('unreadable-date')
    expect(read('2026-02-30')).toBe('impossible-date')
    expect(read('2026-03-08 25:00')).toBe('unreadable-time')
    expect(read('2026-03-08', 'noon')).toBe('unreadable-time')
  })
})

describe('decideDateOrder', () => {
  const decide = (dates: string[], fallback: 'DMY' | 'MDY' = 'MDY') => {
    const e = newDateOrderEvidence()
    for (const d of dates) collectDateOrderEvidence(d, e)
    return decideDateOrder(e, fallback)
  }
  it('is day first when a first part is over 12', () => {
    expect(decide(['03/04/2026', '13/04/2026'])).toEqual({ order: 'DMY', reported: 'DMY' })
  })
  it('is month first when a second part is over 12', () => {
    expect(decide(['03/04/2026', '04/13/2026'], 'DMY')).toEqual({ order: 'MDY', reported: 'MDY' })
  })
  it('uses dots as a day-first sign, else the fallback', () => {
    expect(decide(['03.04.2026'])).toEqual({ order: 'DMY', reported: 'DMY' })
    expect(decide(['03/04/2026'], 'MDY')).toEqual({ order: 'MDY', reported: 'MDY' })
  })
  it('reports YMD when every date is year first', () => {
    expect(decide(['2026-03-04', '2026-03-05 10:00'])).toEqual({ order: 'MDY', reported: 'YMD' })
  })
})
