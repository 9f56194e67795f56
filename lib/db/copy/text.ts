// COPY's text format (tab-separated, backslash escapes, \N for null), written straight into bytes.

const SPECIAL = /[\\\t\n\r\0]/
const SPECIAL_ALL = /[\\\t\n\r\0]/g
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '' }

/** one field of COPY's text format: \N for null, backslash escapes for the rest (NUL can't be stored: dropped) */
export function copyField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N'
  if (typeof value !== 'string') return String(value)
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c] ?? '') : value
}

/**
 * COPY text written straight into bytes: no string per row for the garbage collector to trace, and the
 * finished bytes move to another thread without a copy (a transferable buffer).
 */
export class CopyText {
  private buf: Buffer
  private n = 0

  constructor(size = 256 * 1024) {
    this.buf = Buffer.allocUnsafeSlow(size)
  }

  private room(bytes: number) {
    if (this.n + bytes <= this.buf.length) return
    const bigger = Buffer.allocUnsafeSlow(Math.max(this.buf.length * 2, this.n + bytes))
    this.buf.copy(bigger, 0, 0, this.n)
    this.buf = bigger
  }

  /** one row: fields already in COPY form (see copyField), tab-separated and ended by a newline */
  row(...fields: string[]): void {
    let bytes = fields.length
    for (const f of fields) bytes += f.length * 3
    this.room(bytes)
    const buf = this.buf
    let n = this.n
    for (let i = 0; i < fields.length; i++) {
      if (i > 0) buf[n++] = 9
      n += buf.write(fields[i]!, n)
    }
    buf[n++] = 10
    this.n = n
  }

  get length(): number {
    return this.n
  }

  /** the rows written so far; the writer must not be used after */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.n)
  }
}
