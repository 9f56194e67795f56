// Exact decimal amounts as canonical strings ("1234.5", "-0.25", "0"): never floats.

export type DecimalSeparator = '.' | ','

/** "1,234" or "1.234": a thousands group or three decimals, decided for the whole file later. */
export const AMBIGUOUS_AMOUNT: unique symbol = Symbol('ambiguous amount')
/** Text that is not an amount at all. */
export const INVALID_AMOUNT: unique symbol = Symbol('invalid amount')

export type AmountRead = string | null | typeof AMBIGUOUS_AMOUNT | typeof INVALID_AMOUNT

// The common case ("12.50", "-3", "1234.5"): one precompiled test, no scanning.
const PLAIN_POINT = /^-?\d{1,15}(?:\.\d{1,2}|\.\d{4,6})?$/
const PLAIN_INTEGER = /^-?\d{1,15}$/
const CANONICAL = /^-?\d+(?:\.\d+)?$/

/** Canonical form: no leading zeros, no trailing fraction zeros, no "-0". */
export function canonicalDecimal(negative: boolean, intDigits: string, fracDigits: string): string {
  let i = 0
  while (i < intDigits.length - 1 && intDigits.charCodeAt(i) === 48) i++
  let int = i > 0 ? intDigits.slice(i) : intDigits
  if (int === '') int = '0'
  let f = fracDigits.length
  while (f > 0 && fracDigits.charCodeAt(f - 1) === 48) f--
  const frac = f < fracDigits.length ? fracDigits.slice(0, f) : fracDigits
  const zero = int === '0' && frac === ''
  return (negative && !zero ? '-' : '') + int + (frac === '' ? '' : `.${frac}`)
}

function canonicalFromPlain(s: string): string {
  // already canonical ("12.5", "3", "0.25"): no copies
  const first = s.charCodeAt(0)
  const last = s.charCodeAt(s.length - 1)
  const dot = s.indexOf('.')
  if (
    (first !== 48 || s.length === 1 || s.charCodeAt(1) === 46) &&
    first !== 45 &&
    (dot === -1 || (last !== 48 && last !== 46))
  )
    return s
  return slowCanonical(s)
}

function slowCanonical(s: string): string {
  const negative = s.charCodeAt(0) === 45
  const body = negative ? s.slice(1) : s
  const dot = body.indexOf('.')
  return dot === -1
    ? canonicalDecimal(negative, body, '')
    : canonicalDecimal(negative, body.slice(0, dot), body.slice(dot + 1))
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

const parts: AmountParts = { negative: false, digits: '' }

// Splits "€ -1.234,50", "(5.00)", "12.00 EUR", "5.00-" into sign + digits-and-separators; false when not money.
function splitAmount(raw: string): boolean {
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
        for (let k = end + 1; k < i; k++) if (!isGroupingChar(s.charCodeAt(k))) return false
      }
      end = i
    } else if (c === 45 || c === 0x2212 || c === 43) {
      if (end !== -1 && start !== -1 && i !== end + 1 && !isTrailingSign(s, i)) return false
      if (c !== 43) negative = !negative
      signs++
    } else if (isLetter(c)) {
      if (start !== -1 && end === i - 1) return false
      letters++
    } else if (!(isCurrencySymbol(c) || isGroupingChar(c) || c === 9)) {
      return false
    }
  }
  if (start === -1 || signs > 1 || letters > 4) return false
  let digits = s.slice(start, end + 1)
  for (let i = 0; i < digits.length; i++) {
    if (isGroupingChar(digits.charCodeAt(i))) {
      digits = stripGrouping(digits)
      break
    }
  }
  parts.negative = negative
  parts.digits = digits
  return true
}

function isTrailingSign(s: string, i: number): boolean {
  for (let k = i + 1; k < s.length; k++)
    if (!isGroupingChar(s.charCodeAt(k)) && !isLetter(s.charCodeAt(k))) return false
  return true
}

function stripGrouping(s: string): string {
  let out = ''
  for (let i = 0; i < s.length; i++) if (!isGroupingChar(s.charCodeAt(i))) out += s[i]
  return out
}

function allDigits(s: string): boolean {
  if (s.length === 0) return false
  for (let i = 0; i < s.length; i++) if (!isDigit(s.charCodeAt(i))) return false
  return true
}

function validGroups(groups: string[]): boolean {
  const first = groups[0]
  if (first === undefined || first.length < 1 || first.length > 3 || !allDigits(first)) return false
  for (let i = 1; i < groups.length; i++) {
    const g = groups[i]
    if (g === undefined || g.length !== 3 || !allDigits(g)) return false
  }
  return true
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
      return canonicalFromPlain(raw)
    }
    if (!splitAmount(raw)) return INVALID_AMOUNT
    const v = this.readParts(parts.negative, parts.digits, null)
    if (v === AMBIGUOUS_AMOUNT) this.ambiguous++
    return v
  }

  /** Reads a cell that read() called ambiguous, now that the file's separator is known. */
  resolve(raw: string, separator: DecimalSeparator): string | typeof INVALID_AMOUNT {
    if (!splitAmount(raw)) return INVALID_AMOUNT
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
      if (
        intPart.indexOf(dec) !== -1 ||
        !allDigits(frac) ||
        !validGroups(intPart.split(decimalIsComma ? '.' : ','))
      )
        return INVALID_AMOUNT
      if (separator === null) {
        if (decimalIsComma) this.commaVotes++
        else this.pointVotes++
      }
      return canonicalDecimal(negative, intPart.replace(decimalIsComma ? /\./g : /,/g, ''), frac)
    }
    const sep = dot !== -1 ? '.' : ','
    const first = dot !== -1 ? dot : comma
    if (digits.indexOf(sep, first + 1) !== -1) {
      // repeated: a thousands separator ("1,234,567"), so the decimal separator is the other one
      const groups = digits.split(sep)
      if (!validGroups(groups)) return INVALID_AMOUNT
      if (separator === null) {
        if (sep === ',') this.pointVotes++
        else this.commaVotes++
      }
      return canonicalDecimal(negative, groups.join(''), '')
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

/** True for a canonical-looking decimal string ("12.5", "-3"). */
export function isDecimalString(s: string): boolean {
  return CANONICAL.test(s)
}

/** True for "12", "-3": a whole number that fits in a JS safe integer. */
export function isPlainInteger(s: string): boolean {
  return PLAIN_INTEGER.test(s)
}

/** Number of digits after the point of a decimal string. */
export function fractionDigits(s: string): number {
  const dot = s.indexOf('.')
  return dot === -1 ? 0 : s.length - dot - 1
}

/** Number of digits before the point, ignoring sign and leading zeros. */
export function integerDigits(s: string): number {
  let i = s.charCodeAt(0) === 45 ? 1 : 0
  const dot = s.indexOf('.')
  const end = dot === -1 ? s.length : dot
  while (i < end - 1 && s.charCodeAt(i) === 48) i++
  return end - i
}

export function isNegativeDecimal(s: string): boolean {
  return s.charCodeAt(0) === 45
}

export function absDecimal(s: string): string {
  return s.charCodeAt(0) === 45 ? s.slice(1) : s
}

/** Whether a raw (unparsed) amount cell is written as negative: "-5", "(5.00)", "5.00-", "−5". */
export function looksNegative(raw: string): boolean {
  return raw.indexOf('-') !== -1 || raw.indexOf('\u2212') !== -1 || (raw.startsWith('(') && raw.endsWith(')'))
}

/** The decimal as an integer count of 10^-scale units; null when it has more decimals than scale. */
export function toScaled(s: string, scale: number): bigint | null {
  const negative = s.charCodeAt(0) === 45
  const body = negative ? s.slice(1) : s
  const dot = body.indexOf('.')
  const int = dot === -1 ? body : body.slice(0, dot)
  const frac = dot === -1 ? '' : body.slice(dot + 1)
  if (frac.length > scale) return null
  const v = BigInt(int + frac.padEnd(scale, '0'))
  return negative ? -v : v
}

export function fromScaled(v: bigint, scale: number): string {
  const negative = v < 0n
  const digits = (negative ? -v : v).toString().padStart(scale + 1, '0')
  return canonicalDecimal(
    negative,
    digits.slice(0, digits.length - scale),
    digits.slice(digits.length - scale),
  )
}

/** a ÷ n rounded half away from zero to `scale` decimals; exact when the quotient terminates early. */
export function divideDecimal(a: string, n: number, scale: number): string {
  const negative = a.charCodeAt(0) === 45
  const body = negative ? a.slice(1) : a
  const dot = body.indexOf('.')
  const frac = dot === -1 ? '' : body.slice(dot + 1)
  const int = dot === -1 ? body : body.slice(0, dot)
  // numerator in 10^-(frac+scale) units, so the quotient is in 10^-scale units before rounding
  const num = BigInt(int + frac) * 10n ** BigInt(scale)
  const den = BigInt(n) * 10n ** BigInt(frac.length)
  let q = num / den
  if ((num % den) * 2n >= den) q += 1n
  return fromScaled(negative ? -q : q, scale)
}

export function compareDecimal(a: string, b: string): number {
  const scale = Math.max(fractionDigits(a), fractionDigits(b))
  const x = toScaled(a, scale) ?? 0n
  const y = toScaled(b, scale) ?? 0n
  return x < y ? -1 : x > y ? 1 : 0
}

/** Σ price × quantity over items with both, exact; "0" for none. */
export function sumLineTotals(
  items: ReadonlyArray<{ unitPrice: string | null; quantity: number | null }>,
): string {
  // amounts in 10^-4 units below 10^11 round-trip exactly through doubles: BigInt only beyond that
  let small = 0
  let big = 0n
  let useBig = false
  for (const item of items) {
    const price = item.unitPrice
    const quantity = item.quantity
    if (price === null || quantity === null) continue
    if (fractionDigits(price) > 4) continue
    if (!useBig && price.length <= 15) {
      const n = Math.round(Number(price) * 10_000) * quantity
      if (Number.isSafeInteger(n) && Number.isSafeInteger(small + n)) {
        small += n
        continue
      }
    }
    if (!useBig) {
      useBig = true
      big = BigInt(small)
    }
    big += (toScaled(price, 4) ?? 0n) * BigInt(quantity)
  }
  return fromScaled(useBig ? big : BigInt(small), 4)
}
