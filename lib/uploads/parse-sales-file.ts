// The upload pipeline without database or UI: bytes → text → rows → sale events and row issues.
import type { DecimalSeparator } from '@/lib/money/decimal'
import { type DateOrder, type DayMonthOrder, decideDateOrder, parseClockTime } from '@/lib/time/parse-date'
import { EventCollector, type FileDecisions } from './convert'
import { type CsvRow, CsvTokenizer, DELIMITERS, type Delimiter, parseCsvText } from './csv-tokenizer'
import { type ByteInput, DecodingReader } from './decode'
import { UploadFileError } from './errors'
import {
  applyMapping,
  type ColumnMapping,
  headerScore,
  type MappingEdit,
  type MappingProposal,
  type MappingResult,
  type PresetId,
  proposeMapping,
} from './presets'
import type { ParsedSaleEvent, RowIssue, StoreInfo } from './types'

/** Rows searched for the header below title lines. */
const HEADER_SEARCH_ROWS = 30
/** A header row must name at least this many fields we know (or match a preset). */
const MIN_HEADER_FIELDS = 3
const DEFAULT_MAX_LINE = 64 * 1024

export interface ParseProgress {
  phase: 'reading' | 'building'
  bytesRead: number
  rows: number
  events: number
}

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

export interface ParseSalesFileOptions extends ReadOptions {
  /** the caller's stores by code (the Constructor store_id) */
  stores: Readonly<Record<string, StoreInfo>>
  /** code of the store chosen for the upload; rows without a store column value belong to it */
  defaultStoreCode?: string
  /** a person's changes to the proposed mapping (header name or index per field; null unmaps) */
  mapping?: MappingEdit
  /** override the file's day/month order */
  dateOrder?: DayMonthOrder
  /** override the file's decimal separator */
  decimalSeparator?: DecimalSeparator
  /** BCP 47 locale of the store (e.g. de-DE): the fallback when dates or amounts read both ways */
  locale?: string
  /** time for dates without one, "HH:MM" in the store's zone (default 12:00) */
  defaultTime?: string
  now?: Date
  maxAgeDays?: number
  clockSkewMs?: number
  onProgress?: (progress: ParseProgress) => void
  /** receives events in chunks once the whole file is read (storage streams them on with COPY) */
  onEvents?: (events: ParsedSaleEvent[]) => void | Promise<void>
  /** events per onEvents call (default 5,000) */
  eventChunkSize?: number
  /**
   * The file's decisions from an earlier read of the same bytes that found every order's rows together
   * (ordersContiguous): events go to onEvents while the file is still being read, each as soon as the next
   * order starts, instead of after the last row. A row joining an order already handed over fails the read.
   */
  streamDecisions?: FileDecisions
  /** also return events in the result; default true without onEvents, false with it */
  keepEvents?: boolean
  /** receives row issues in chunks while reading; then the result's rowIssues stays empty */
  onRowIssues?: (issues: RowIssue[]) => void | Promise<void>
}

export interface ParseCounts {
  /** data rows below the header, blank rows excluded */
  rows: number
  blankRows: number
  /** rows repeating the header (files exported in parts and pasted together), not data */
  repeatedHeaders: number
  lineItems: number
  events: number
  validEvents: number
  invalidEvents: number
  returns: number
  rowIssues: number
}

export interface ParseResult {
  encoding: string
  bom: boolean
  delimiter: Delimiter
  headerRowNumber: number
  header: string[]
  preset: PresetId
  mapping: ColumnMapping
  dateOrder: DateOrder
  /** the day/month order the dates were read with */
  dayMonthOrder: DayMonthOrder
  decimalSeparator: DecimalSeparator
  /** every order's rows are next to each other (exports are written order by order) */
  ordersContiguous: boolean
  counts: ParseCounts
  events: ParsedSaleEvent[]
  rowIssues: RowIssue[]
  /** things the manager should know about the file as a whole (guessed date order, unreadable characters) */
  warnings: string[]
  bytesRead: number
}

export interface FilePreview {
  encoding: string
  bom: boolean
  delimiter: Delimiter
  headerRowNumber: number
  /** false when no row named enough known columns: headerRowNumber is a guess the person should confirm */
  headerRecognized: boolean
  header: string[]
  /** the first data rows below the header, trimmed */
  sampleRows: { rowNumber: number; cells: string[] }[]
  proposal: MappingProposal
}

interface OpenedFile {
  /** false when no row looked like a header and the first full-width row was taken instead */
  headerRecognized: boolean
  reader: DecodingReader
  text: AsyncGenerator<string>
  sample: string
  delimiter: Delimiter
  newline: '\n' | '\r'
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
  newline: '\n' | '\r',
  delimiter: Delimiter,
  headerRowNumber: number | undefined,
): Candidate | null {
  let rows: { rowNumber: number; cells: string[] }[]
  try {
    rows = parseCsvText(sample, delimiter, { maxRows: 200, complete, newline })
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

async function openFile(
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
    const newline = sample.indexOf('\n') === -1 && sample.indexOf('\r') !== -1 ? '\r' : '\n'
    const delimiters = options.delimiter === undefined ? DELIMITERS : [options.delimiter]
    const candidates = delimiters.map((d) => analyse(sample, eof, newline, d, options.headerRowNumber))
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
      // a row too long or a quote never closed also hides the header: report that instead
      const check = new CsvTokenizer(
        { delimiter: best?.delimiter ?? ',', maxRecordLength: maxLine, newline },
        () => {},
      )
      check.push(sample)
      if (eof) check.end()
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
      newline,
      headerRowNumber: headerRow.rowNumber,
      header: headerRow.cells.map((c) => c.trim()),
      sampleRows,
    }
  } catch (e) {
    await text.return(undefined)
    throw e
  }
}

/** Reads only the start of a file: its encoding, delimiter, header and first rows, and a proposed mapping. */
export async function previewSalesFile(
  input: ByteInput,
  options: ReadOptions & { mapping?: MappingEdit } = {},
): Promise<FilePreview> {
  const f = await openFile(input, options, true)
  await f.text.return(undefined)
  const sample = f.sampleRows.map((r) => r.cells)
  const proposal =
    options.mapping === undefined
      ? proposeMapping(f.header, sample)
      : applyMapping(f.header, options.mapping, sample)
  return {
    encoding: f.reader.encoding,
    bom: f.reader.bom,
    delimiter: f.delimiter,
    headerRowNumber: f.headerRowNumber,
    headerRecognized: f.headerRecognized,
    header: f.header,
    sampleRows: f.sampleRows,
    proposal,
  }
}

function localeDateOrder(locale: string | undefined): DayMonthOrder | null {
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

function localeDecimal(locale: string | undefined): DecimalSeparator | null {
  if (locale === undefined) return null
  try {
    const decimal = new Intl.NumberFormat(locale).formatToParts(1.5).find((p) => p.type === 'decimal')?.value
    return decimal === ',' ? ',' : decimal === '.' ? '.' : null
  } catch {
    return null
  }
}

// Cheap first: most rows differ from the header in their first cell.
function isHeaderAgain(row: CsvRow, header: readonly string[]): boolean {
  if (row.length !== header.length || row.cell(0).trim() !== header[0]) return false
  for (let i = 1; i < header.length; i++) if (row.cell(i).trim() !== header[i]) return false
  return true
}

function missingColumnsError(labels: string[]): UploadFileError {
  const list =
    labels.length === 1 ? labels[0] : `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`
  return new UploadFileError(
    'MAPPING_INCOMPLETE',
    `We couldn't find a column for ${list}. Match ${labels.length === 1 ? 'it' : 'them'} to your file's columns in the column mapping step.`,
  )
}

/**
 * Reads a sales file into sale events. Streaming: the file is read once and never held whole; events
 * (compact, grouped by order) are kept until the end because an order's rows may be anywhere in the
 * file and the day/month order and decimal separator are decided from every row. Throws
 * UploadFileError when the file can't be read as sales at all; every readable row becomes part of an
 * event (INVALID when it breaks a rule) or a row issue.
 */
export async function parseSalesFile(input: ByteInput, options: ParseSalesFileOptions): Promise<ParseResult> {
  let bytesRead = 0
  let rowsRead = 0
  const report = (phase: ParseProgress['phase'], events: number) =>
    options.onProgress?.({ phase, bytesRead, rows: rowsRead, events })
  const f = await openFile(input, options, false, (n) => {
    bytesRead = n
  })
  try {
    const sample = f.sampleRows.map((r) => r.cells)
    const mapped: MappingResult =
      options.mapping === undefined
        ? { ...proposeMapping(f.header, sample), errors: [] }
        : applyMapping(f.header, options.mapping, sample)
    if (mapped.errors.length > 0)
      throw new UploadFileError('MAPPING_INCOMPLETE', mapped.errors.map((e) => e.message).join('. '))
    if (mapped.missing.length > 0) throw missingColumnsError(mapped.missing.map((m) => m.label))
    const defaultStoreCode = options.defaultStoreCode
    if (defaultStoreCode !== undefined) {
      const lower = defaultStoreCode.trim().toLowerCase()
      if (!Object.keys(options.stores).some((code) => code.trim().toLowerCase() === lower))
        throw new UploadFileError(
          'STORE_REQUIRED',
          `The store chosen for this upload (${defaultStoreCode}) isn't one of your stores. Choose one of your stores.`,
        )
    } else if (mapped.mapping.storeCode === undefined) {
      throw new UploadFileError(
        'STORE_REQUIRED',
        "Choose the store these sales belong to, or include a store column (such as 'Location') in the file.",
      )
    }
    const defaultTime = options.defaultTime ?? '12:00'
    const defaultTimeMinutes = parseClockTime(defaultTime)
    if (defaultTimeMinutes === null) throw new Error(`defaultTime '${defaultTime}' is not a time like 12:00`)

    const collector = new EventCollector({
      header: f.header,
      mapping: mapped.mapping,
      delimiter: f.delimiter,
      stores: options.stores,
      defaultStoreCode,
      defaultTimeMinutes,
      now: (options.now ?? new Date()).getTime(),
      maxAgeDays: options.maxAgeDays,
      clockSkewMs: options.clockSkewMs,
    })
    let blankRows = 0
    let repeatedHeaders = 0
    const headerRowNumber = f.headerRowNumber
    const tokenizer = new CsvTokenizer(
      {
        delimiter: f.delimiter,
        maxRecordLength: options.maxLineLength ?? DEFAULT_MAX_LINE,
        newline: f.newline,
      },
      (row) => {
        if (row.rowNumber <= headerRowNumber) return
        if (row.isBlank()) blankRows++
        else if (isHeaderAgain(row, f.header)) repeatedHeaders++
        else collector.addRow(row)
      },
    )
    let rowIssueCount = 0
    const flushRowIssues = async (force: boolean) => {
      if (options.onRowIssues === undefined || collector.rowIssues.length === 0) return
      if (!force && collector.rowIssues.length < 1000) return
      const chunk = collector.rowIssues
      collector.rowIssues = []
      rowIssueCount += chunk.length
      await options.onRowIssues(chunk)
    }

    const keep = options.keepEvents ?? options.onEvents === undefined
    const chunkSize = options.eventChunkSize ?? 5_000
    const built = { events: 0, validEvents: 0, invalidEvents: 0, returns: 0 }
    const events: ParsedSaleEvent[] = []
    let chunk: ParsedSaleEvent[] = []
    const hand = async (e: ParsedSaleEvent) => {
      built.events++
      if (e.status === 'READY') built.validEvents++
      else built.invalidEvents++
      if (e.kind === 'RETURN') built.returns++
      if (keep) events.push(e)
      if (options.onEvents !== undefined) {
        chunk.push(e)
        if (chunk.length >= chunkSize) {
          const full = chunk
          chunk = []
          await options.onEvents(full)
          report('building', built.events)
        }
      }
    }
    const stream = options.streamDecisions

    tokenizer.push(f.sample)
    rowsRead = tokenizer.rowNumber
    report('reading', 0)
    for await (const text of f.text) {
      tokenizer.push(text)
      rowsRead = tokenizer.rowNumber
      report('reading', built.events)
      await flushRowIssues(false)
      if (stream) for (const e of collector.completedEvents(stream)) await hand(e)
    }
    tokenizer.end()
    rowsRead = tokenizer.rowNumber
    if (collector.dataRows === 0)
      throw new UploadFileError(
        'NO_DATA_ROWS',
        `The file has column names (row ${headerRowNumber}) but no sales rows below them. Export a period that has sales, or check that this is the right file.`,
        headerRowNumber,
      )
    await flushRowIssues(true)

    const warnings: string[] = []
    const separatorFallback = localeDecimal(options.locale) ?? (f.delimiter === ';' ? ',' : '.')
    const decimalSeparator =
      stream?.decimalSeparator ?? options.decimalSeparator ?? collector.amounts.decide(separatorFallback)
    if (
      options.decimalSeparator === undefined &&
      collector.amounts.ambiguous > 0 &&
      collector.amounts.pointVotes === collector.amounts.commaVotes
    )
      warnings.push(
        `Amounts like 1,234 could mean 1234 or 1.234; we read ${decimalSeparator === ',' ? "',' as the decimal comma" : "'.' as the decimal point"}. If that's wrong, choose the decimal separator and read the file again.`,
      )
    const orderFallback =
      localeDateOrder(options.locale) ?? (f.delimiter === ';' || decimalSeparator === ',' ? 'DMY' : 'MDY')
    const decided = stream
      ? { order: stream.dayMonthOrder, reported: options.dateOrder ?? stream.dayMonthOrder }
      : options.dateOrder === undefined
        ? decideDateOrder(collector.dateEvidence, orderFallback)
        : { order: options.dateOrder, reported: options.dateOrder }
    const ev = collector.dateEvidence
    if (options.dateOrder === undefined && ev.ambiguous > 0 && ev.dmy === ev.mdy && ev.dotted === 0)
      warnings.push(
        `Dates like 03/04/2026 could be read day first or month first; we read them ${decided.order === 'DMY' ? 'day first (DD/MM/YYYY)' : 'month first (MM/DD/YYYY)'}. If that's wrong, choose the date order and read the file again.`,
      )
    if (f.reader.replacementCharacters > 0)
      warnings.push(
        `${f.reader.replacementCharacters} characters couldn't be read as ${f.reader.encoding} and show as �. Save the file as 'CSV UTF-8', or choose the file's encoding.`,
      )

    for (const e of collector.events({ decimalSeparator, dayMonthOrder: decided.order })) await hand(e)
    if (options.onEvents !== undefined && chunk.length > 0) await options.onEvents(chunk)
    report('building', built.events)
    const counts: ParseCounts = {
      rows: collector.dataRows,
      blankRows,
      repeatedHeaders,
      lineItems: collector.lineItems,
      ...built,
      rowIssues: 0,
    }
    counts.rowIssues = rowIssueCount + collector.rowIssues.length

    return {
      encoding: f.reader.encoding,
      bom: f.reader.bom,
      delimiter: f.delimiter,
      headerRowNumber,
      header: f.header,
      preset: mapped.preset,
      mapping: mapped.mapping,
      dateOrder: decided.reported,
      dayMonthOrder: decided.order,
      decimalSeparator,
      ordersContiguous: collector.ordersContiguous,
      counts,
      events,
      rowIssues: collector.rowIssues,
      warnings,
      bytesRead,
    }
  } finally {
    await f.text.return(undefined)
  }
}
