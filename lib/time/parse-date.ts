// Reading dates and times as store managers' files write them, with the day/month order decided per file.
// The formats and the order are ours; whether a date exists on the calendar is Temporal's.
import { Temporal } from 'temporal-polyfill'

export type DayMonthOrder = 'DMY' | 'MDY'
/** Reported order: YMD when every date in the file was year first (ISO). */
export type DateOrder = DayMonthOrder | 'YMD'

export interface WallDateTime {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  millisecond: number
  /** offset written in the value (ms east of UTC); null when it's local time of the store */
  offsetMs: number | null
  hasTime: boolean
}

/** wrong-order: a real date only when read with day and month the other way round */
export type DateReadError = 'unreadable-date' | 'impossible-date' | 'wrong-order' | 'unreadable-time'

const YEAR_FIRST = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(.*)$/
const NUMERIC = /^(\d{1,2})([-/.])(\d{1,2})[-/.](\d{4}|\d{2})(.*)$/
const DAY_MONTH_NAME = /^(\d{1,2})\.?[ -]([a-z]{3,9})\.?,?[ -](\d{4})(.*)$/i
const MONTH_NAME_DAY = /^([a-z]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})(.*)$/i
const TAIL_SEPARATOR = /^(?:T|\s|,)+/i
const TIME =
  /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?:\s*([ap])\.?\s?m\.?)?(?:\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?))?$/i

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  mrz: 3,
  apr: 4,
  may: 5,
  mai: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  okt: 10,
  nov: 11,
  dec: 12,
  dez: 12,
}

export interface DateOrderEvidence {
  /** dates whose first part is over 12: day first */
  dmy: number
  /** dates whose second part is over 12: month first */
  mdy: number
  /** day and month both 12 or less */
  ambiguous: number
  yearFirst: number
  /** written with dots (01.02.2026), which is a day-first convention */
  dotted: number
}

export function newDateOrderEvidence(): DateOrderEvidence {
  return { dmy: 0, mdy: 0, ambiguous: 0, yearFirst: 0, dotted: 0 }
}

/** Counts what one date cell says about the file's day/month order. */
export function collectDateOrderEvidence(raw: string, evidence: DateOrderEvidence): void {
  const m = NUMERIC.exec(raw)
  if (m === null) {
    if (YEAR_FIRST.test(raw)) evidence.yearFirst++
    return
  }
  const a = Number(m[1])
  const b = Number(m[3])
  if (m[2] === '.') evidence.dotted++
  if (a > 12 && b <= 12) evidence.dmy++
  else if (b > 12 && a <= 12) evidence.mdy++
  else if (a <= 12 && b <= 12) evidence.ambiguous++
}

/**
 * The file's order: any date with a first part over 12 means day first, a second part over 12 means
 * month first (the majority wins if both occur); otherwise dotted dates mean day first, else the fallback.
 */
export function decideDateOrder(
  evidence: DateOrderEvidence,
  fallback: DayMonthOrder,
): { order: DayMonthOrder; reported: DateOrder } {
  let order: DayMonthOrder
  if (evidence.dmy > evidence.mdy) order = 'DMY'
  else if (evidence.mdy > evidence.dmy) order = 'MDY'
  else if (evidence.dotted > 0) order = 'DMY'
  else order = fallback
  const numeric = evidence.dmy + evidence.mdy + evidence.ambiguous
  return { order, reported: numeric === 0 && evidence.yearFirst > 0 ? 'YMD' : order }
}

function isRealDate(year: number, month: number, day: number): boolean {
  if (year < 1900) return false
  try {
    // the constructor rejects 30 February and month 13 alike
    new Temporal.PlainDate(year, month, day)
    return true
  } catch {
    return false
  }
}

function fullYear(y: string): number {
  const n = Number(y)
  if (y.length === 4) return n
  return n < 70 ? 2000 + n : 1900 + n
}

function parseOffset(text: string): number {
  const t = text.toUpperCase()
  if (t === 'Z' || t === 'UTC' || t === 'GMT') return 0
  const sign = t.charCodeAt(0) === 45 ? -1 : 1
  const digits = t.slice(1).replace(':', '')
  const hours = Number(digits.slice(0, 2))
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0
  return sign * (hours * 60 + minutes) * 60_000
}

interface TimeOfDay {
  hour: number
  minute: number
  second: number
  millisecond: number
  offsetMs: number | null
}

/** "14:05", "14:05:12.5", "2:05 PM", "14:05:12 -0500"; null when it isn't a time of day. */
function readTimeOfDay(raw: string): TimeOfDay | null {
  const m = TIME.exec(raw)
  if (m === null) return null
  let hour = Number(m[1])
  const minute = Number(m[2])
  const second = m[3] === undefined ? 0 : Number(m[3])
  const millisecond = m[4] === undefined ? 0 : Math.floor(Number(`0.${m[4]}`) * 1000)
  const meridiem = m[5]?.toLowerCase()
  if (meridiem !== undefined) {
    if (hour < 1 || hour > 12) return null
    if (meridiem === 'a' && hour === 12) hour = 0
    else if (meridiem === 'p' && hour !== 12) hour += 12
  }
  if (hour > 23 || minute > 59 || second > 59) return null
  return { hour, minute, second, millisecond, offsetMs: m[6] === undefined ? null : parseOffset(m[6]) }
}

/** Minutes after midnight of "12:00"-style text; null when unreadable. */
export function parseClockTime(text: string): number | null {
  const t = readTimeOfDay(text)
  return t === null ? null : t.hour * 60 + t.minute
}

interface DatePart {
  year: number
  month: number
  day: number
  /** what follows the date: a time, an offset, or nothing */
  tail: string
  /** written as numbers only, so day and month could be swapped */
  swappable: boolean
}

function readDatePart(raw: string, order: DayMonthOrder): DatePart | DateReadError {
  let m = YEAR_FIRST.exec(raw)
  if (m !== null)
    return { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), tail: m[4] ?? '', swappable: false }
  m = NUMERIC.exec(raw)
  if (m !== null) {
    const a = Number(m[1])
    const b = Number(m[3])
    const year = fullYear(m[4] ?? '')
    const tail = m[5] ?? ''
    return order === 'DMY'
      ? { year, month: b, day: a, tail, swappable: true }
      : { year, month: a, day: b, tail, swappable: true }
  }
  m = DAY_MONTH_NAME.exec(raw)
  if (m !== null) {
    const month = MONTHS[(m[2] ?? '').slice(0, 3).toLowerCase()]
    if (month === undefined) return 'unreadable-date'
    return { year: Number(m[3]), month, day: Number(m[1]), tail: m[4] ?? '', swappable: false }
  }
  m = MONTH_NAME_DAY.exec(raw)
  if (m !== null) {
    const month = MONTHS[(m[1] ?? '').slice(0, 3).toLowerCase()]
    if (month === undefined) return 'unreadable-date'
    return { year: Number(m[3]), month, day: Number(m[2]), tail: m[4] ?? '', swappable: false }
  }
  return 'unreadable-date'
}

/**
 * Reads a date cell (optionally with its own time and offset) and an optional separate time cell.
 * A date without a time gets `defaultMinutes` after midnight; a separate time cell is used when the
 * date cell has no time or only a placeholder midnight (Excel's "08.03.2026 00:00").
 */
export function readDateTime(
  dateRaw: string,
  timeRaw: string,
  order: DayMonthOrder,
  defaultMinutes: number,
): WallDateTime | DateReadError {
  const date = readDatePart(dateRaw, order)
  if (typeof date === 'string') return date
  const { year, month, day, tail } = date
  if (!isRealDate(year, month, day))
    return date.swappable && isRealDate(year, day, month) ? 'wrong-order' : 'impossible-date'

  let time: TimeOfDay | null = null
  if (tail !== '') {
    const sep = TAIL_SEPARATOR.exec(tail)
    if (sep === null) return 'unreadable-date'
    const rest = tail.slice(sep[0].length)
    if (rest !== '') {
      time = readTimeOfDay(rest)
      if (time === null) return 'unreadable-time'
    }
  }
  const placeholderMidnight =
    time !== null && time.hour === 0 && time.minute === 0 && time.second === 0 && time.offsetMs === null
  if (timeRaw !== '' && (time === null || placeholderMidnight)) {
    time = readTimeOfDay(timeRaw)
    if (time === null) return 'unreadable-time'
  }
  if (time === null) {
    return {
      year,
      month,
      day,
      hour: Math.floor(defaultMinutes / 60),
      minute: defaultMinutes % 60,
      second: 0,
      millisecond: 0,
      offsetMs: null,
      hasTime: false,
    }
  }
  return { year, month, day, ...time, hasTime: true }
}
