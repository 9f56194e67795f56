// Streaming CSV (RFC 4180 plus what Excel writes): quoted cells with delimiters, quotes and line
// breaks, CRLF/LF/CR. Cells are positions in the current text until asked for, so unused columns
// never become strings.
import { UploadFileError } from './errors'

export type Delimiter = ',' | ';' | '\t' | '|'
export const DELIMITERS: readonly Delimiter[] = [',', ';', '\t', '|']

/** One record, valid only during the callback that receives it. */
export interface CsvRow {
  /** 1-based as a spreadsheet counts rows: blank lines count, a line break inside quotes doesn't */
  readonly rowNumber: number
  /** number of cells */
  readonly length: number
  /** the cell's text as written (unquoted, not trimmed); '' past the last cell */
  cell(i: number): string
  cells(): string[]
  /** no cell has anything but spaces */
  isBlank(): boolean
}

export interface CsvTokenizerOptions {
  delimiter: Delimiter
  /** records longer than this many characters are an error (a sales row never is) */
  maxRecordLength: number
  /** '\r' only for old Mac files that have no '\n' at all */
  newline?: '\n' | '\r'
}

const QUOTE = 34
const CR = 13
const PLAIN = 0
const ESCAPED = 1
const BUILT = 2

export function lineTooLongError(row: number, limit: number): UploadFileError {
  return new UploadFileError(
    'LINE_TOO_LONG',
    `Row ${row} is longer than ${limit.toLocaleString('en-US')} characters, which a sales row never is. Check that this is the sales export; if a cell really holds that much text, shorten it.`,
    row,
  )
}

export function unclosedQuoteError(row: number): UploadFileError {
  return new UploadFileError(
    'UNCLOSED_QUOTE',
    `Row ${row} opens a quote (") that is never closed, so everything after it would be one cell. Close the quote, or remove it; a quote inside a cell is written twice ("").`,
    row,
  )
}

export class CsvTokenizer implements CsvRow {
  rowNumber = 0
  length = 0
  private buf = ''
  private pos = 0
  private eof = false
  private inQuote = false
  private starts = new Int32Array(64)
  private ends = new Int32Array(64)
  private kinds = new Uint8Array(64)
  private built: string[] = []
  private readonly delimiter: string
  private readonly delimiterCode: number
  private readonly newline: string
  private readonly max: number
  private readonly onRow: (row: CsvRow) => void

  constructor(options: CsvTokenizerOptions, onRow: (row: CsvRow) => void) {
    this.delimiter = options.delimiter
    this.delimiterCode = options.delimiter.charCodeAt(0)
    this.newline = options.newline ?? '\n'
    this.max = options.maxRecordLength
    this.onRow = onRow
  }

  push(text: string): void {
    const nul = text.indexOf('\u0000')
    if (nul !== -1) throw this.binaryAt(text, nul)
    this.buf = this.pos < this.buf.length ? this.buf.slice(this.pos) + text : text
    this.pos = 0
    this.drain()
  }

  end(): void {
    this.eof = true
    this.drain()
    this.buf = ''
    this.pos = 0
  }

  cell(i: number): string {
    if (i >= this.length) return ''
    const kind = this.kinds[i]
    if (kind === PLAIN) return this.buf.slice(this.starts[i], this.ends[i])
    if (kind === ESCAPED) return this.buf.slice(this.starts[i], this.ends[i]).replaceAll('""', '"')
    return this.built[i] ?? ''
  }

  cells(): string[] {
    const out = new Array<string>(this.length)
    for (let i = 0; i < this.length; i++) out[i] = this.cell(i)
    return out
  }

  isBlank(): boolean {
    const buf = this.buf
    for (let i = 0; i < this.length; i++) {
      if (this.kinds[i] === BUILT) {
        if ((this.built[i] ?? '').trim() !== '') return false
        continue
      }
      for (let k = this.starts[i]!; k < this.ends[i]!; k++) {
        const c = buf.charCodeAt(k)
        if (c !== 32 && c !== 9 && c !== CR) return false
      }
    }
    return true
  }

  private binaryAt(text: string, index: number): UploadFileError {
    let row = this.rowNumber + 1
    for (let i = this.pos; i < this.buf.length; i++) if (this.buf.charCodeAt(i) === 10) row++
    for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) row++
    return new UploadFileError(
      'BINARY_FILE',
      `This file contains binary data (first at line ${row}), so it isn't a CSV text file. Upload the CSV export of your sales, not a workbook, image or database file.`,
      row,
    )
  }

  private drain(): void {
    for (;;) {
      const start = this.pos
      if (start >= this.buf.length) return
      const done = this.parseRecord()
      if (!done) {
        if (this.eof) {
          if (this.inQuote) throw unclosedQuoteError(this.rowNumber + 1)
          return
        }
        if (this.buf.length - start > this.max) {
          throw this.inQuote
            ? unclosedQuoteError(this.rowNumber + 1)
            : lineTooLongError(this.rowNumber + 1, this.max)
        }
        return
      }
      this.rowNumber++
      if (this.pos - start > this.max + 2) throw lineTooLongError(this.rowNumber, this.max)
      this.onRow(this)
    }
  }

  private grow(): void {
    const n = this.starts.length * 2
    const starts = new Int32Array(n)
    starts.set(this.starts)
    const ends = new Int32Array(n)
    ends.set(this.ends)
    const kinds = new Uint8Array(n)
    kinds.set(this.kinds)
    this.starts = starts
    this.ends = ends
    this.kinds = kinds
  }

  // Parses the record at this.pos; false when the text so far ends inside it.
  private parseRecord(): boolean {
    const buf = this.buf
    const len = buf.length
    const d = this.delimiter
    const dc = this.delimiterCode
    const nl = this.newline
    const eof = this.eof
    let p = this.pos
    let n = 0
    let lineEnd = buf.indexOf(nl, p)
    this.inQuote = false
    for (;;) {
      if (n === this.starts.length) this.grow()
      if (buf.charCodeAt(p) === QUOTE) {
        let q = p + 1
        let escaped = false
        let close: number
        for (;;) {
          close = buf.indexOf('"', q)
          if (close === -1 || (close + 1 >= len && !eof)) {
            this.inQuote = close === -1
            return false
          }
          if (buf.charCodeAt(close + 1) === QUOTE) {
            escaped = true
            q = close + 2
            continue
          }
          break
        }
        this.starts[n] = p + 1
        this.ends[n] = close
        this.kinds[n] = escaped ? ESCAPED : PLAIN
        p = close + 1
        if (lineEnd !== -1 && lineEnd < p) lineEnd = buf.indexOf(nl, p)
        const c = buf.charCodeAt(p)
        if (c === dc) {
          n++
          p++
          continue
        }
        if (p >= len) {
          n++
          break
        }
        if (buf.startsWith(nl, p)) {
          n++
          p += 1
          break
        }
        if (c === CR && nl === '\n') {
          if (p + 1 >= len && !eof) return false
          if (p + 1 >= len || buf.charCodeAt(p + 1) === 10) {
            n++
            p += 2
            break
          }
        }
        // text after the closing quote ("abc"def): keep it, as spreadsheets do
        if (lineEnd === -1 && !eof) return false
        const stop = lineEnd === -1 ? len : lineEnd
        const dpos = buf.indexOf(d, p)
        const cellEnd = dpos !== -1 && dpos < stop ? dpos : stop
        let tailEnd = cellEnd
        if (tailEnd === stop && tailEnd > p && buf.charCodeAt(tailEnd - 1) === CR) tailEnd--
        const inner = buf.slice(this.starts[n], this.ends[n])
        this.built[n] = (escaped ? inner.replaceAll('""', '"') : inner) + buf.slice(p, tailEnd)
        this.kinds[n] = BUILT
        n++
        p = cellEnd + 1
        if (cellEnd === stop) break
        continue
      }
      if (lineEnd === -1 && !eof) return false
      const stop = lineEnd === -1 ? len : lineEnd
      const dpos = buf.indexOf(d, p)
      if (dpos !== -1 && dpos < stop) {
        this.starts[n] = p
        this.ends[n] = dpos
        this.kinds[n] = PLAIN
        n++
        p = dpos + 1
        continue
      }
      let e = stop
      if (e > p && buf.charCodeAt(e - 1) === CR) e--
      this.starts[n] = p
      this.ends[n] = e
      this.kinds[n] = PLAIN
      n++
      p = stop + 1
      break
    }
    this.length = n
    this.pos = Math.min(p, len)
    return true
  }
}

/** Parses text that is all there is (a sample or a test string) into rows of cells. */
export function parseCsvText(
  text: string,
  delimiter: Delimiter,
  options: { maxRows?: number; complete?: boolean; maxRecordLength?: number; newline?: '\n' | '\r' } = {},
): { rowNumber: number; cells: string[] }[] {
  const rows: { rowNumber: number; cells: string[] }[] = []
  const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY
  const stop = new Error('enough rows')
  const tokenizer = new CsvTokenizer(
    {
      delimiter,
      maxRecordLength: options.maxRecordLength ?? Number.MAX_SAFE_INTEGER,
      newline: options.newline,
    },
    (row) => {
      rows.push({ rowNumber: row.rowNumber, cells: row.cells() })
      if (rows.length >= maxRows) throw stop
    },
  )
  try {
    tokenizer.push(text)
    if (options.complete !== false) tokenizer.end()
  } catch (e) {
    if (e !== stop) throw e
  }
  return rows
}
