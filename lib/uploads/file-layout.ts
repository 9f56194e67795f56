// The start of a file tells its layout: encoding, delimiter and the header row (below any
// title lines), or why it isn't a sales table at all.
import { CsvTokenizer, DELIMITERS, type Delimiter, parseCsvText } from './csv-tokenizer'
import { type ByteInput, DecodingReader } from './decode'
import { UploadFileError } from './errors'
import { headerScore } from './presets'

/** Rows searched for the header below title lines. */
const HEADER_SEARCH_ROWS = 30
/** A header row must name at least this many fields we know (or match a preset). */
const MIN_HEADER_FIELDS = 3
export const DEFAULT_MAX_LINE = 64 * 1024

export interface ReadOptions {
  /** read the file in this encoding instead of detecting it */
  encoding?: string
  /** use this delimiter instead of detecting it */
  delimiter?: Delimiter
  /** the header's row number (1-based, as a spreadsheet counts) instead of detecting it */
  headerRowNumber?: number
  /** longest row accepted, in characters (default 64 KiB) */
  maxLineLength?: number
}

export interface OpenedFile {
  /** false when no row looked like a header and the first full-width row was taken instead */
  headerRecognized: boolean
  reader: DecodingReader
  /** the text after the sample */
  text: AsyncGenerator<string>
  sample: string
  delimiter: Delimiter
  headerRowNumber: number
  header: string[]
  sampleRows: { rowNumber: number; cells: string[] }[]
}

interface Candidate {
  delimiter: Delimiter
  headerIndex: number
  headerFields: number
  /** rows with the most common number of cells (more than one) */
  consistency: number
  width: number
  /** at least two rows, and half of all, share a number of cells above one */
  tableLike: boolean
  rows: { rowNumber: number; cells: string[] }[]
}

function analyse(
  sample: string,
  complete: boolean,
  delimiter: Delimiter,
  headerRowNumber: number | undefined,
): Candidate | null {
  let rows: { rowNumber: number; cells: string[] }[]
  try {
    rows = parseCsvText(sample, delimiter, { maxRows: 200, complete })
  } catch {
    return null
  }
  const nonBlank = rows.filter((r) => r.cells.some((c) => c.trim() !== ''))
  const widths = new Map<number, number>()
  for (const r of nonBlank) widths.set(r.cells.length, (widths.get(r.cells.length) ?? 0) + 1)
  let width = 0
  let consistency = 0
  for (const [w, n] of widths) {
    if (w > 1 && (n > consistency || (n === consistency && w > width))) {
      width = w
      consistency = n
    }
  }
  let headerIndex = -1
  let headerFields = 0
  if (headerRowNumber !== undefined) {
    headerIndex = rows.findIndex((r) => r.rowNumber === headerRowNumber)
    if (headerIndex !== -1) headerFields = headerScore(rows[headerIndex]!.cells)
  } else {
    for (const r of nonBlank.slice(0, HEADER_SEARCH_ROWS)) {
      const score = headerScore(r.cells)
      if (score >= MIN_HEADER_FIELDS) {
        headerIndex = rows.indexOf(r)
        headerFields = score
        break
      }
    }
  }
  const tableLike = width > 1 && consistency >= 2 && consistency * 2 >= nonBlank.length
  return { delimiter, headerIndex, headerFields, consistency, width, tableLike, rows }
}

function better(a: Candidate, b: Candidate | null): boolean {
  if (b === null) return true
  const ah = a.headerIndex === -1 ? 0 : a.headerFields
  const bh = b.headerIndex === -1 ? 0 : b.headerFields
  if (ah !== bh) return ah > bh
  if (a.consistency !== b.consistency) return a.consistency > b.consistency
  return a.width > b.width
}

function notATableError(sample: string, candidates: (Candidate | null)[]): UploadFileError {
  const start = sample.trimStart()
  if (start.startsWith('{') || start.startsWith('['))
    return new UploadFileError(
      'NOT_CSV',
      'This file looks like JSON data, not a CSV table. Export the sales as CSV from your till or spreadsheet and upload that file.',
    )
  if (start.startsWith('<'))
    return new UploadFileError(
      'NOT_CSV',
      'This file looks like XML or a web page, not a CSV table. Export the sales as CSV from your till or spreadsheet and upload that file.',
    )
  if (candidates.every((c) => c === null || !c.tableLike))
    return new UploadFileError(
      'NOT_CSV',
      "This file is text, not a table: its rows don't share columns. Upload the CSV export with one row per item sold and columns such as order number, date, item, quantity and price.",
    )
  return new UploadFileError(
    'NO_HEADER',
    `We couldn't find the row with the column names in the first ${HEADER_SEARCH_ROWS} rows. Add a header row naming the columns (for example Order ID, Date, SKU, Quantity, Price), or start from our template.`,
  )
}

/**
 * Opens a file and reads its start for the layout. With `guessHeader`, a table without a recognisable
 * header gets its first full-width row as the header (headerRecognized: false), for a person to map.
 */
export async function openFile(
  input: ByteInput,
  options: ReadOptions,
  guessHeader: boolean,
  onBytes?: (n: number) => void,
): Promise<OpenedFile> {
  const reader = new DecodingReader(input, { encoding: options.encoding, onBytes })
  const text = reader.text()
  const maxLine = options.maxLineLength ?? DEFAULT_MAX_LINE
  try {
    // enough text to see the header and to tell a too-long first row from a short file
    const sampleTarget = Math.max(128 * 1024, maxLine + 2)
    let sample = ''
    let eof = false
    while (sample.length < sampleTarget) {
      const next = await text.next()
      if (next.done) {
        eof = true
        break
      }
      sample += next.value
    }
    if (sample.trim() === '' && eof)
      throw new UploadFileError(
        'EMPTY_FILE',
        'The file has no rows, only blank lines. Export the sales from your till again and upload that file.',
      )
    const delimiters = options.delimiter === undefined ? DELIMITERS : [options.delimiter]
    const candidates = delimiters.map((d) => analyse(sample, eof, d, options.headerRowNumber))
    let best: Candidate | null = null
    for (const c of candidates) if (c !== null && better(c, best)) best = c
    let headerRecognized = best !== null && best.headerIndex !== -1
    if (
      best !== null &&
      !headerRecognized &&
      guessHeader &&
      best.tableLike &&
      options.headerRowNumber === undefined
    ) {
      // let a person map an unfamiliar layout: the first row as wide as the table stands in for the header
      const width = best.width
      best.headerIndex = best.rows.findIndex(
        (r) => r.cells.length === width && r.cells.some((c) => c.trim() !== ''),
      )
    }
    if (best === null || best.headerIndex === -1) {
      // a row too long or a quote never closed also hides the header: report that instead, also when the
      // quote left no rows to tell the delimiter by
      for (const delimiter of new Set([best?.delimiter ?? ',', ...delimiters])) {
        const check = new CsvTokenizer({ delimiter, maxRecordLength: maxLine }, () => {})
        check.push(sample)
        if (eof) check.end()
      }
      if (options.headerRowNumber !== undefined)
        throw new UploadFileError(
          'NO_HEADER',
          `Row ${options.headerRowNumber} isn't in the first part of the file — choose a header row nearer the top.`,
          options.headerRowNumber,
        )
      throw notATableError(sample, candidates)
    }
    const headerRow = best.rows[best.headerIndex]!
    const sampleRows = best.rows
      .slice(best.headerIndex + 1)
      .filter((r) => r.cells.some((c) => c.trim() !== ''))
      .slice(0, 20)
      .map((r) => ({ rowNumber: r.rowNumber, cells: r.cells.map((c) => c.trim()) }))
    headerRecognized = headerRecognized || options.headerRowNumber !== undefined
    return {
      headerRecognized,
      reader,
      text,
      sample,
      delimiter: best.delimiter,
      headerRowNumber: headerRow.rowNumber,
      header: headerRow.cells.map((c) => c.trim()),
      sampleRows,
    }
  } catch (e) {
    await text.return(undefined)
    throw e
  }
}
