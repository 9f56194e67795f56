// The one table of limits a sale's values must keep: Constructor's contract (CONTRACT.md and the OpenAPI
// description beside it; limits.test.ts checks the two agree), our business rules, and what the database
// columns hold. Constants and pure functions only, so browser forms, server actions, the upload reader and
// the group fixes all read the same numbers.

export const SALE_LIMITS = {
  /** contract: item_id, item_name, variation_id, store_id, return_drop_off are 1–250; order and customer ids too (ours) */
  maxTextLength: 250,
  /** ours: the contract sets none, but a return reason is a short note, not a document */
  maxReturnReasonLength: 1_000,
  /** contract: items, items_returned, items_kept, items_cross_sold hold 1–500 items */
  maxItemsPerList: 500,
  /** contract: lat and lon are 1–20 characters */
  maxCoordinateLength: 20,
  /** ours: count is an integer in the contract; a till line beyond this is a typo */
  minQuantity: 1,
  maxQuantity: 10_000,
  /** amounts are Decimal(18, 4) in the database: 14 digits before the point and 4 after */
  maxFractionDigits: 4,
  maxIntegerDigits: 14,
  /**
   * What a text column holds (VarChar(500)): twice the limit, so an upload's over-long value is kept whole
   * and its reason stays true when the event is checked again. Longer values are stored cut to this length
   * (still over the limit, so still INVALID); the reason says how long the file's value was.
   */
  storedTextLength: 500,
  /** the return reason column is text; an upload's longer reason is stored cut to this length */
  storedReturnReasonLength: 2_000,
  defaultMaxAgeDays: 365,
  /** a till clock a little ahead of ours is not a sale "in the future" */
  defaultClockSkewMs: 15 * 60_000,
} as const

/** the largest amount a Decimal(18, 4) column holds, also for an event's Σ price × quantity */
export const MAX_AMOUNT = '99999999999999.9999'

// NUL can't be stored in a PostgreSQL text, and half of a surrogate pair is not a character (a broken emoji).
const SURROGATE = /[\uD800-\uDFFF]/
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** true when a text holds a character no column can store: NUL or half of a surrogate pair */
export function hasUnstorableCharacter(value: string): boolean {
  return value.indexOf('\u0000') !== -1 || (SURROGATE.test(value) && LONE_SURROGATE.test(value))
}

const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g')

/** `value` as a column can hold it: NUL and half of a surrogate pair become U+FFFD (for a sale kept INVALID) */
export function storableText(value: string): string {
  return value.replaceAll('\u0000', '\uFFFD').replace(LONE_SURROGATES, '\uFFFD')
}

/** a value quoted in a message: a long one is shown by its start, so a 60 KB cell doesn't make a 60 KB reason */
export function shownValue(value: string): string {
  return value.length > 60 ? `${cutText(value, 57)}…` : value
}

/** `value` cut to at most `max` UTF-16 units without splitting a surrogate pair */
export function cutText(value: string, max: number): string {
  if (value.length <= max) return value
  const end = value.charCodeAt(max - 1) >= 0xd800 && value.charCodeAt(max - 1) <= 0xdbff ? max - 1 : max
  return value.slice(0, end)
}

// a price within the column's digits (a longer one has a reason of its own), and not negative
const PLAIN = /^0*(\d{1,14})(?:\.(\d{1,4}))?$/
const SCALE = 10_000n
const MAX_SCALED = 10n ** 18n - 1n
// below this no sum of 500 lines of at most 10,000 units can reach the column's limit
const SAFE_FLOAT_SUM = 1e13

/**
 * Σ price × quantity of the items whose price and quantity are each within their limits, when it is more
 * than a Decimal(18, 4) holds, written for a message ("1,999,999,999,999,980,000"); null when it fits.
 * A value outside its own limit has its own reason and is left out. Exact (BigInt), without decimal.js.
 */
export function itemsTotalOverflow(
  items: ReadonlyArray<{ unitPrice?: string | null; quantity?: number | null }>,
): string | null {
  let rough = 0
  for (const { unitPrice, quantity } of items) {
    if (unitPrice == null || !inRange(quantity)) continue
    const p = Number(unitPrice)
    if (Number.isFinite(p)) rough += Math.abs(p * quantity)
  }
  if (!(rough >= SAFE_FLOAT_SUM)) return null
  let sum = 0n
  for (const { unitPrice, quantity } of items) {
    if (unitPrice == null || !inRange(quantity)) continue
    const m = PLAIN.exec(unitPrice)
    if (m === null) continue
    sum += (BigInt(m[1] as string) * SCALE + BigInt((m[2] ?? '').padEnd(4, '0'))) * BigInt(quantity)
  }
  if (sum <= MAX_SCALED) return null
  const frac = (sum % SCALE).toString().padStart(4, '0').replace(/0+$/, '')
  return `${(sum / SCALE).toLocaleString('en-US')}${frac ? `.${frac}` : ''}`
}

function inRange(quantity: number | null | undefined): quantity is number {
  return (
    quantity != null &&
    Number.isInteger(quantity) &&
    quantity >= SALE_LIMITS.minQuantity &&
    quantity <= SALE_LIMITS.maxQuantity
  )
}
