// Amounts as store managers write them ("€ 1.234,50", "(5.00)"), read into exact decimal strings
// ("1234.5", "-0.25", "0"): never floats. The reading rules are ours; the arithmetic is decimal.js.
import Decimal from 'decimal.js'

// Stored amounts are Decimal(18, 4). 40 significant digits hold their sums and products with a
// quantity exactly, and carry a quotient far enough that rounding it to 4 places is exact too.
const Money = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP })

export type DecimalSeparator = '.' | ','

/** "1,234" or "1.234": a thousands group or three decimals, decided for the whole file later. */
export const AMBIGUOUS_AMOUNT: unique symbol = Symbol('ambiguous amount')
/** Text that is not an amount at all. */
export const INVALID_AMOUNT: unique symbol = Symbol('invalid amount')

export type AmountRead = string | null | typeof AMBIGUOUS_AMOUNT | typeof INVALID_AMOUNT

// The common case ("12.50", "-3", "1234.5"): one precompiled test, no scanning.
const PLAIN_POINT = /^-?\d{1,15}(?:\.\d{1,2}|\.\d{4,6})?$/

/** Canonical form: no leading zeros, no trailing fraction zeros, no "-0". */
export function canonicalDecimal(negative: boolean, intDigits: string, fracDigits: string): string {
  return new Money(`${negative ? '-' : ''}${intDigits || '0'}.${fracDigits || '0'}`).toFixed()
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57
}

// Spaces and apostrophes used as digit grouping ("1 234,50", "1'234.50", narrow no-break space).
function isGroupingChar(c: number): boolean {
  return c === 32 || c === 0xa0 || c === 0x202f || c === 0x2009 || c === 39 || c === 0x2019
}

// Currency symbols: $ £ ¥ € ₹ ₽ ₩ ₪ ₫ ₱ ₺ ₴ ₦ and the rest of the Currency Symbols block.
function isCurrencySymbol(c: number): boolean {
  return c === 36 || c === 0xa2 || c === 0xa3 || c === 0xa4 || c === 0xa5 || (c >= 0x20a0 && c <= 0x20cf)
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 0x142 /* zł */
}

interface AmountParts {
  negative: boolean
  digits: string
}

const GROUPING_CHARS = /[ \u00a0\u202f\u2009'\u2019]/g

// Splits "€ -1.234,50", "(5.00)", "12.00 EUR", "5.00-" into sign + digits-and-separators; null when not money.
function splitAmount(raw: string): AmountParts | null {
  let s = raw
  let negative = false
  if (s.charCodeAt(0) === 40 && s.charCodeAt(s.length - 1) === 41) {
    negative = true
    s = s.slice(1, -1).trim()
  }
  let start = -1
  let end = -1
  let letters = 0
  let signs = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (isDigit(c) || c === 46 || c === 44) {
      if (start === -1) start = i
      else if (end !== i - 1) {
        // a gap inside the number is only allowed for grouping characters
        for (let k = end + 1; k < i; k++) if (!isGroupingChar(s.charCodeAt(k))) return null
      }
      end = i
    } else if (c === 45 || c === 0x2212 || c === 43) {
      if (end !== -1 && start !== -1 && i !== end + 1 && !isTrailingSign(s, i)) return null
      if (c !== 43) negative = !negative
      signs++
    } else if (isLetter(c)) {
      if (start !== -1 && end === i - 1) return null
      letters++
    } else if (!(isCurrencySymbol(c) || isGroupingChar(c) || c === 9)) {
      return null
    }
  }
  if (start === -1 || signs > 1 || letters > 4) return null
  return { negative, digits: s.slice(start, end + 1).replace(GROUPING_CHARS, '') }
}

function isTrailingSign(s: string, i: number): boolean {
  for (let k = i + 1; k < s.length; k++)
    if (!isGroupingChar(s.charCodeAt(k)) && !isLetter(s.charCodeAt(k))) return false
  return true
}

const DIGITS = /^\d+$/
const GROUPED: Record<DecimalSeparator, RegExp> = {
  '.': /^\d{1,3}(?:\.\d{3})*$/,
  ',': /^\d{1,3}(?:,\d{3})*$/,
}

function allDigits(s: string): boolean {
  return DIGITS.test(s)
}

/** "1", "12,345", "1.234.567": digits in thousands groups split by `sep`. */
function validGroups(s: string, sep: DecimalSeparator): boolean {
  return GROUPED[sep].test(s)
}

/**
 * Reads amount cells and collects evidence for the file's decimal separator: each cell that can
 * only be read one way is a vote; "1,234"-style cells wait for the file's decision (resolve()).
 */
export class AmountReader {
  pointVotes = 0
  commaVotes = 0
  /** cells that waited for the file's decision */
  ambiguous = 0

  /** Canonical decimal, null for an empty cell, or AMBIGUOUS/INVALID. `raw` must be trimmed. */
  read(raw: string): AmountRead {
    if (raw === '') return null
    if (PLAIN_POINT.test(raw)) {
      if (raw.indexOf('.') !== -1) this.pointVotes++
      return new Money(raw).toFixed()
    }
    const parts = splitAmount(raw)
    if (parts === null) return INVALID_AMOUNT
    const v = this.readParts(parts.negative, parts.digits, null)
    if (v === AMBIGUOUS_AMOUNT) this.ambiguous++
    return v
  }

  /** Reads a cell that read() called ambiguous, now that the file's separator is known. */
  resolve(raw: string, separator: DecimalSeparator): string | typeof INVALID_AMOUNT {
    const parts = splitAmount(raw)
    if (parts === null) return INVALID_AMOUNT
    const v = this.readParts(parts.negative, parts.digits, separator)
    return typeof v === 'string' ? v : INVALID_AMOUNT
  }

  /** The file's separator: the majority of unambiguous cells, else the fallback. */
  decide(fallback: DecimalSeparator): DecimalSeparator {
    if (this.commaVotes > this.pointVotes) return ','
    if (this.pointVotes > this.commaVotes) return '.'
    return fallback
  }

  private readParts(negative: boolean, digits: string, separator: DecimalSeparator | null): AmountRead {
    const dot = digits.indexOf('.')
    const comma = digits.indexOf(',')
    if (dot === -1 && comma === -1)
      return allDigits(digits) ? canonicalDecimal(negative, digits, '') : INVALID_AMOUNT
    if (dot !== -1 && comma !== -1) {
      // both present: the last one is the decimal separator
      const decimalIsComma = digits.lastIndexOf(',') > digits.lastIndexOf('.')
      const dec = decimalIsComma ? ',' : '.'
      const at = digits.lastIndexOf(dec)
      const intPart = digits.slice(0, at)
      const frac = digits.slice(at + 1)
      if (!allDigits(frac) || !validGroups(intPart, decimalIsComma ? '.' : ',')) return INVALID_AMOUNT
      if (separator === null) {
        if (decimalIsComma) this.commaVotes++
        else this.pointVotes++
      }
      return canonicalDecimal(negative, intPart.replaceAll(decimalIsComma ? '.' : ',', ''), frac)
    }
    const sep = dot !== -1 ? '.' : ','
    const first = dot !== -1 ? dot : comma
    if (digits.indexOf(sep, first + 1) !== -1) {
      // repeated: a thousands separator ("1,234,567"), so the decimal separator is the other one
      if (!validGroups(digits, sep)) return INVALID_AMOUNT
      if (separator === null) {
        if (sep === ',') this.pointVotes++
        else this.commaVotes++
      }
      return canonicalDecimal(negative, digits.replaceAll(sep, ''), '')
    }
    const intPart = digits.slice(0, first)
    const frac = digits.slice(first + 1)
    if (
      (intPart !== '' && !allDigits(intPart)) ||
      (frac !== '' && !allDigits(frac)) ||
      (intPart === '' && frac === '')
    )
      return INVALID_AMOUNT
    const couldBeGroup = frac.length === 3 && intPart.length >= 1 && intPart.length <= 3 && intPart !== '0'
    if (!couldBeGroup) {
      if (separator === null) {
        if (sep === ',') this.commaVotes++
        else this.pointVotes++
      }
      return canonicalDecimal(negative, intPart, frac)
    }
    if (separator === null) return AMBIGUOUS_AMOUNT
    return sep === separator
      ? canonicalDecimal(negative, intPart, frac)
      : canonicalDecimal(negative, intPart + frac, '')
  }
}

/** Whether a raw (unparsed) amount cell is written as negative: "-5", "(5.00)", "5.00-", "−5". */
export function looksNegative(raw: string): boolean {
  return raw.indexOf('-') !== -1 || raw.indexOf('\u2212') !== -1 || (raw.startsWith('(') && raw.endsWith(')'))
}

export function absDecimal(s: string): string {
  return new Money(s).abs().toFixed()
}

/** a ÷ n rounded half away from zero to `scale` decimals. */
export function divideDecimal(a: string, n: number, scale: number): string {
  return new Money(a).dividedBy(n).toDecimalPlaces(scale).toFixed()
}

/** A unit price less a whole line's discount spread over its quantity, rounded half away from zero to `scale` decimals. */
export function netUnitPrice(
  unitPrice: string,
  lineDiscount: string,
  quantity: number,
  scale: number,
): string {
  return new Money(unitPrice)
    .minus(new Money(lineDiscount).abs().dividedBy(quantity))
    .toDecimalPlaces(scale)
    .toFixed()
}

export function compareDecimal(a: string, b: string): number {
  return new Money(a).comparedTo(b)
}

/** Σ price × quantity over items with both, exact; "0" for none. */
export function sumLineTotals(
  items: ReadonlyArray<{ unitPrice: string | null; quantity: number | null }>,
): string {
  let sum = new Money(0)
  for (const { unitPrice, quantity } of items) {
    if (unitPrice === null || quantity === null) continue
    const price = new Money(unitPrice)
    // a price with more than 4 decimals is flagged by validation and left out of the total
    if (price.decimalPlaces() > 4) continue
    sum = sum.plus(price.times(quantity))
  }
  return sum.toFixed()
}
