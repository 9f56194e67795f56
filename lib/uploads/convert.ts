// Rows → sale events: one event per (store, kind, order number) across the whole file. Amounts and
// dates that read two ways wait for the file's decision, made once every row has been seen.
import { hash } from 'node:crypto'
import {
  AMBIGUOUS_AMOUNT,
  AmountReader,
  absDecimal,
  compareDecimal,
  type DecimalSeparator,
  divideDecimal,
  INVALID_AMOUNT,
  looksNegative,
  sumLineTotals,
} from '@/lib/money/decimal'
import {
  type ColumnHints,
  type EventKind,
  type ReturnType,
  SALE_MESSAGES,
  type SaleIssue,
} from '@/lib/sales/schema'
import { validateSaleEvent } from '@/lib/sales/validate'
import {
  collectDateOrderEvidence,
  type DateOrderEvidence,
  type DayMonthOrder,
  newDateOrderEvidence,
  readDateTime,
} from '@/lib/time/parse-date'
import { isValidTimeZone, resolveTimeZoneName, zonedWallTimeToUtc } from '@/lib/time/zoned'
import { saleEventContentHash } from './content-hash'
import type { CsvRow } from './csv-tokenizer'
import { UploadFileError } from './errors'
import { normalizeHeader, SALES_FIELDS, type SalesField } from './fields'
import { parseKindValue } from './kind'
import { UPLOAD_MESSAGES } from './messages'
import type { ColumnMapping } from './presets'
import type { ParsedLineItem, ParsedSaleEvent, RowIssue, StoreInfo } from './types'

const SMALL_INTEGER = /^[+-]?\d{1,9}$/
const TWELVE_HOURS = 12 * 3_600_000
// beyond this many distinct values a column isn't repetitive enough for pooling to pay
const MAX_POOLED = 200_000

interface ResolvedStore {
  id: string
  code: string
  timeZone: string
  /** its place in the collector's store list (draft columns name a store by it) */
  index: number
  /** this store's drafts (their index) by order number, one map per kind */
  purchases: Map<string, number>
  returns: Map<string, number>
}

interface Deferred {
  line: number
  field: 'unitPrice' | 'quantity' | 'lineTotal'
  raw: string
  row: number
}

// What only some files or orders need, kept off the common path to keep 250k drafts small.
interface DraftExtra {
  /** the first row of this order whose date/time differs from the first one */
  otherDate: { dateRaw: string; timeRaw: string; row: number } | null
  deferred: Deferred[] | null
  issues: SaleIssue[] | null
}

// One event as finish() reads it. While rows are read, drafts live in the collector's draft columns
// (numbers and pooled strings, no object per order); this object is made for one draft at a time.
interface Draft {
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
  /** first and last line (indexes into the collector's line columns) and how many */
  head: number
  tail: number
  count: number
  extra: DraftExtra | null
}

export interface EventCollectorOptions {
  header: readonly string[]
  mapping: ColumnMapping
  delimiter: string
  /** store code → store */
  stores: Readonly<Record<string, StoreInfo>>
  /** code of the store chosen for the upload, used when a row names none */
  defaultStoreCode?: string
  /** minutes after midnight for dates without a time */
  defaultTimeMinutes: number
  now: number
  maxAgeDays?: number
  clockSkewMs?: number
}

export interface FileDecisions {
  decimalSeparator: DecimalSeparator
  dayMonthOrder: DayMonthOrder
}

// Substrings of 13+ characters point into the whole decoded chunk; a copy lets the chunk go.
function detach(s: string): string {
  return s.length < 13 ? s : ` ${s}`.slice(1)
}

function byRowThenField(a: SaleIssue, b: SaleIssue): number {
  return (a.row ?? 0) - (b.row ?? 0) || (a.field < b.field ? -1 : a.field > b.field ? 1 : 0)
}

// Strings stored once and referred to by index: line columns then hold numbers the garbage collector
// doesn't have to trace. -1 stands for null/empty.
class StringTable {
  private readonly values: string[] = []
  private readonly indexes = new Map<string, number>()

  add(s: string | null): number {
    if (s === null || s === '') return -1
    const known = this.indexes.get(s)
    if (known !== undefined) return known
    const i = this.values.length
    const copy = detach(s)
    this.values.push(copy)
    // past this many distinct values a column isn't repetitive: store without the lookup entry
    if (this.indexes.size < MAX_POOLED) this.indexes.set(copy, i)
    return i
  }

  get(i: number): string | null {
    return i < 0 ? null : (this.values[i] ?? null)
  }

  /** whether entry i holds exactly s ('' for -1) */
  is(i: number, s: string): boolean {
    return i < 0 ? s === '' : this.values[i] === s
  }
}

// A growable typed array: 4 or 8 bytes per line item, without a boxed number per slot.
class NumberColumn<T extends Int32Array | Float64Array> {
  length = 0
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}

  push(v: number): void {
    if (this.length === this.data.length) {
      // ×1.5, not ×2: less unused room at the end, and less garbage when the old array is let go
      const bigger = this.make(Math.ceil(this.data.length * 1.5))
      bigger.set(this.data)
      this.data = bigger
    }
    this.data[this.length++] = v
  }
}

const int32Column = () => new NumberColumn(new Int32Array(1024), (n) => new Int32Array(n))
const float64Column = () => new NumberColumn(new Float64Array(1024), (n) => new Float64Array(n))

/**
 * Collects rows into drafts of events. Line items and drafts live in parallel columns (one slot per row,
 * linked per order; one slot per order) rather than as objects: a million line items in 250,000 orders
 * take ≈55 MB of heap and ≈50 MB of typed arrays until the end of the file, against ≈145 MB as objects.
 */
export class EventCollector {
  readonly amounts = new AmountReader()
  readonly dateEvidence: DateOrderEvidence = newDateOrderEvidence()
  rowIssues: RowIssue[] = []
  dataRows = 0
  lineItems = 0

  private readonly o: EventCollectorOptions
  private readonly headerLength: number
  private readonly col: Record<SalesField, number>
  private readonly hints: ColumnHints
  private readonly storeCache = new Map<string, ResolvedStore | null>()
  private readonly storesByLowerCode = new Map<string, ResolvedStore>()
  private readonly knownCodes: string[]
  private readonly defaultStore: ResolvedStore | null
  private readonly kindCache = new Map<string, EventKind | null>()
  private readonly zoneCache = new Map<string, string | null>()
  /** item ids, names, variations and prices, each stored once; line columns hold their index */
  private readonly strings = new StringTable()
  /** the name and variation last seen with each item id: exports repeat them row after row */
  private readonly itemDetails = new Map<string, { id: number; name: number; variation: number }>()
  private readonly generatedSeen = new Map<string, number>()
  private readonly storeList: ResolvedStore[] = []
  /** the order's own text (dates, times, zones, customers, amounts, reasons), each distinct value stored once */
  private readonly orderTexts = new StringTable()
  /** the draft of the previous row, to skip the map lookup while rows of one order follow each other */
  private last = -1
  private lastStore: ResolvedStore | null = null
  private lastKind: EventKind = 'PURCHASE'
  private lastOrderId = ''
  /** order number and store cell of the previous row, whatever became of it */
  private previousOrder = ''
  private previousStore = ''
  private decisions: FileDecisions = { decimalSeparator: '.', dayMonthOrder: 'MDY' }
  /** a row joined an order whose rows had stopped (another order came between) */
  private scattered = false
  /** drafts before this one have been built into events (completedEvents) */
  private emitted = 0

  private readonly lineItemId = int32Column()
  private readonly lineItemName = int32Column()
  private readonly lineVariation = int32Column()
  private readonly linePrice = int32Column()
  /** line totals, kept only when the file has a line total column */
  private readonly lineTotal: NumberColumn<Int32Array> | null
  /** NaN when missing or unreadable */
  private readonly lineQuantity = float64Column()
  private readonly lineRow = int32Column()
  private readonly lineNext = int32Column()

  // drafts of events, one slot per (store, kind, order) in order of first row; text columns hold orderTexts indexes
  private draftCount = 0
  private readonly draftOrderId: string[] = []
  /** store index × 4 + 2 when the order number was generated + 1 for a return */
  private readonly draftKey = int32Column()
  private readonly draftDate = int32Column()
  private readonly draftTime = int32Column()
  private readonly draftDateRow = int32Column()
  private readonly draftZone = int32Column()
  private readonly draftCustomer = int32Column()
  private readonly draftRevenue = int32Column()
  private readonly draftReturnReason = int32Column()
  private readonly draftFinancialStatus = int32Column()
  private readonly draftRefunded = int32Column()
  private readonly draftCancelled = int32Column()
  /** first and last line (indexes into the line columns) and how many */
  private readonly draftHead = int32Column()
  private readonly draftTail = int32Column()
  private readonly draftLines = int32Column()
  private readonly draftExtras = new Map<number, DraftExtra>()
  /** the draft columns a new draft starts with -1 in (no text yet, no line yet) */
  private readonly draftUnset = [
    this.draftDate,
    this.draftTime,
    this.draftZone,
    this.draftCustomer,
    this.draftRevenue,
    this.draftReturnReason,
    this.draftFinancialStatus,
    this.draftRefunded,
    this.draftCancelled,
    this.draftHead,
    this.draftTail,
  ]

  constructor(options: EventCollectorOptions) {
    this.o = options
    this.headerLength = options.header.length
    const col = {} as Record<SalesField, number>
    for (const f of SALES_FIELDS) col[f] = options.mapping[f]?.index ?? -1
    this.col = col
    this.lineTotal = col.lineTotal >= 0 ? int32Column() : null
    const h = (f: SalesField) => options.mapping[f]?.header
    const hints: ColumnHints = {
      orderId: h('orderId'),
      occurredAt: h('occurredAt'),
      customerId: h('customerId'),
      itemId: h('itemId'),
      itemName: h('itemName'),
      variationId: h('variationId'),
      unitPrice: h('unitPrice') ?? h('lineTotal'),
      quantity: h('quantity'),
      revenue: h('revenue'),
      returnReason: h('returnReason'),
    }
    this.hints = {}
    for (const [k, v] of Object.entries(hints)) if (v !== undefined) this.hints[k as keyof ColumnHints] = v
    this.knownCodes = Object.keys(options.stores)
    for (const code of this.knownCodes) {
      const info = options.stores[code]!
      const store: ResolvedStore = {
        id: info.id,
        code,
        timeZone: info.timeZone,
        index: this.storeList.length,
        purchases: new Map(),
        returns: new Map(),
      }
      this.storeList.push(store)
      this.storesByLowerCode.set(code.trim().toLowerCase(), store)
    }
    const d = options.defaultStoreCode
    this.defaultStore = d === undefined ? null : (this.storesByLowerCode.get(d.trim().toLowerCase()) ?? null)
  }

  private cell(row: CsvRow, index: number): string {
    return index < 0 ? '' : row.cell(index).trim()
  }

  /** the cell's trimmed text as an orderTexts index (-1 for empty or no column) */
  private orderText(row: CsvRow, index: number): number {
    return index < 0 ? -1 : this.orderTexts.add(row.cell(index).trim())
  }

  private rowIssue(row: CsvRow, field: string, message: string): void {
    this.rowIssues.push({
      rowNumber: row.rowNumber,
      raw: row.cells().map(detach),
      reasons: [{ field, message }],
    })
  }

  private storeFor(text: string): ResolvedStore | null {
    if (text === '') return this.defaultStore
    let s = this.storeCache.get(text)
    if (s === undefined) {
      s = this.storesByLowerCode.get(text.toLowerCase()) ?? null
      this.storeCache.set(detach(text), s)
    }
    return s
  }

  private kindFor(text: string): EventKind | null {
    let k = this.kindCache.get(text)
    if (k === undefined) {
      k = parseKindValue(text) ?? null
      this.kindCache.set(detach(text), k)
    }
    return k
  }

  private generatedOrderId(row: CsvRow, store: ResolvedStore): string {
    let content = store.code
    for (const c of row.cells()) content += `\u0001${c.trim()}`
    const base = `GEN-${hash('sha256', content, 'hex').slice(0, 16).toUpperCase()}`
    const seen = this.generatedSeen.get(base) ?? 0
    this.generatedSeen.set(base, seen + 1)
    // identical rows are separate sales: the second gets -2, and so on, the same on every upload
    return seen === 0 ? base : `${base}-${seen + 1}`
  }

  private extra(d: number): DraftExtra {
    let x = this.draftExtras.get(d)
    if (x === undefined) {
      x = { otherDate: null, deferred: null, issues: null }
      this.draftExtras.set(d, x)
    }
    return x
  }

  private issue(d: number, field: string, message: string, row: number): void {
    const x = this.extra(d)
    if (x.issues === null) x.issues = []
    x.issues.push({ field, message, row })
  }

  private defer(d: number, line: number, field: Deferred['field'], raw: string, row: number): void {
    const x = this.extra(d)
    if (x.deferred === null) x.deferred = []
    x.deferred.push({ line, field, raw: detach(raw), row })
  }

  /** Takes one data row (not blank, below the header). */
  addRow(row: CsvRow): void {
    this.dataRows++
    const c = this.col
    const r = row.rowNumber
    if (row.length > this.headerLength) {
      for (let i = this.headerLength; i < row.length; i++) {
        if (row.cell(i).trim() !== '') {
          this.rowIssue(
            row,
            'row',
            UPLOAD_MESSAGES.extraCells(row.length, this.headerLength, this.o.delimiter),
          )
          return
        }
      }
    }

    let orderId = this.cell(row, c.orderId)
    let storeText = this.cell(row, c.storeCode)
    // exports like Shopify's fill order-level columns on an order's first row only: its next rows inherit
    if (orderId !== '' && orderId === this.previousOrder) {
      if (storeText === '') storeText = this.previousStore
    } else this.previousOrder = detach(orderId)
    if (storeText !== this.previousStore) this.previousStore = detach(storeText)
    const store = this.storeFor(storeText)
    if (store === null) {
      const column = this.o.mapping.storeCode?.header
      if (storeText === '') this.rowIssue(row, 'storeCode', UPLOAD_MESSAGES.noStore(column))
      else
        this.rowIssue(
          row,
          'storeCode',
          UPLOAD_MESSAGES.unknownStore(storeText, column ?? '', this.knownCodes),
        )
      return
    }

    let hint: EventKind | null = null
    if (c.kind >= 0) {
      const k = this.cell(row, c.kind)
      if (k !== '') {
        hint = this.kindFor(k)
        if (hint === null) {
          this.rowIssue(row, 'kind', UPLOAD_MESSAGES.unknownKind(k, this.o.mapping.kind?.header ?? ''))
          return
        }
      }
    }

    const qtyText = this.cell(row, c.quantity)
    let quantity = Number.NaN
    let qtyDeferred = false
    let qtyIssue: string | null = null
    let negative = false
    if (qtyText !== '') {
      if (SMALL_INTEGER.test(qtyText)) quantity = Number(qtyText)
      else {
        const v = this.amounts.read(qtyText)
        if (v === AMBIGUOUS_AMOUNT) {
          qtyDeferred = true
          negative = looksNegative(qtyText)
        } else if (v === INVALID_AMOUNT || v === null)
          qtyIssue = UPLOAD_MESSAGES.quantityFormat(qtyText, this.o.mapping.quantity?.header ?? '')
        else if (v.indexOf('.') !== -1) qtyIssue = SALE_MESSAGES.quantityNotWhole(qtyText)
        else quantity = Number(v)
      }
      if (quantity < 0) negative = true
    }
    // a negative quantity is a return whatever the kind column says
    const kind: EventKind = hint === 'RETURN' || negative ? 'RETURN' : 'PURCHASE'
    const isReturn = kind === 'RETURN'
    if (quantity < 0) quantity = -quantity

    let generated = false
    if (orderId === '') {
      orderId = this.generatedOrderId(row, store)
      generated = true
    }

    let d = this.last
    if (d === -1 || this.lastStore !== store || this.lastKind !== kind || this.lastOrderId !== orderId) {
      const byOrder = isReturn ? store.returns : store.purchases
      d = byOrder.get(orderId) ?? -1
      if (d !== -1) {
        this.scattered = true
        if (d < this.emitted)
          throw new UploadFileError(
            'FILE_CHANGED',
            `Row ${r} belongs to order ${orderId}, which the check of this file found complete above it. Check the file again before storing it.`,
            r,
          )
      }
      if (d === -1) {
        const id = detach(orderId)
        d = this.newDraft(store.index * 4 + (generated ? 2 : 0) + (isReturn ? 1 : 0), id)
        byOrder.set(id, d)
      }
      this.last = d
      this.lastStore = store
      this.lastKind = kind
      this.lastOrderId = this.draftOrderId[d]!
    }

    if (c.occurredAt >= 0) {
      const texts = this.orderTexts
      if (this.draftDate.data[d] === -1) {
        const dateText = this.cell(row, c.occurredAt)
        if (dateText !== '') {
          this.draftDate.data[d] = texts.add(dateText)
          this.draftTime.data[d] = texts.add(this.cell(row, c.time))
          this.draftDateRow.data[d] = r
          collectDateOrderEvidence(dateText, this.dateEvidence)
        }
      } else if (this.draftExtras.get(d)?.otherDate == null) {
        const dateText = this.cell(row, c.occurredAt)
        const timeText = this.cell(row, c.time)
        if (
          dateText !== '' &&
          (!texts.is(this.draftDate.data[d]!, dateText) || !texts.is(this.draftTime.data[d]!, timeText))
        ) {
          this.extra(d).otherDate = { dateRaw: detach(dateText), timeRaw: detach(timeText), row: r }
          collectDateOrderEvidence(dateText, this.dateEvidence)
        }
      }
    }
    this.orderLevel(d, row)

    const line = this.lineItems++
    const position = this.draftLines.data[d]!
    let unitPrice: string | null = null
    let total: string | null = null
    const priceText = this.cell(row, c.unitPrice)
    if (priceText !== '') {
      const v = this.amounts.read(priceText)
      if (typeof v === 'string') unitPrice = isReturn ? absDecimal(v) : v
      else if (v === AMBIGUOUS_AMOUNT) this.defer(d, line, 'unitPrice', priceText, r)
      else
        this.issue(
          d,
          `lineItems.${position}.unitPrice`,
          SALE_MESSAGES.amountFormat('Price', priceText, this.o.mapping.unitPrice?.header),
          r,
        )
    } else if (c.lineTotal >= 0) {
      const totalText = this.cell(row, c.lineTotal)
      if (totalText !== '') {
        const v = this.amounts.read(totalText)
        if (typeof v === 'string') total = v
        else if (v === AMBIGUOUS_AMOUNT) this.defer(d, line, 'lineTotal', totalText, r)
        else
          this.issue(
            d,
            `lineItems.${position}.unitPrice`,
            SALE_MESSAGES.amountFormat('Line total', totalText, this.o.mapping.lineTotal?.header),
            r,
          )
      }
    }
    if (qtyDeferred) this.defer(d, line, 'quantity', qtyText, r)
    if (qtyIssue !== null) this.issue(d, `lineItems.${position}.quantity`, qtyIssue, r)

    this.pushItem(row)
    this.linePrice.push(this.strings.add(unitPrice))
    this.lineTotal?.push(this.strings.add(total))
    this.lineQuantity.push(quantity)
    this.lineRow.push(r)
    this.lineNext.push(-1)
    if (position === 0) this.draftHead.data[d] = line
    else this.lineNext.data[this.draftTail.data[d]!] = line
    this.draftTail.data[d] = line
    this.draftLines.data[d] = position + 1
  }

  private pushItem(row: CsvRow): void {
    const c = this.col
    const strings = this.strings
    const idText = this.cell(row, c.itemId)
    const nameText = this.cell(row, c.itemName)
    const variationText = this.cell(row, c.variationId)
    if (idText === '') {
      this.lineItemId.push(-1)
      this.lineItemName.push(strings.add(nameText))
      this.lineVariation.push(strings.add(variationText))
      return
    }
    let known = this.itemDetails.get(idText)
    if (known === undefined) {
      known = { id: strings.add(idText), name: strings.add(nameText), variation: strings.add(variationText) }
      if (this.itemDetails.size < MAX_POOLED) this.itemDetails.set(strings.get(known.id)!, known)
    }
    this.lineItemId.push(known.id)
    this.lineItemName.push(strings.is(known.name, nameText) ? known.name : strings.add(nameText))
    this.lineVariation.push(
      strings.is(known.variation, variationText) ? known.variation : strings.add(variationText),
    )
  }

  // Order-level columns: the first non-empty value wins (Shopify fills them on an order's first row only).
  private orderLevel(d: number, row: CsvRow): void {
    const c = this.col
    if (c.timeZone >= 0 && this.draftZone.data[d] === -1)
      this.draftZone.data[d] = this.orderText(row, c.timeZone)
    if (c.customerId >= 0 && this.draftCustomer.data[d] === -1)
      this.draftCustomer.data[d] = this.orderText(row, c.customerId)
    if (c.revenue >= 0 && this.draftRevenue.data[d] === -1) {
      const v = this.cell(row, c.revenue)
      if (v !== '') {
        this.draftRevenue.data[d] = this.orderTexts.add(v)
        this.amounts.read(v)
      }
    }
    if (c.returnReason >= 0 && this.draftReturnReason.data[d] === -1)
      this.draftReturnReason.data[d] = this.orderText(row, c.returnReason)
    if (c.financialStatus >= 0 && this.draftFinancialStatus.data[d] === -1)
      this.draftFinancialStatus.data[d] = this.orderText(row, c.financialStatus)
    if (c.refundedAmount >= 0 && this.draftRefunded.data[d] === -1) {
      const v = this.cell(row, c.refundedAmount)
      if (v !== '') {
        this.draftRefunded.data[d] = this.orderTexts.add(v)
        this.amounts.read(v)
      }
    }
    if (c.cancelledAt >= 0 && this.draftCancelled.data[d] === -1)
      this.draftCancelled.data[d] = this.orderText(row, c.cancelledAt)
  }

  private newDraft(key: number, orderId: string): number {
    const d = this.draftCount++
    this.draftOrderId.push(orderId)
    this.draftKey.push(key)
    for (const column of this.draftUnset) column.push(-1)
    this.draftDateRow.push(0)
    this.draftLines.push(0)
    return d
  }

  /** draft d as one object, for finish() */
  private draftAt(d: number): Draft {
    const key = this.draftKey.data[d]!
    const text = (column: NumberColumn<Int32Array>) => this.orderTexts.get(column.data[d]!) ?? ''
    return {
      kind: key & 1 ? 'RETURN' : 'PURCHASE',
      store: this.storeList[key >> 2]!,
      orderId: this.draftOrderId[d]!,
      orderIdGenerated: (key & 2) !== 0,
      dateRaw: text(this.draftDate),
      timeRaw: text(this.draftTime),
      dateRow: this.draftDateRow.data[d]!,
      tzRaw: text(this.draftZone),
      customerId: this.orderTexts.get(this.draftCustomer.data[d]!),
      revenueRaw: text(this.draftRevenue),
      returnReason: this.orderTexts.get(this.draftReturnReason.data[d]!),
      financialStatus: text(this.draftFinancialStatus),
      refundedRaw: text(this.draftRefunded),
      cancelledRaw: text(this.draftCancelled),
      head: this.draftHead.data[d]!,
      tail: this.draftTail.data[d]!,
      count: this.draftLines.data[d]!,
      extra: this.draftExtras.get(d) ?? null,
    }
  }

  /** true when every order's rows are next to each other in the file (so far) */
  get ordersContiguous(): boolean {
    return !this.scattered
  }

  /**
   * While reading a file known to keep each order's rows together (an earlier read said so, with the same
   * decisions): the events of every order but the last one started, which no later row can join.
   */
  *completedEvents(decisions: FileDecisions): Generator<ParsedSaleEvent> {
    yield* this.eventsBefore(this.draftCount - 1, decisions)
  }

  /** Builds the events not built yet, in the order their first row appeared; call once, after the last row. */
  *events(decisions: FileDecisions): Generator<ParsedSaleEvent> {
    yield* this.eventsBefore(this.draftCount, decisions)
  }

  private *eventsBefore(end: number, decisions: FileDecisions): Generator<ParsedSaleEvent> {
    this.decisions = decisions
    for (let i = this.emitted; i < end; i++) {
      this.emitted = i + 1
      const d = this.draftAt(i)
      this.draftExtras.delete(i)
      const event = this.finish(d)
      yield event
      const refund = this.shopifyRefund(d, event)
      if (refund !== null) yield refund
    }
  }

  private amountAt(raw: string): string | typeof INVALID_AMOUNT | null {
    if (raw === '') return null
    const v = this.amounts.read(raw)
    if (v === AMBIGUOUS_AMOUNT) return this.amounts.resolve(raw, this.decisions.decimalSeparator)
    return v
  }

  private instant(
    dateRaw: string,
    timeRaw: string,
    tzRaw: string,
    store: ResolvedStore,
    issues: SaleIssue[],
    row: number,
    field: SalesField,
  ): Date | null {
    if (dateRaw === '') return null
    const order = this.decisions.dayMonthOrder
    const w = readDateTime(dateRaw, timeRaw, order, this.o.defaultTimeMinutes)
    const column = this.o.mapping[field]?.header ?? ''
    if (typeof w === 'string') {
      const message =
        w === 'unreadable-time'
          ? UPLOAD_MESSAGES.timeUnreadable(
              timeRaw === '' ? dateRaw : timeRaw,
              this.o.mapping.time?.header ?? column,
            )
          : w === 'wrong-order'
            ? UPLOAD_MESSAGES.dateWrongOrder(dateRaw, order, column)
            : w === 'impossible-date'
              ? UPLOAD_MESSAGES.dateImpossible(dateRaw, column)
              : UPLOAD_MESSAGES.dateUnreadable(dateRaw, column)
      issues.push({ field: 'occurredAt', message, row })
      return null
    }
    if (w.offsetMs !== null)
      return new Date(
        Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond) - w.offsetMs,
      )
    let zone = store.timeZone
    if (tzRaw !== '') {
      let z = this.zoneCache.get(tzRaw)
      if (z === undefined) {
        z = resolveTimeZoneName(tzRaw)
        this.zoneCache.set(tzRaw, z)
      }
      if (z === null)
        issues.push({
          field: 'occurredAt',
          message: UPLOAD_MESSAGES.timeZoneUnknown(tzRaw, this.o.mapping.timeZone?.header ?? ''),
          row,
        })
      else zone = z
    }
    if (!isValidTimeZone(zone)) {
      issues.push({
        field: 'occurredAt',
        message: `Store ${store.code} has no valid time zone ('${zone}') — an admin can set it in Settings → Stores`,
        row,
      })
      return null
    }
    const t = zonedWallTimeToUtc(zone, w.year, w.month, w.day, w.hour, w.minute, w.second, w.millisecond)
    return new Date(t.utcMs)
  }

  private finish(d: Draft): ParsedSaleEvent {
    const parseIssues: SaleIssue[] = d.extra?.issues ?? []
    const isReturn = d.kind === 'RETURN'
    const deferred = d.extra?.deferred
    if (deferred != null) {
      const sep = this.decisions.decimalSeparator
      for (const x of deferred) {
        const v = this.amounts.resolve(x.raw, sep)
        if (v === INVALID_AMOUNT) continue
        if (x.field === 'unitPrice')
          this.linePrice.data[x.line] = this.strings.add(isReturn ? absDecimal(v) : v)
        else if (x.field === 'lineTotal') this.lineTotal!.data[x.line] = this.strings.add(v)
        else if (v.indexOf('.') === -1) this.lineQuantity.data[x.line] = Math.abs(Number(v))
        else {
          const position = this.positionOf(d, x.line)
          parseIssues.push({
            field: `lineItems.${position}.quantity`,
            message: SALE_MESSAGES.quantityNotWhole(x.raw),
            row: x.row,
          })
        }
      }
    }

    const role = isReturn ? 'RETURNED' : 'PURCHASED'
    const lineItems: ParsedLineItem[] = new Array(d.count)
    const sourceRows: number[] = new Array(d.count)
    const strings = this.strings
    const totals = this.lineTotal?.data ?? null
    const next = this.lineNext.data
    const quantities = this.lineQuantity.data
    const rows = this.lineRow.data
    for (let line = d.head, k = 0; line !== -1; line = next[line]!, k++) {
      const q = quantities[line]!
      const quantity = Number.isNaN(q) ? null : q
      let unitPrice = strings.get(this.linePrice.data[line]!)
      if (unitPrice === null && totals !== null && quantity !== null && quantity !== 0) {
        const total = strings.get(totals[line]!)
        if (total !== null) unitPrice = divideDecimal(isReturn ? absDecimal(total) : total, quantity, 4)
      }
      lineItems[k] = {
        lineNumber: k + 1,
        role,
        itemId: strings.get(this.lineItemId.data[line]!),
        itemName: strings.get(this.lineItemName.data[line]!),
        variationId: strings.get(this.lineVariation.data[line]!),
        unitPrice,
        quantity,
      }
      sourceRows[k] = rows[line]!
    }

    const firstRow = sourceRows[0] ?? 0
    const occurredAt = this.instant(
      d.dateRaw,
      d.timeRaw,
      d.tzRaw,
      d.store,
      parseIssues,
      d.dateRow || firstRow,
      'occurredAt',
    )
    const other = d.extra?.otherDate
    if (other != null && occurredAt !== null) {
      const otherAt = this.instant(
        other.dateRaw,
        other.timeRaw,
        d.tzRaw,
        d.store,
        [],
        other.row,
        'occurredAt',
      )
      if (otherAt !== null && Math.abs(otherAt.getTime() - occurredAt.getTime()) > TWELVE_HOURS)
        parseIssues.push({
          field: 'occurredAt',
          message: UPLOAD_MESSAGES.orderTimesDiffer(d.orderId, d.dateRow, other.row),
          row: other.row,
        })
    }

    const revenue = this.amountAt(d.revenueRaw)
    if (revenue === INVALID_AMOUNT)
      parseIssues.push({
        field: 'revenue',
        message: SALE_MESSAGES.amountFormat('Revenue', d.revenueRaw, this.o.mapping.revenue?.header),
        row: firstRow,
      })

    const event = this.build(d, sourceRows, {
      kind: d.kind,
      occurredAt,
      revenue: typeof revenue === 'string' ? revenue : null,
      refund: null,
      returnReason: isReturn ? d.returnReason : null,
      returnType: null,
      lineItems,
      parseIssues,
    })
    if (
      d.kind === 'PURCHASE' &&
      d.financialStatus !== '' &&
      normalizeHeader(d.financialStatus) === 'voided'
    ) {
      event.issues.push({ field: 'kind', message: UPLOAD_MESSAGES.shopifyVoided(d.orderId), row: firstRow })
      event.status = 'INVALID'
    }
    return event
  }

  private positionOf(d: Draft, line: number): number {
    let k = 0
    for (let l = d.head; l !== -1 && l !== line; l = this.lineNext.data[l]!) k++
    return k
  }

  // Shopify's orders export has no refund rows: a refunded amount or status on the order stands for a return.
  private shopifyRefund(d: Draft, purchase: ParsedSaleEvent): ParsedSaleEvent | null {
    if (d.kind !== 'PURCHASE' || (d.financialStatus === '' && d.refundedRaw === '')) return null
    const status = normalizeHeader(d.financialStatus)
    const refunded = this.amountAt(d.refundedRaw)
    const refundedAmount = typeof refunded === 'string' ? refunded : null
    const hasAmount = refundedAmount !== null && compareDecimal(refundedAmount, '0') > 0
    if (!hasAmount && status !== 'refunded' && status !== 'partiallyrefunded') return null
    // returns the file lists itself take precedence over one inferred from the order
    if (d.store.returns.has(d.orderId)) return null
    const full =
      status === 'refunded' ||
      (hasAmount && purchase.revenue !== null && compareDecimal(refundedAmount, purchase.revenue) >= 0)
    const parseIssues: SaleIssue[] = []
    const row = purchase.sourceRows[0] ?? 0
    if (refunded === INVALID_AMOUNT)
      parseIssues.push({
        field: 'refund',
        message: SALE_MESSAGES.amountFormat('Refund', d.refundedRaw, this.o.mapping.refundedAmount?.header),
        row,
      })
    // the export has no refund time: the cancellation time when there is one, else the order's time
    const cancelledAt =
      d.cancelledRaw === ''
        ? null
        : this.instant(d.cancelledRaw, '', d.tzRaw, d.store, parseIssues, row, 'cancelledAt')
    let lineItems: ParsedLineItem[] = []
    if (full) lineItems = purchase.lineItems.map((i) => ({ ...i, role: 'RETURNED' as const }))
    else
      parseIssues.push({
        field: 'lineItems',
        message: UPLOAD_MESSAGES.shopifyPartialRefund(refundedAmount, d.orderId),
        row,
      })
    return this.build(d, purchase.sourceRows.slice(), {
      kind: 'RETURN',
      occurredAt: cancelledAt ?? purchase.occurredAt,
      revenue: null,
      refund: refundedAmount,
      returnReason: null,
      returnType: full ? 'FULL' : 'PARTIAL',
      lineItems,
      parseIssues,
    })
  }

  private build(
    d: Draft,
    sourceRows: number[],
    e: {
      kind: EventKind
      occurredAt: Date | null
      revenue: string | null
      refund: string | null
      returnReason: string | null
      returnType: ReturnType | null
      lineItems: ParsedLineItem[]
      parseIssues: SaleIssue[]
    },
  ): ParsedSaleEvent {
    const event: ParsedSaleEvent = {
      kind: e.kind,
      storeId: d.store.id,
      storeCode: d.store.code,
      orderId: d.orderId,
      orderIdGenerated: d.orderIdGenerated,
      occurredAt: e.occurredAt,
      customerId: d.customerId,
      revenue: e.revenue,
      refund: e.refund,
      returnExpenses: null,
      returnShippingCost: null,
      returnReason: e.returnReason,
      returnType: e.returnType,
      returnPreference: null,
      returnDropOff: null,
      lineItems: e.lineItems,
      status: 'READY',
      issues: e.parseIssues,
      sourceRows,
      itemCount: e.lineItems.length,
      itemsTotal: '0',
      contentHash: '',
    }
    const ruleIssues = validateSaleEvent(event, {
      now: this.o.now,
      maxAgeDays: this.o.maxAgeDays,
      clockSkewMs: this.o.clockSkewMs,
      columns: this.hints,
      timeZone: d.store.timeZone,
      itemRows: e.lineItems.length === sourceRows.length ? sourceRows : undefined,
      eventRow: sourceRows[0],
    })
    if (ruleIssues.length > 0) {
      // a cell that couldn't be read already explains why its field is missing
      const explained = new Set(e.parseIssues.map((i) => i.field))
      for (const issue of ruleIssues) if (!explained.has(issue.field)) event.issues.push(issue)
    }
    if (event.issues.length > 0) {
      event.status = 'INVALID'
      event.issues.sort(byRowThenField)
    }
    event.itemsTotal = sumLineTotals(e.lineItems)
    event.contentHash = saleEventContentHash(event)
    return event
  }
}
