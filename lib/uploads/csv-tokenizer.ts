// Streaming CSV with papaparse. Its parser is fed text as it is decoded, the way papaparse's own
// streamers feed it (each chunk joined to the unfinished record before it), because the upload
// pipeline awaits storage between chunks. Around it: row numbers, a length limit per record, refusal
// of binary text, line ends of any kind, and Excel's reading of a quoted cell followed by more text ("abc"def).
import Papa from 'papaparse'
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

/** the cell's text without surrounding spaces; '' for a column the file doesn't have (-1) */
export function trimmedCell(row: CsvRow, index: number): string {
  return index < 0 ? '' : row.cell(index).trim()
}

export interface CsvTokenizerOptions {
  delimiter: Delimiter
  /** records longer than this many characters are an error (a sales row never is) */
  maxRecordLength: number
}

const QUOTE = 34
const CR = 13
const LF = 10
// a CR not followed by LF: old Mac files end lines so, and files pasted together mix it with LF and CRLF
const LONE_CR = /\r(?!\n)/g
const BLANK_CELL = /^[ \t\r]*$/
// Thrown from papaparse's step callback to stop it at a record whose quotes it read differently.
const MALFORMED_QUOTE = new Error('malformed quote')

function lineTooLongError(row: number, limit: number): UploadFileError {
  return new UploadFileError(
    'LINE_TOO_LONG',
    `Row ${row} is longer than ${limit.toLocaleString('en-US')} characters, which a sales row never is. Check that this is the sales export; if a cell really holds that much text, shorten it.`,
    row,
  )
}

function unclosedQuoteError(row: number): UploadFileError {
  return new UploadFileError(
    'UNCLOSED_QUOTE',
    `Row ${row} opens a quote (") that is never closed, so everything after it would be one cell. Close the quote, or remove it; a quote inside a cell is written twice ("").`,
    row,
  )
}

export class CsvTokenizer implements CsvRow {
  rowNumber = 0
  private row: string[] = []
  /** text after the last complete record */
  private pending = ''
  /** the last chunk ended in CR: a line end of its own unless the next chunk starts with LF */
  private carriedCR = false
  private eof = false
  /** where the record being read starts in the text given to papaparse */
  private recordStart = 0
  /** characters the rewrites of quoted cells added to the record being read */
  private rewriteGrowth = 0
  /** where the content of a quoted cell followed by more text starts, once papaparse reports one */
  private malformedAt = -1
  private readonly parser: Papa.Parser
  private readonly delimiter: string
  private readonly max: number
  private readonly onRow: (row: CsvRow) => void

  constructor(options: CsvTokenizerOptions, onRow: (row: CsvRow) => void) {
    this.delimiter = options.delimiter
    this.max = options.maxRecordLength
    this.onRow = onRow
    this.parser = new Papa.Parser({
      delimiter: this.delimiter,
      newline: '\n',
      step: (result: Papa.ParseStepResult<string[][]>) => this.record(result),
    })
  }

  get length(): number {
    return this.row.length
  }

  push(chunk: string): void {
    const text = this.lineEnds(chunk)
    const nul = text.indexOf('\u0000')
    if (nul !== -1) throw this.binaryAt(text, nul)
    this.pending += text
    this.parsePending()
  }

  end(): void {
    this.eof = true
    if (this.carriedCR) this.pending += '\n'
    this.carriedCR = false
    this.parsePending()
    this.pending = ''
  }

  cell(i: number): string {
    return this.row[i] ?? ''
  }

  cells(): string[] {
    return this.row
  }

  isBlank(): boolean {
    for (const cell of this.row) if (!BLANK_CELL.test(cell)) return false
    return true
  }

  /** the chunk with each lone CR made a LF (papaparse reads one kind of line end per file) */
  private lineEnds(chunk: string): string {
    let text = this.carriedCR ? `\r${chunk}` : chunk
    this.carriedCR = text.charCodeAt(text.length - 1) === CR
    if (this.carriedCR) text = text.slice(0, -1)
    // looked for first: a Windows file has a CR on every line and none alone, and replace would copy each chunk
    for (let cr = text.indexOf('\r'); cr !== -1; cr = text.indexOf('\r', cr + 2))
      if (text.charCodeAt(cr + 1) !== LF) return text.replace(LONE_CR, '\n')
    return text
  }

  private binaryAt(text: string, index: number): UploadFileError {
    let row = this.rowNumber + 1
    for (let i = 0; i < this.pending.length; i++) if (this.pending.charCodeAt(i) === 10) row++
    for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) row++
    return new UploadFileError(
      'BINARY_FILE',
      `This file contains binary data (first at line ${row}), so it isn't a CSV text file. Upload the CSV export of your sales, not a workbook, image or database file.`,
      row,
    )
  }

  private parsePending(): void {
    for (;;) {
      const text = this.pending
      if (text === '') return
      this.recordStart = 0
      this.malformedAt = -1
      try {
        const result: Papa.ParseResult<string[]> = this.parser.parse(text, 0, !this.eof)
        // papaparse keeps the errors of the unfinished last record it leaves for the next chunk
        const malformed = result.errors.find((e) => e.code === 'InvalidQuotes')
        if (malformed !== undefined) this.malformedAt = malformed.index ?? -1
      } catch (e) {
        if (e !== MALFORMED_QUOTE) throw e
      }
      if (this.malformedAt !== -1) {
        const repaired = this.joinQuotedTail(text)
        if (repaired !== null) {
          this.rewriteGrowth += repaired.length - (text.length - this.recordStart)
          this.pending = repaired
          continue
        }
      }
      this.pending = text.slice(this.recordStart)
      if (this.pending.length - this.rewriteGrowth > this.max) {
        throw this.opensQuote(this.pending)
          ? unclosedQuoteError(this.rowNumber + 1)
          : lineTooLongError(this.rowNumber + 1, this.max)
      }
      return
    }
  }

  // The parser itself (not Papa.parse's wrapper) hands each record as data: [cells].
  private record(result: Papa.ParseStepResult<string[][]>): void {
    // at the end of the text papaparse reads the nothing after a final line break as one more record
    // (this.pending is the text being parsed until parsePending moves on)
    if (this.eof && this.recordStart === this.pending.length) return
    for (const error of result.errors) {
      if (error.code === 'InvalidQuotes') {
        this.malformedAt = error.index ?? -1
        throw MALFORMED_QUOTE
      }
    }
    if (result.errors.some((e) => e.code === 'MissingQuotes')) throw unclosedQuoteError(this.rowNumber + 1)
    const end = result.meta.cursor
    this.rowNumber++
    if (end - this.recordStart - this.rewriteGrowth > this.max + 2)
      throw lineTooLongError(this.rowNumber, this.max)
    this.recordStart = end
    this.rewriteGrowth = 0
    const row = result.data[0]!
    const last = row.length - 1
    // Windows line ends: papaparse splits at '\n', so an unquoted last cell keeps the '\r'
    if (row[last]!.charCodeAt(row[last]!.length - 1) === CR) row[last] = row[last]!.slice(0, -1)
    this.row = row
    this.onRow(this)
  }

  /**
   * Spreadsheets read `"abc"def` as the cell `abcdef`; papaparse reads a closing quote followed by
   * anything but a delimiter or line end as part of the cell. Rewrites the record to `"abcdef"` and
   * returns the text from the record's start, or null while the record's line isn't all there yet.
   */
  private joinQuotedTail(text: string): string | null {
    let close = text.indexOf('"', this.malformedAt)
    while (close !== -1 && text.charCodeAt(close + 1) === QUOTE) close = text.indexOf('"', close + 2)
    if (close === -1) return null
    const lineEnd = text.indexOf('\n', close + 1)
    if (lineEnd === -1 && !this.eof) return null
    const stop = lineEnd === -1 ? text.length : lineEnd
    const delimiter = text.indexOf(this.delimiter, close + 1)
    let tailEnd = delimiter !== -1 && delimiter < stop ? delimiter : stop
    if (tailEnd === stop && tailEnd > close + 1 && text.charCodeAt(tailEnd - 1) === CR) tailEnd--
    const head = text.slice(this.recordStart, close)
    // only the CR of a CRLF can follow the quote here: it belongs to the line end, not to the cell
    if (tailEnd === close + 1) return `${head}"${text.slice(close + 2)}`
    const tail = text.slice(close + 1, tailEnd).replaceAll('"', '""')
    return `${head}${tail}"${text.slice(tailEnd)}`
  }

  private opensQuote(record: string): boolean {
    const check = new Papa.Parser({ delimiter: this.delimiter, newline: '\n' })
    const result: Papa.ParseResult<string[]> = check.parse(record, 0, false)
    // a quote closed with text after it ("abc"def) is closed, however papaparse reads on
    const codes = new Set(result.errors.map((e) => e.code))
    return codes.has('MissingQuotes') && !codes.has('InvalidQuotes')
  }
}

/** Parses text that is all there is (a sample or a test string) into rows of cells. */
export function parseCsvText(
  text: string,
  delimiter: Delimiter,
  options: { maxRows?: number; complete?: boolean; maxRecordLength?: number } = {},
): { rowNumber: number; cells: string[] }[] {
  const rows: { rowNumber: number; cells: string[] }[] = []
  const maxRows = options.maxRows ?? Number.POSITIVE_INFINITY
  const stop = new Error('enough rows')
  const tokenizer = new CsvTokenizer(
    {
      delimiter,
      maxRecordLength: options.maxRecordLength ?? Number.MAX_SAFE_INTEGER,
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
