import { describe, expect, it } from 'vitest'
import { resolveTimeZoneName, timeZoneOffset, zonedWallTimeToUtc } from './zoned'

const utc = (zone: string, y: number, mo: number, d: number, h: number, mi: number) => {
  const r = zonedWallTimeToUtc(zone, y, mo, d, h, mi)
  return { at: new Date(r.utcMs).toISOString(), resolution: r.resolution }
}

describe('zonedWallTimeToUtc', () => {
  it('reads ordinary times with the offset in force', () => {
    expect(utc('America/New_York', 2026, 1, 15, 9, 0)).toEqual({
      at: '2026-01-15T14:00:00.000Z',
      resolution: 'exact',
    })
    expect(utc('America/New_York', 2026, 7, 15, 9, 0)).toEqual({
      at: '2026-07-15T13:00:00.000Z',
      resolution: 'exact',
    })
    expect(utc('Asia/Kolkata', 2026, 7, 15, 9, 0)).toEqual({
      at: '2026-07-15T03:30:00.000Z',
      resolution: 'exact',
    })
  })

  it('moves a time in the spring-forward gap forward by the gap (New York 2026-03-08 02:30 → 03:30 EDT)', () => {
    expect(utc('America/New_York', 2026, 3, 8, 2, 30)).toEqual({
      at: '2026-03-08T07:30:00.000Z',
      resolution: 'gap',
    })
    expect(utc('America/New_York', 2026, 3, 8, 1, 59)).toEqual({
      at: '2026-03-08T06:59:00.000Z',
      resolution: 'exact',
    })
    expect(utc('America/New_York', 2026, 3, 8, 3, 0)).toEqual({
      at: '2026-03-08T07:00:00.000Z',
      resolution: 'exact',
    })
  })

  it('takes the earlier of two times in the fall-back overlap (New York 2026-11-01 01:30 EDT)', () => {
    expect(utc('America/New_York', 2026, 11, 1, 1, 30)).toEqual({
      at: '2026-11-01T05:30:00.000Z',
      resolution: 'overlap',
    })
    expect(utc('America/New_York', 2026, 11, 1, 2, 0)).toEqual({
      at: '2026-11-01T07:00:00.000Z',
      resolution: 'exact',
    })
    expect(utc('America/New_York', 2026, 11, 1, 0, 59)).toEqual({
      at: '2026-11-01T04:59:00.000Z',
      resolution: 'exact',
    })
  })

  it('handles Europe/Berlin both ways (2026-03-29 and 2026-10-25)', () => {
    expect(utc('Europe/Berlin', 2026, 3, 29, 2, 30)).toEqual({
      at: '2026-03-29T01:30:00.000Z',
      resolution: 'gap',
    })
    expect(utc('Europe/Berlin', 2026, 3, 29, 3, 30)).toEqual({
      at: '2026-03-29T01:30:00.000Z',
      resolution: 'exact',
    })
    expect(utc('Europe/Berlin', 2026, 10, 25, 2, 30)).toEqual({
      at: '2026-10-25T00:30:00.000Z',
      resolution: 'overlap',
    })
    expect(utc('Europe/Berlin', 2026, 10, 25, 3, 0)).toEqual({
      at: '2026-10-25T02:00:00.000Z',
      resolution: 'exact',
    })
  })

  it('handles half-hour and southern-hemisphere changes (Lord Howe, Sydney)', () => {
    // Lord Howe jumps 30 minutes at 2026-10-04 02:00 (+10:30 → +11): 02:15 becomes 02:45
    expect(utc('Australia/Lord_Howe', 2026, 10, 4, 2, 15)).toEqual({
      at: '2026-10-03T15:45:00.000Z',
      resolution: 'gap',
    })
    expect(utc('Australia/Sydney', 2026, 4, 5, 2, 30)).toEqual({
      at: '2026-04-04T15:30:00.000Z',
      resolution: 'overlap',
    })
  })

  it('accepts fixed offsets', () => {
    expect(utc('+05:30', 2026, 1, 1, 12, 0)).toEqual({ at: '2026-01-01T06:30:00.000Z', resolution: 'exact' })
    expect(timeZoneOffset('UTC-5', 0)).toBe(-5 * 3_600_000)
  })
})

describe('resolveTimeZoneName', () => {
  it.each([
    ['Europe/Berlin', 'Europe/Berlin'],
    ['Eastern Time (US & Canada)', 'America/New_York'],
    ['pacific time (us & canada)', 'America/Los_Angeles'],
    ['(GMT-05:00) Eastern Time (US & Canada)', 'America/New_York'],
    ['UTC', 'UTC'],
    ['+01:00', '+01:00'],
    ['Mars/Olympus', null],
    ['', null],
  ])('%j → %j', (value, expected) => {
    expect(resolveTimeZoneName(value)).toBe(expected)
  })
})
