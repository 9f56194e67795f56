// Drafts of events while a file is read: one slot per (store, kind, order number) in order of first
// row, kept in parallel columns (numbers and pooled strings, no object per order) until the file's
// decisions are made. Order-level columns are filled from the first row that has a value.
import type { AmountReader } from '@/lib/money/decimal'
import type { EventKind, SaleIssue } from '@/lib/sales/schema'
import { collectDateOrderEvidence, type DateOrderEvidence } from '@/lib/time/parse-date'
import { detach, int32Column, type NumberColumn, StringTable } from './columns'
import { type CsvRow, trimmedCell } from './csv-tokenizer'
import type { SalesField } from './fields'
import type { ResolvedStore } from './upload-stores'

/** An amount that reads two ways until the file's decimal separator is decided. */
export interface Deferred {
  line: number
  field: 'unitPrice' | 'quantity' | 'lineTotal' | 'lineDiscount'
  raw: string
  row: number
}

/** a return's own columns (our template's refund … return_drop_off) */
export const RETURN_FIELDS = [
  'refund',
  'returnExpenses',
  'returnShippingCost',
  'returnType',
  'returnPreference',
  'returnDropOff',
] as const
export type ReturnField = (typeof RETURN_FIELDS)[number]
const RETURN_AMOUNTS: ReadonlySet<ReturnField> = new Set(['refund', 'returnExpenses', 'returnShippingCost'])

/** a cell as written (trimmed) and its file row */
export interface CellText {
  raw: string
  row: number
}

// What only some files or orders need, kept off the common path to keep 250k drafts small.
export interface DraftExtra {
  /** lines of the order whose item cells are all empty, in our own files (the export's row of a sale without items) */
  blankLines: number
  /** the first value of each of a return's own columns the order's rows have */
  returnCells: Partial<Record<ReturnField, CellText>> | null
  /** the first row of this order whose date/time differs from the first one */
  otherDate: { dateRaw: string; timeRaw: string; row: number } | null
  deferred: Deferred[] | null
  issues: SaleIssue[] | null
}

/** One draft as one object, made for one draft at a time when its event is built. */
export interface Draft {
  kind: EventKind
  store: ResolvedStore
  orderId: string
  orderIdGenerated: boolean
  dateRaw: string
  timeRaw: string
  dateRow: number
  tzRaw: string
  customerId: string | null
  revenueRaw: string
  returnReason: string | null
  financialStatus: string
  refundedRaw: string
  cancelledRaw: string
  /** first line (an index into LineItemColumns) and how many */
  head: number
  count: number
  extra: DraftExtra | null
}

export type ColumnIndexes = Readonly<Record<SalesField, number>>

export class OrderDrafts {
  count = 0
  /** the order's own text (dates, times, zones, customers, amounts, reasons), each distinct value stored once */
  private readonly texts = new StringTable()
  private readonly orderId: string[] = []
  /** store index × 4 + 2 when the order number was generated + 1 for a return */
  private readonly key = int32Column()
  private readonly date = int32Column()
  private readonly time = int32Column()
  private readonly dateRow = int32Column()
  private readonly zone = int32Column()
  private readonly customer = int32Column()
  private readonly revenue = int32Column()
  private readonly returnReason = int32Column()
  private readonly financialStatus = int32Column()
  private readonly refunded = int32Column()
  private readonly cancelled = int32Column()
  /** first and last line (indexes into the line columns) and how many */
  private readonly head = int32Column()
  private readonly tail = int32Column()
  private readonly lines = int32Column()
  private readonly extras = new Map<number, DraftExtra>()
  /** the return columns the file has, with their indexes */
  private readonly returnColumns: readonly (readonly [ReturnField, number])[]
  /** the columns a new draft starts with -1 in (no text yet, no line yet) */
  private readonly unset = [
    this.date,
    this.time,
    this.zone,
    this.customer,
    this.revenue,
    this.returnReason,
    this.financialStatus,
    this.refunded,
    this.cancelled,
    this.head,
    this.tail,
  ]

  constructor(
    private readonly col: ColumnIndexes,
    private readonly amounts: AmountReader,
    private readonly dateEvidence: DateOrderEvidence,
  ) {
    this.returnColumns = RETURN_FIELDS.filter((f) => col[f] >= 0).map((f) => [f, col[f]] as const)
  }

  add(store: ResolvedStore, kind: EventKind, orderId: string, generated: boolean): number {
    const d = this.count++
    this.orderId.push(orderId)
    this.key.push(store.index * 4 + (generated ? 2 : 0) + (kind === 'RETURN' ? 1 : 0))
    for (const column of this.unset) column.push(-1)
    this.dateRow.push(0)
    this.lines.push(0)
    return d
  }

  orderIdOf(d: number): string {
    return this.orderId[d]!
  }

  lineCount(d: number): number {
    return this.lines.get(d)
  }

  /** the draft's last line, -1 before its first */
  lastLine(d: number): number {
    return this.tail.get(d)
  }

  appendLine(d: number, line: number): void {
    if (this.lines.get(d) === 0) this.head.set(d, line)
    this.tail.set(d, line)
    this.lines.set(d, this.lines.get(d) + 1)
  }

  /** Takes the draft's date, time and order-level cells from a row of it. */
  fill(d: number, row: CsvRow): void {
    const c = this.col
    if (c.occurredAt >= 0) this.fillDate(d, row)
    // the first non-empty value wins (Shopify fills them on an order's first row only)
    if (c.timeZone >= 0 && this.zone.get(d) === -1) this.zone.set(d, this.text(row, c.timeZone))
    if (c.customerId >= 0 && this.customer.get(d) === -1) this.customer.set(d, this.text(row, c.customerId))
    if (c.revenue >= 0 && this.revenue.get(d) === -1) this.revenue.set(d, this.amount(row, c.revenue))
    if (c.returnReason >= 0 && this.returnReason.get(d) === -1)
      this.returnReason.set(d, this.text(row, c.returnReason))
    if (c.financialStatus >= 0 && this.financialStatus.get(d) === -1)
      this.financialStatus.set(d, this.text(row, c.financialStatus))
    if (c.refundedAmount >= 0 && this.refunded.get(d) === -1)
      this.refunded.set(d, this.amount(row, c.refundedAmount))
    if (c.cancelledAt >= 0 && this.cancelled.get(d) === -1)
      this.cancelled.set(d, this.text(row, c.cancelledAt))
    if (this.returnColumns.length > 0) this.fillReturn(d, row)
  }

  private fillReturn(d: number, row: CsvRow): void {
    for (const [field, index] of this.returnColumns) {
      const v = trimmedCell(row, index)
      if (v === '') continue
      const cells = this.extras.get(d)?.returnCells
      if (cells?.[field] !== undefined) continue
      // an amount's vote counts for the file's decimal separator, as the order total's does
      if (RETURN_AMOUNTS.has(field)) this.amounts.read(v)
      const x = this.extra(d)
      if (x.returnCells === null) x.returnCells = {}
      x.returnCells[field] = { raw: detach(v), row: row.rowNumber }
    }
  }

  private fillDate(d: number, row: CsvRow): void {
    const c = this.col
    const texts = this.texts
    if (this.date.get(d) === -1) {
      const dateText = trimmedCell(row, c.occurredAt)
      if (dateText !== '') {
        this.date.set(d, texts.add(dateText))
        this.time.set(d, texts.add(trimmedCell(row, c.time)))
        this.dateRow.set(d, row.rowNumber)
        collectDateOrderEvidence(dateText, this.dateEvidence)
      }
    } else if (this.extras.get(d)?.otherDate == null) {
      const dateText = trimmedCell(row, c.occurredAt)
      const timeText = trimmedCell(row, c.time)
      if (
        dateText !== '' &&
        (!texts.is(this.date.get(d), dateText) || !texts.is(this.time.get(d), timeText))
      ) {
        this.extra(d).otherDate = { dateRaw: detach(dateText), timeRaw: detach(timeText), row: row.rowNumber }
        collectDateOrderEvidence(dateText, this.dateEvidence)
      }
    }
  }

  /** the cell's trimmed text as a texts index (-1 for empty) */
  private text(row: CsvRow, index: number): number {
    return this.texts.add(row.cell(index).trim())
  }

  // An amount is kept as written; reading it now counts its vote for the file's decimal separator.
  private amount(row: CsvRow, index: number): number {
    const v = trimmedCell(row, index)
    if (v === '') return -1
    this.amounts.read(v)
    return this.texts.add(v)
  }

  private extra(d: number): DraftExtra {
    let x = this.extras.get(d)
    if (x === undefined) {
      x = { blankLines: 0, returnCells: null, otherDate: null, deferred: null, issues: null }
      this.extras.set(d, x)
    }
    return x
  }

  blankLine(d: number): void {
    this.extra(d).blankLines++
  }

  issue(d: number, field: string, message: string, row: number): void {
    const x = this.extra(d)
    if (x.issues === null) x.issues = []
    x.issues.push({ field, message, row })
  }

  defer(d: number, line: number, field: Deferred['field'], raw: string, row: number): void {
    const x = this.extra(d)
    if (x.deferred === null) x.deferred = []
    x.deferred.push({ line, field, raw: detach(raw), row })
  }

  /** Draft d as one object; its extras are handed over and let go. */
  take(d: number, stores: readonly ResolvedStore[]): Draft {
    const key = this.key.get(d)
    const texts = this.texts
    const text = (column: NumberColumn<Int32Array>) => texts.get(column.get(d)) ?? ''
    const extra = this.extras.get(d) ?? null
    this.extras.delete(d)
    return {
      kind: key & 1 ? 'RETURN' : 'PURCHASE',
      store: stores[key >> 2]!,
      orderId: this.orderId[d]!,
      orderIdGenerated: (key & 2) !== 0,
      dateRaw: text(this.date),
      timeRaw: text(this.time),
      dateRow: this.dateRow.get(d),
      tzRaw: text(this.zone),
      customerId: texts.get(this.customer.get(d)),
      revenueRaw: text(this.revenue),
      returnReason: texts.get(this.returnReason.get(d)),
      financialStatus: text(this.financialStatus),
      refundedRaw: text(this.refunded),
      cancelledRaw: text(this.cancelled),
      head: this.head.get(d),
      count: this.lines.get(d),
      extra,
    }
  }
}
