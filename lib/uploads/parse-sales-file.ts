// The upload pipeline without database or UI: bytes → text → rows → sale events and row issues.

import type { DecimalSeparator } from '@/lib/money/decimal'
import { type DateOrder, type DayMonthOrder, parseClockTime } from '@/lib/time/parse-date'
import { type CsvRow, CsvTokenizer, type Delimiter } from './csv-tokenizer'
import type { ByteInput } from './decode'
import { UploadFileError } from './errors'
import { EventCollector } from './event-collector'
import { decideFile, type FileDecisions } from './file-decisions'
import { DEFAULT_MAX_LINE, openFile, type ReadOptions } from './file-layout'
import { isOwnLayout, unguardedRow } from './formula-guard'
import { mappingToRead } from './mapping-to-read'
import {
  applyMapping,
  type ColumnMapping,
  type MappingEdit,
  type MappingProposal,
  type PresetId,
  proposeMapping,
} from './presets'
import type { ParsedSaleEvent, RowIssue, StoreInfo } from './types'
import type { UnknownStoreName } from './upload-stores'

export interface ParseProgress {
  phase: 'reading' | 'building'
  bytesRead: number
  rows: number
  events: number
}

export interface ParseSalesFileOptions extends ReadOptions {
  /** the caller's stores by code (the Constructor store_id) */
  stores: Readonly<Record<string, StoreInfo>>
  /** code of the store chosen for the upload; rows without a store column value belong to it */
  defaultStoreCode?: string
  /** normalized codes and names (normalizeStoreName) of stores the uploader may not write */
  otherStoreNames?: readonly string[]
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
  /** store names in the file that no store keeps, first spelling and row count (the preview asks about them) */
  unknownStores: UnknownStoreName[]
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

// Cheap first: most rows differ from the header in their first cell.
function isHeaderAgain(row: CsvRow, header: readonly string[]): boolean {
  if (row.length !== header.length || row.cell(0).trim() !== header[0]) return false
  for (let i = 1; i < header.length; i++) if (row.cell(i).trim() !== header[i]) return false
  return true
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
    const mapped = mappingToRead(f.header, f.sampleRows, options)
    const defaultStoreCode = options.defaultStoreCode
    const defaultTime = options.defaultTime ?? '12:00'
    const defaultTimeMinutes = parseClockTime(defaultTime)
    if (defaultTimeMinutes === null) throw new Error(`defaultTime '${defaultTime}' is not a time like 12:00`)

    // our own export coming back: its formula guards are undone (formula-guard.ts)
    const ownLayout = isOwnLayout(f.header)
    const collector = new EventCollector({
      header: f.header,
      ownLayout,
      mapping: mapped.mapping,
      delimiter: f.delimiter,
      stores: options.stores,
      defaultStoreCode,
      ...(options.otherStoreNames !== undefined && { otherStoreNames: options.otherStoreNames }),
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
      },
      (row) => {
        if (row.rowNumber <= headerRowNumber) return
        if (row.isBlank()) blankRows++
        else if (isHeaderAgain(row, f.header)) repeatedHeaders++
        else collector.addRow(ownLayout ? unguardedRow(row) : row)
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

    const decided = decideFile({
      amounts: collector.amounts,
      dateEvidence: collector.dateEvidence,
      delimiter: f.delimiter,
      locale: options.locale,
      decimalSeparator: options.decimalSeparator,
      dateOrder: options.dateOrder,
      stream,
    })
    const { decimalSeparator, warnings } = decided
    if (f.reader.replacementCharacters > 0)
      warnings.push(
        `${f.reader.replacementCharacters} characters couldn't be read as ${f.reader.encoding} and show as �. Save the file as 'CSV UTF-8', or choose the file's encoding.`,
      )

    for (const e of collector.events(decided)) await hand(e)
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
      dateOrder: decided.dateOrder,
      dayMonthOrder: decided.dayMonthOrder,
      decimalSeparator,
      ordersContiguous: collector.ordersContiguous,
      counts,
      events,
      rowIssues: collector.rowIssues,
      unknownStores: collector.unknownStores,
      warnings,
      bytesRead,
    }
  } finally {
    await f.text.return(undefined)
  }
}
