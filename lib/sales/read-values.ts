// One reader for the values a person or a till writes (quantities, amounts, dates, times), shared by uploads,
// hand entry and the sale editor, so "1.000" or "2026-02-30" means the same wherever it is typed. The amount
// rules are lib/money/decimal.ts, the calendar lib/time; this adds what a single value (no file around it to
// decide) needs: the store's locale, and a refusal that says how to write the value.
import {
  AMBIGUOUS_AMOUNT,
  type AmountReader,
  AmountReader as Amounts,
  type DecimalSeparator,
  INVALID_AMOUNT,
} from '@/lib/money/decimal'
import { type DayMonthOrder, readDateTime } from '@/lib/time/parse-date'
import { zonedWallTimeToUtc } from '@/lib/time/zoned'
import { shownValue } from './limits'
import { AMOUNT_LABELS, type AmountField, SALE_MESSAGES } from './schema'

export type ValueRead<T> = { ok: true; value: T } | { ok: false; message: string }

const SMALL_INTEGER = /^[+-]?\d{1,9}$/

/**
 * A quantity cell: a whole number, null when empty; 'ambiguous' for "1,000" / "1.000" (a thousand, or one
 * written with three decimals), which a file decides by its separator and a single value refuses;
 * 'not-whole' for "1,5"; 'invalid' for anything that isn't a number ("1e3", "0x10", "two"). `raw` is trimmed.
 */
export function readQuantityCell(
  raw: string,
  amounts: AmountReader,
): number | null | 'ambiguous' | 'not-whole' | 'invalid' {
  if (raw === '') return null
  if (SMALL_INTEGER.test(raw)) return Number(raw)
  const v = amounts.read(raw)
  if (v === AMBIGUOUS_AMOUNT) return 'ambiguous'
  if (v === INVALID_AMOUNT || v === null) return 'invalid'
  if (v.indexOf('.') !== -1) return 'not-whole'
  return Number(v)
}

/** a quantity typed by a person: whole units written plainly, or a message that says how */
export function readQuantity(text: string): ValueRead<number | null> {
  const raw = text.trim()
  const q = readQuantityCell(raw, new Amounts())
  if (q === 'ambiguous') return { ok: false, message: VALUE_MESSAGES.quantityAmbiguous(raw) }
  if (q === 'not-whole') return { ok: false, message: SALE_MESSAGES.quantityNotWhole(raw) }
  if (q === 'invalid') return { ok: false, message: VALUE_MESSAGES.quantityFormat(raw) }
  return { ok: true, value: q }
}

/**
 * An amount typed by a person ("12,50", "€ 1.234,50", "1,234.50"), as a canonical decimal string; null when
 * empty. "1,234" reads two ways: the store's decimal separator decides, and without one it is refused.
 */
export function readAmount(
  text: string,
  field: AmountField,
  separator: DecimalSeparator | null,
): ValueRead<string | null> {
  const raw = text.trim()
  const amounts = new Amounts()
  const v = amounts.read(raw)
  if (v === INVALID_AMOUNT)
    return { ok: false, message: SALE_MESSAGES.amountFormat(AMOUNT_LABELS[field], raw) }
  if (v !== AMBIGUOUS_AMOUNT) return { ok: true, value: v }
  if (separator === null)
    return { ok: false, message: VALUE_MESSAGES.amountAmbiguous(AMOUNT_LABELS[field], raw) }
  const resolved = amounts.resolve(raw, separator)
  return resolved === INVALID_AMOUNT
    ? { ok: false, message: SALE_MESSAGES.amountFormat(AMOUNT_LABELS[field], raw) }
    : { ok: true, value: resolved }
}

export type SaleTimeRead = { ok: true; value: Date } | { ok: false; field: 'date' | 'time'; message: string }

/**
 * A sale's date and time typed in the store's zone, read by the upload's date reader: 2026-02-30, 25:00 and
 * 24:00 are refused, never rolled over. A time with an offset ("14:05+01:00") is used as is.
 */
export function readSaleTime(
  dateText: string,
  timeText: string,
  timeZone: string,
  order: DayMonthOrder,
): SaleTimeRead {
  const date = dateText.trim()
  const time = timeText.trim()
  if (date === '') return { ok: false, field: 'date', message: SALE_MESSAGES.occurredAtMissing() }
  if (time === '') return { ok: false, field: 'time', message: VALUE_MESSAGES.timeMissing() }
  const w = readDateTime(date, time, order, 0)
  if (typeof w === 'string') {
    if (w === 'unreadable-time')
      return { ok: false, field: 'time', message: VALUE_MESSAGES.timeUnreadable(time) }
    if (w === 'impossible-date' || w === 'wrong-order')
      return { ok: false, field: 'date', message: VALUE_MESSAGES.dateImpossible(date) }
    return { ok: false, field: 'date', message: VALUE_MESSAGES.dateUnreadable(date) }
  }
  if (w.offsetMs !== null)
    return {
      ok: true,
      value: new Date(
        Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond) - w.offsetMs,
      ),
    }
  try {
    const t = zonedWallTimeToUtc(timeZone, w.year, w.month, w.day, w.hour, w.minute, w.second, w.millisecond)
    return { ok: true, value: new Date(t.utcMs) }
  } catch {
    return { ok: false, field: 'date', message: VALUE_MESSAGES.zoneInvalid(timeZone) }
  }
}

/** the store's decimal separator, from its BCP 47 locale (de-DE → ','); null when the locale doesn't say */
export function localeDecimalSeparator(locale: string | undefined): DecimalSeparator | null {
  if (locale === undefined) return null
  try {
    const decimal = new Intl.NumberFormat(locale).formatToParts(1.5).find((p) => p.type === 'decimal')?.value
    return decimal === ',' ? ',' : decimal === '.' ? '.' : null
  } catch {
    return null
  }
}

/** the store's day/month order, from its locale (de-DE → DMY, en-US → MDY); null when it doesn't say */
export function localeDateOrder(locale: string | undefined): DayMonthOrder | null {
  if (locale === undefined) return null
  try {
    const parts = new Intl.DateTimeFormat(locale).formatToParts(new Date(Date.UTC(2001, 10, 22, 12)))
    const day = parts.findIndex((p) => p.type === 'day')
    const month = parts.findIndex((p) => p.type === 'month')
    if (day === -1 || month === -1) return null
    return day < month ? 'DMY' : 'MDY'
  } catch {
    return null
  }
}

/** messages for a value a person typed, each saying how to write it */
export const VALUE_MESSAGES = {
  quantityAmbiguous: (value: string) =>
    `Quantity '${shownValue(value)}' is ambiguous (${value.replace(/[.,]/g, '')}, or ${value.replace(/[.,].*$/, '')} with a decimal part) — write whole units without a separator, like ${value.replace(/[.,]/g, '')}`,
  quantityFormat: (value: string) =>
    `Quantity '${shownValue(value)}' is not a number — write whole units like 1000`,
  amountAmbiguous: (label: string, value: string) =>
    `${label} '${shownValue(value)}' could be read two ways — write it without a thousands separator, like ${value.replace(/[.,]/g, '')} or ${value.replace(/[.,]/, '.')}`,
  dateUnreadable: (value: string) => `Date '${shownValue(value)}' can't be read — write it like 2026-03-08`,
  dateImpossible: (value: string) =>
    `Date '${shownValue(value)}' is not a real date — pick the day from the calendar`,
  timeMissing: () => 'Time is missing — enter the time of the sale, like 14:05',
  timeUnreadable: (value: string) =>
    `Time '${shownValue(value)}' can't be read — write it like 14:05 or 2:05 PM (00:00 to 23:59)`,
  zoneInvalid: (zone: string) =>
    `The store's time zone '${zone}' is not valid — an admin can set it in Settings → Stores`,
} as const
