// PostgreSQL's binary COPY format (COPY ... FROM STDIN WITH (FORMAT binary)), written straight into bytes.

const PG_EPOCH_MS = 946_684_800_000
const COPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1')
/** a plain decimal (-12.5): the only form numeric() writes */
export const PLAIN_DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48
  if (c >= 97 && c <= 102) return c - 87
  if (c >= 65 && c <= 70) return c - 55
  throw new Error(`not a hexadecimal digit: ${String.fromCharCode(c)}`)
}

/**
 * COPY rows in PostgreSQL's binary format, written straight into bytes: the database then only copies
 * values instead of parsing text (a uuid, a time, a decimal), so whoever writes the bytes pays the parsing
 * instead of the database.
 */
export class CopyBinary {
  private buf: Buffer
  private n = 0
  private rows = 0

  constructor(size = 256 * 1024) {
    this.buf = Buffer.allocUnsafeSlow(Math.max(size, 64))
    COPY_SIGNATURE.copy(this.buf, 0)
    this.buf.writeInt32BE(0, 11) // flags
    this.buf.writeInt32BE(0, 15) // header extension length
    this.n = 19
  }

  private room(bytes: number) {
    if (this.n + bytes <= this.buf.length) return
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.n + bytes))
    this.buf.copy(bigger, 0, 0, this.n)
    this.buf = bigger
  }

  /** starts a row of `fields` values */
  row(fields: number): this {
    this.room(2)
    this.buf.writeInt16BE(fields, this.n)
    this.n += 2
    this.rows++
    return this
  }

  null(): this {
    this.room(4)
    this.buf.writeInt32BE(-1, this.n)
    this.n += 4
    return this
  }

  /** text, varchar and enum labels: their UTF-8 bytes */
  text(s: string | null): this {
    if (s === null) return this.null()
    this.room(4 + s.length * 3)
    const len = this.buf.write(s, this.n + 4, 'utf8')
    this.buf.writeInt32BE(len, this.n)
    this.n += 4 + len
    return this
  }

  /** jsonb: a version byte, then the JSON text */
  jsonb(json: string): this {
    this.room(5 + json.length * 3)
    const len = this.buf.write(json, this.n + 5, 'utf8')
    this.buf.writeInt32BE(len + 1, this.n)
    this.buf[this.n + 4] = 1
    this.n += 5 + len
    return this
  }

  bool(b: boolean): this {
    this.room(5)
    this.buf.writeInt32BE(1, this.n)
    this.buf[this.n + 4] = b ? 1 : 0
    this.n += 5
    return this
  }

  int4(v: number | null): this {
    if (v === null) return this.null()
    if (!Number.isInteger(v)) throw new Error(`not an integer: ${v}`)
    this.room(8)
    this.buf.writeInt32BE(4, this.n)
    this.buf.writeInt32BE(v, this.n + 4)
    this.n += 8
    return this
  }

  uuid(id: string): this {
    this.room(20)
    const buf = this.buf
    buf.writeInt32BE(16, this.n)
    let o = this.n + 4
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i)
      if (c === 45) continue // -
      buf[o++] = (hexValue(c) << 4) | hexValue(id.charCodeAt(++i))
    }
    if (o !== this.n + 20) throw new Error(`not a uuid: ${id}`)
    this.n = o
    return this
  }

  /** timestamptz from epoch milliseconds: microseconds since 2000-01-01 UTC as a 64-bit integer */
  timestamp(ms: number | null): this {
    if (ms === null) return this.null()
    const us = (ms - PG_EPOCH_MS) * 1000
    const hi = Math.floor(us / 2 ** 32)
    this.room(12)
    this.buf.writeInt32BE(8, this.n)
    this.buf.writeInt32BE(hi, this.n + 4)
    this.buf.writeUInt32BE(us - hi * 2 ** 32, this.n + 8)
    this.n += 12
    return this
  }

  /** numeric from a plain decimal string (-12.5): base-10000 digits, weight, sign and display scale */
  numeric(value: string | null): this {
    if (value === null) return this.null()
    const m = PLAIN_DECIMAL.exec(value)
    if (!m) throw new Error(`not a plain decimal: ${value}`)
    const negative = m[1] === '-'
    const whole = (m[2] as string).replace(/^0+/, '')
    const fraction = m[3] ?? ''
    const wholePadded = '0'.repeat((4 - (whole.length % 4)) % 4) + whole
    const fractionPadded = fraction + '0'.repeat((4 - (fraction.length % 4)) % 4)
    const all = wholePadded + fractionPadded
    const groups: number[] = []
    for (let i = 0; i < all.length; i += 4) groups.push(Number(all.slice(i, i + 4)))
    let weight = wholePadded.length / 4 - 1
    let start = 0
    while (start < groups.length && groups[start] === 0) {
      start++
      weight--
    }
    let end = groups.length
    while (end > start && groups[end - 1] === 0) end--
    const digits = end - start
    this.room(12 + 2 * digits)
    const buf = this.buf
    buf.writeInt32BE(8 + 2 * digits, this.n)
    buf.writeInt16BE(digits, this.n + 4)
    buf.writeInt16BE(digits === 0 ? 0 : weight, this.n + 6)
    buf.writeUInt16BE(negative && digits > 0 ? 0x4000 : 0, this.n + 8)
    buf.writeInt16BE(fraction.length, this.n + 10)
    let o = this.n + 12
    for (let i = start; i < end; i++) {
      buf.writeInt16BE(groups[i] as number, o)
      o += 2
    }
    this.n = o
    return this
  }

  /** the rows with their header and trailer (nothing at all for no rows); the writer must not be used after */
  bytes(): Uint8Array {
    if (this.rows === 0) return new Uint8Array(0)
    this.room(2)
    this.buf.writeInt16BE(-1, this.n)
    return this.buf.subarray(0, this.n + 2)
  }
}
