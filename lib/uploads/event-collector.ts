// Rows → drafts of sale events: one event per (store, kind, order number) across the whole file.
// Amounts and dates that read two ways wait for the file's decision, made once every row has been seen.
import { hash } from 'node:crypto'
import { AMBIGUOUS_AMOUNT, AmountReader, absDecimal, looksNegative } from '@/lib/money/decimal'
import { readQuantityCell } from '@/lib/sales/read-values'
import { type EventKind, type LineItemRole, SALE_MESSAGES } from '@/lib/sales/schema'
import { type DateOrderEvidence, newDateOrderEvidence } from '@/lib/time/parse-date'
import { EventBuilder } from './build-event'
import { detach } from './columns'
import { type CsvRow, trimmedCell } from './csv-tokenizer'
import { UploadFileError } from './errors'
import { SALES_FIELDS, type SalesField } from './fields'
import type { FileDecisions } from './file-decisions'
import { parseItemRole, parseKindValue } from './kind'
import { LineItemColumns } from './line-items'
import { UPLOAD_MESSAGES } from './messages'
import { type ColumnIndexes, OrderDrafts } from './order-drafts'
import type { ColumnMapping } from './presets'
import type { ParsedSaleEvent, RowIssue, StoreInfo } from './types'
import { type ResolvedStore, type UnknownStoreName, UploadStores } from './upload-stores'

const VOIDED_WORDS = new Set(['true', 'yes', 'y', '1', 'voided', 'void', 'ja', 'storniert'])
const NOT_VOIDED_WORDS = new Set(['false', 'no', 'n', '0', 'nein'])

export interface EventCollectorOptions {
  header: readonly string[]
  /** the file is our own layout (formula-guard.ts): a sale of one row without any item cell is a sale without items */
  ownLayout?: boolean
  mapping: ColumnMapping
  delimiter: string
  /** store code → store */
  stores: Readonly<Record<string, StoreInfo>>
  /** code of the store chosen for the upload, used when a row names none */
  defaultStoreCode?: string
  /** normalized codes and names of stores the uploader may not write (their rows say so) */
  otherStoreNames?: readonly string[]
  /** minutes after midnight for dates without a time */
  defaultTimeMinutes: number
  now: number
  maxAgeDays?: number
  clockSkewMs?: number
}

/**
 * Collects rows into drafts of events. Line items and drafts live in parallel columns (one slot per row,
 * linked per order; one slot per order) rather than as objects, until the end of the file.
 */
export class EventCollector {
  readonly amounts = new AmountReader()
  readonly dateEvidence: DateOrderEvidence = newDateOrderEvidence()
  rowIssues: RowIssue[] = []
  dataRows = 0

  private readonly o: EventCollectorOptions
  private readonly headerLength: number
  private readonly col: ColumnIndexes
  private readonly stores: UploadStores
  private readonly lines: LineItemColumns
  private readonly drafts: OrderDrafts
  private readonly builder: EventBuilder
  private readonly kindCache = new Map<string, EventKind | null>()
  private readonly generatedSeen = new Map<string, number>()
  /** the draft of the previous row, to skip the map lookup while rows of one order follow each other */
  private last = -1
  private lastStore: ResolvedStore | null = null
  private lastKind: EventKind = 'PURCHASE'
  private lastOrderId = ''
  /** order number and store cell of the previous row, whatever became of it */
  private previousOrder = ''
  private previousStore = ''
  /** a row joined an order whose rows had stopped (another order came between) */
  private scattered = false
  /** drafts before this one have been built into events (completedEvents) */
  private emitted = 0

  constructor(options: EventCollectorOptions) {
    this.o = options
    this.headerLength = options.header.length
    const col = {} as Record<SalesField, number>
    for (const f of SALES_FIELDS) col[f] = options.mapping[f]?.index ?? -1
    this.col = col
    this.stores = new UploadStores(options.stores, options.defaultStoreCode, options.otherStoreNames)
    this.lines = new LineItemColumns(col.lineTotal >= 0, col.lineDiscount >= 0, col.itemRole >= 0)
    this.drafts = new OrderDrafts(col, this.amounts, this.dateEvidence)
    this.builder = new EventBuilder(options, this.amounts, this.lines)
  }

  /** store names of the file that no store keeps, with their row counts */
  get unknownStores(): UnknownStoreName[] {
    return this.stores.unknownNames
  }

  get lineItems(): number {
    return this.lines.count
  }

  /** true when every order's rows are next to each other in the file (so far) */
  get ordersContiguous(): boolean {
    return !this.scattered
  }

  private rowIssue(row: CsvRow, field: string, message: string): void {
    this.rowIssues.push({
      rowNumber: row.rowNumber,
      raw: row.cells().map(detach),
      reasons: [{ field, message }],
    })
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

  /** true (after recording why) when the row's voided cell says the line wasn't sold, or can't be read */
  private isVoided(row: CsvRow): boolean {
    const text = trimmedCell(row, this.col.voided)
    if (text === '') return false
    const word = text.toLowerCase()
    if (NOT_VOIDED_WORDS.has(word)) return false
    const column = this.o.mapping.voided?.header ?? ''
    this.rowIssue(
      row,
      'voided',
      VOIDED_WORDS.has(word) ? UPLOAD_MESSAGES.voidedLine(column) : UPLOAD_MESSAGES.voidedValue(text, column),
    )
    return true
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

    let orderId = trimmedCell(row, c.orderId)
    let storeText = trimmedCell(row, c.storeCode)
    // exports like Shopify's fill order-level columns on an order's first row only: its next rows inherit
    if (orderId !== '' && orderId === this.previousOrder) {
      if (storeText === '') storeText = this.previousStore
    } else this.previousOrder = detach(orderId)
    if (storeText !== this.previousStore) this.previousStore = detach(storeText)
    if (c.voided >= 0 && this.isVoided(row)) return
    const store = this.stores.forCell(storeText)
    if (store === null || store === 'other') {
      const column = this.o.mapping.storeCode?.header
      if (storeText === '') this.rowIssue(row, 'storeCode', UPLOAD_MESSAGES.noStore(column))
      else if (store === 'other')
        this.rowIssue(row, 'storeCode', UPLOAD_MESSAGES.otherStore(storeText, column ?? ''))
      else
        this.rowIssue(
          row,
          'storeCode',
          UPLOAD_MESSAGES.unknownStore(storeText, column ?? '', this.stores.knownCodes),
        )
      return
    }

    let hint: EventKind | null = null
    if (c.kind >= 0) {
      const k = trimmedCell(row, c.kind)
      if (k !== '') {
        hint = this.kindFor(k)
        if (hint === null) {
          this.rowIssue(row, 'kind', UPLOAD_MESSAGES.unknownKind(k, this.o.mapping.kind?.header ?? ''))
          return
        }
      }
    }

    const qtyText = trimmedCell(row, c.quantity)
    let quantity = Number.NaN
    let qtyDeferred = false
    let qtyIssue: string | null = null
    let negative = false
    if (qtyText !== '') {
      // the reader hand entry and the sale editor use; "1,000" waits for the file's decimal separator
      const q = readQuantityCell(qtyText, this.amounts)
      if (q === 'ambiguous') {
        qtyDeferred = true
        negative = looksNegative(qtyText)
      } else if (q === 'invalid')
        qtyIssue = UPLOAD_MESSAGES.quantityFormat(qtyText, this.o.mapping.quantity?.header ?? '')
      else if (q === 'not-whole') qtyIssue = SALE_MESSAGES.quantityNotWhole(qtyText)
      else if (q !== null) quantity = q
      if (quantity < 0) negative = true
    }
    // our template's item role: a kept or cross-sold item belongs to a return
    const roleText = c.itemRole >= 0 ? trimmedCell(row, c.itemRole) : ''
    const role: LineItemRole | null = roleText === '' ? null : (parseItemRole(roleText) ?? null)
    // a negative quantity is a return whatever the kind column says
    const kind: EventKind =
      hint === 'RETURN' || negative || (hint === null && role !== null && role !== 'PURCHASED')
        ? 'RETURN'
        : 'PURCHASE'
    const isReturn = kind === 'RETURN'
    if (quantity < 0) quantity = -quantity

    let generated = false
    if (orderId === '') {
      orderId = this.generatedOrderId(row, store)
      generated = true
    }
    const d = this.draftFor(store, kind, orderId, generated, r)
    this.drafts.fill(d, row)

    const drafts = this.drafts
    const line = this.lines.count
    const position = drafts.lineCount(d)
    let unitPrice: string | null = null
    let total: string | null = null
    const priceText = trimmedCell(row, c.unitPrice)
    if (priceText !== '') {
      const v = this.amounts.read(priceText)
      if (typeof v === 'string') unitPrice = isReturn ? absDecimal(v) : v
      else if (v === AMBIGUOUS_AMOUNT) drafts.defer(d, line, 'unitPrice', priceText, r)
      else
        drafts.issue(
          d,
          `lineItems.${position}.unitPrice`,
          SALE_MESSAGES.amountFormat('Price', priceText, this.o.mapping.unitPrice?.header),
          r,
        )
    } else if (c.lineTotal >= 0) {
      const totalText = trimmedCell(row, c.lineTotal)
      if (totalText !== '') {
        const v = this.amounts.read(totalText)
        if (typeof v === 'string') total = v
        else if (v === AMBIGUOUS_AMOUNT) drafts.defer(d, line, 'lineTotal', totalText, r)
        else
          drafts.issue(
            d,
            `lineItems.${position}.unitPrice`,
            SALE_MESSAGES.amountFormat('Line total', totalText, this.o.mapping.lineTotal?.header),
            r,
          )
      }
    }
    if (qtyDeferred) drafts.defer(d, line, 'quantity', qtyText, r)
    if (qtyIssue !== null) drafts.issue(d, `lineItems.${position}.quantity`, qtyIssue, r)

    this.lines.add(
      trimmedCell(row, c.itemId),
      trimmedCell(row, c.itemName),
      trimmedCell(row, c.variationId),
      unitPrice,
      total,
      quantity,
      r,
      drafts.lastLine(d),
    )
    drafts.appendLine(d, line)
    if (this.o.ownLayout && qtyText === '' && priceText === '' && roleText === '' && this.noItemCells(row))
      drafts.blankLine(d)
    if (c.lineDiscount >= 0) this.readLineDiscount(row, d, line, position)
    if (role !== null) this.lines.setRole(line, role)
    else if (roleText !== '')
      drafts.issue(
        d,
        `lineItems.${position}.role`,
        UPLOAD_MESSAGES.unknownItemRole(roleText, this.o.mapping.itemRole?.header ?? ''),
        r,
      )
  }

  private noItemCells(row: CsvRow): boolean {
    const c = this.col
    return (
      trimmedCell(row, c.itemId) === '' &&
      trimmedCell(row, c.itemName) === '' &&
      trimmedCell(row, c.variationId) === ''
    )
  }

  // The line's whole discount (Shopify's "Lineitem discount"): the price sent is what the customer paid.
  private readLineDiscount(row: CsvRow, d: number, line: number, position: number): void {
    const text = trimmedCell(row, this.col.lineDiscount)
    if (text === '') return
    const v = this.amounts.read(text)
    if (typeof v === 'string') this.lines.setDiscount(line, absDecimal(v))
    else if (v === AMBIGUOUS_AMOUNT) this.drafts.defer(d, line, 'lineDiscount', text, row.rowNumber)
    else
      this.drafts.issue(
        d,
        `lineItems.${position}.unitPrice`,
        SALE_MESSAGES.amountFormat('Line discount', text, this.o.mapping.lineDiscount?.header),
        row.rowNumber,
      )
  }

  // The draft of (store, kind, order number): the previous row's, an earlier one's, or a new one.
  private draftFor(
    store: ResolvedStore,
    kind: EventKind,
    orderId: string,
    generated: boolean,
    r: number,
  ): number {
    let d = this.last
    if (d !== -1 && this.lastStore === store && this.lastKind === kind && this.lastOrderId === orderId)
      return d
    const byOrder = kind === 'RETURN' ? store.returns : store.purchases
    d = byOrder.get(orderId) ?? -1
    if (d !== -1) {
      this.scattered = true
      if (d < this.emitted)
        throw new UploadFileError(
          'FILE_CHANGED',
          `Row ${r} belongs to order ${orderId}, which the check of this file found complete above it. Check the file again before storing it.`,
          r,
        )
    } else {
      const id = detach(orderId)
      d = this.drafts.add(store, kind, id, generated)
      byOrder.set(id, d)
    }
    this.last = d
    this.lastStore = store
    this.lastKind = kind
    this.lastOrderId = this.drafts.orderIdOf(d)
    return d
  }

  /**
   * While reading a file known to keep each order's rows together (an earlier read said so, with the same
   * decisions): the events of every order but the last one started, which no later row can join.
   */
  *completedEvents(decisions: FileDecisions): Generator<ParsedSaleEvent> {
    yield* this.eventsBefore(this.drafts.count - 1, decisions)
  }

  /** Builds the events not built yet, in the order their first row appeared; call once, after the last row. */
  *events(decisions: FileDecisions): Generator<ParsedSaleEvent> {
    yield* this.eventsBefore(this.drafts.count, decisions)
  }

  private *eventsBefore(end: number, decisions: FileDecisions): Generator<ParsedSaleEvent> {
    for (let i = this.emitted; i < end; i++) {
      this.emitted = i + 1
      const d = this.drafts.take(i, this.stores.list)
      const event = this.builder.event(d, decisions)
      yield event
      const refund = this.builder.shopifyRefund(d, event, decisions)
      if (refund !== null) yield refund
    }
  }
}
