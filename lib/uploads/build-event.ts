// A draft → its sale event, once the file's decisions are made: amounts that waited are settled, the
// time is read, the rules are checked (lib/sales/validate.ts) and the content hashed. A Shopify order
// with a refund also gives the return it stands for.
import { hash } from 'node:crypto'
import {
  AMBIGUOUS_AMOUNT,
  type AmountReader,
  absDecimal,
  compareDecimal,
  INVALID_AMOUNT,
  sumLineTotals,
} from '@/lib/money/decimal'
import { cutText, SALE_LIMITS, storableText } from '@/lib/sales/limits'
import {
  AMOUNT_LABELS,
  type ColumnHints,
  type EventKind,
  type ReturnPreference,
  type ReturnType,
  SALE_MESSAGES,
  type SaleIssue,
} from '@/lib/sales/schema'
import { validateSaleEvent } from '@/lib/sales/validate'
import { saleEventContentHash } from './content-hash'
import { normalizeHeader } from './fields'
import type { FileDecisions } from './file-decisions'
import { parseReturnPreference, parseReturnType } from './kind'
import type { LineItemColumns } from './line-items'
import { UPLOAD_MESSAGES } from './messages'
import type { Draft } from './order-drafts'
import { OrderTimes } from './order-time'
import type { ColumnMapping } from './presets'
import type { ParsedLineItem, ParsedSaleEvent } from './types'

const TWELVE_HOURS = 12 * 3_600_000

export interface BuildOptions {
  mapping: ColumnMapping
  /** minutes after midnight for dates without a time */
  defaultTimeMinutes: number
  now: number
  maxAgeDays?: number
  clockSkewMs?: number
}

/** what a return says besides its items and reason */
interface ReturnParts {
  refund: string | null
  returnExpenses: string | null
  returnShippingCost: string | null
  returnType: ReturnType | null
  returnPreference: ReturnPreference | null
  returnDropOff: string | null
}

const NO_RETURN_PARTS: ReturnParts = {
  refund: null,
  returnExpenses: null,
  returnShippingCost: null,
  returnType: null,
  returnPreference: null,
  returnDropOff: null,
}

interface EventParts extends ReturnParts {
  /** when occurredAt was read from a date without a time: the start of that day */
  dateOnlyDayStartMs?: number | null
  kind: EventKind
  occurredAt: Date | null
  revenue: string | null
  returnReason: string | null
  lineItems: ParsedLineItem[]
  parseIssues: SaleIssue[]
}

function byRowThenField(a: SaleIssue, b: SaleIssue): number {
  return (a.row ?? 0) - (b.row ?? 0) || (a.field < b.field ? -1 : a.field > b.field ? 1 : 0)
}

/** the mapped header of each field, for messages that name the file's column */
function columnHints(mapping: ColumnMapping): ColumnHints {
  const h = (f: keyof ColumnMapping) => mapping[f]?.header
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
  const present: ColumnHints = {}
  for (const [k, v] of Object.entries(hints)) if (v !== undefined) present[k as keyof ColumnHints] = v
  return present
}

/**
 * A date without a time is stored at the default time (noon); it is "in the future" only when its whole day is,
 * so a file of today's sales uploaded in the morning is not refused: the allowance reaches back to the day's start.
 */
function futureAllowanceMs(
  occurredAt: Date | null,
  dayStartMs: number | null,
  clockSkewMs: number | undefined,
) {
  const skew = clockSkewMs ?? SALE_LIMITS.defaultClockSkewMs
  if (occurredAt === null || dayStartMs === null) return skew
  return Math.max(skew, occurredAt.getTime() - dayStartMs)
}

export class EventBuilder {
  private readonly hints: ColumnHints
  private readonly times: OrderTimes

  constructor(
    private readonly o: BuildOptions,
    /** the reader that saw every amount while the rows were read */
    private readonly amounts: AmountReader,
    private readonly lines: LineItemColumns,
  ) {
    this.hints = columnHints(o.mapping)
    this.times = new OrderTimes(o.mapping, o.defaultTimeMinutes)
  }

  private amountAt(raw: string, decisions: FileDecisions): string | typeof INVALID_AMOUNT | null {
    if (raw === '') return null
    const v = this.amounts.read(raw)
    if (v === AMBIGUOUS_AMOUNT) return this.amounts.resolve(raw, decisions.decimalSeparator)
    return v
  }

  /** The draft's event. */
  event(d: Draft, decisions: FileDecisions): ParsedSaleEvent {
    const parseIssues: SaleIssue[] = d.extra?.issues ?? []
    const isReturn = d.kind === 'RETURN'
    const deferred = d.extra?.deferred
    if (deferred != null) {
      for (const x of deferred) {
        const v = this.amounts.resolve(x.raw, decisions.decimalSeparator)
        if (v === INVALID_AMOUNT) continue
        if (x.field === 'unitPrice') this.lines.setUnitPrice(x.line, isReturn ? absDecimal(v) : v)
        else if (x.field === 'lineTotal') this.lines.setTotal(x.line, v)
        else if (x.field === 'lineDiscount') this.lines.setDiscount(x.line, absDecimal(v))
        else if (v.indexOf('.') === -1) this.lines.setQuantity(x.line, Math.abs(Number(v)))
        else {
          const position = this.lines.positionOf(d.head, x.line)
          parseIssues.push({
            field: `lineItems.${position}.quantity`,
            message: SALE_MESSAGES.quantityNotWhole(x.raw),
            row: x.row,
          })
        }
      }
    }

    const read = this.lines.read(d.head, d.count, isReturn ? 'RETURNED' : 'PURCHASED')
    const { sourceRows } = read
    // our export writes a sale without items (a Shopify partial refund) as one row without item cells
    const lineItems = d.count === 1 && d.extra?.blankLines === 1 ? [] : read.lineItems
    const firstRow = sourceRows[0] ?? 0
    const order = decisions.dayMonthOrder
    const occurredAt = this.times.instant(d, d.store, order, parseIssues, d.dateRow || firstRow, 'occurredAt')
    const dateOnlyDayStart = this.times.dateOnlyDayStartMs
    const other = d.extra?.otherDate
    if (other != null && occurredAt !== null) {
      const otherAt = this.times.instant(
        { dateRaw: other.dateRaw, timeRaw: other.timeRaw, tzRaw: d.tzRaw },
        d.store,
        order,
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

    const revenue = this.amountAt(d.revenueRaw, decisions)
    if (revenue === INVALID_AMOUNT)
      parseIssues.push({
        field: 'revenue',
        message: SALE_MESSAGES.amountFormat('Revenue', d.revenueRaw, this.o.mapping.revenue?.header),
        row: firstRow,
      })

    const event = this.build(d, sourceRows, {
      kind: d.kind,
      occurredAt,
      dateOnlyDayStartMs: dateOnlyDayStart,
      revenue: typeof revenue === 'string' ? revenue : null,
      ...(isReturn ? this.returnParts(d, decisions, parseIssues) : NO_RETURN_PARTS),
      returnReason: isReturn ? d.returnReason : null,
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

  /**
   * A return's own columns (our template's refund … return_drop_off), from the first of its rows that fills each;
   * money given back may be written negative, as tills do. A purchase has none of them.
   */
  private returnParts(d: Draft, decisions: FileDecisions, issues: SaleIssue[]): ReturnParts {
    const cells = d.extra?.returnCells
    if (cells == null) return NO_RETURN_PARTS
    const parts = { ...NO_RETURN_PARTS }
    const mapping = this.o.mapping
    for (const field of ['refund', 'returnExpenses', 'returnShippingCost'] as const) {
      const cell = cells[field]
      if (cell === undefined) continue
      const v = this.amountAt(cell.raw, decisions)
      if (typeof v === 'string') parts[field] = absDecimal(v)
      else if (v === INVALID_AMOUNT)
        issues.push({
          field,
          message: SALE_MESSAGES.amountFormat(AMOUNT_LABELS[field], cell.raw, mapping[field]?.header),
          row: cell.row,
        })
    }
    const type = cells.returnType
    if (type !== undefined) {
      parts.returnType = parseReturnType(type.raw) ?? null
      if (parts.returnType === null)
        issues.push({
          field: 'returnType',
          message: UPLOAD_MESSAGES.unknownReturnType(type.raw, mapping.returnType?.header ?? ''),
          row: type.row,
        })
    }
    const preference = cells.returnPreference
    if (preference !== undefined) {
      parts.returnPreference = parseReturnPreference(preference.raw) ?? null
      if (parts.returnPreference === null)
        issues.push({
          field: 'returnPreference',
          message: UPLOAD_MESSAGES.unknownReturnPreference(
            preference.raw,
            mapping.returnPreference?.header ?? '',
          ),
          row: preference.row,
        })
    }
    parts.returnDropOff = cells.returnDropOff?.raw ?? null
    return parts
  }

  /** Shopify's orders export has no refund rows: a refunded amount or status on the order stands for a return. */
  shopifyRefund(d: Draft, purchase: ParsedSaleEvent, decisions: FileDecisions): ParsedSaleEvent | null {
    if (d.kind !== 'PURCHASE' || (d.financialStatus === '' && d.refundedRaw === '')) return null
    const status = normalizeHeader(d.financialStatus)
    const refunded = this.amountAt(d.refundedRaw, decisions)
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
        : this.times.instant(
            { dateRaw: d.cancelledRaw, timeRaw: '', tzRaw: d.tzRaw },
            d.store,
            decisions.dayMonthOrder,
            parseIssues,
            row,
            'cancelledAt',
          )
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
      ...NO_RETURN_PARTS,
      refund: refundedAmount,
      returnReason: null,
      returnType: full ? 'FULL' : 'PARTIAL',
      lineItems,
      parseIssues,
    })
  }

  private build(d: Draft, sourceRows: number[], e: EventParts): ParsedSaleEvent {
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
      returnExpenses: e.returnExpenses,
      returnShippingCost: e.returnShippingCost,
      returnReason: e.returnReason,
      returnType: e.returnType,
      returnPreference: e.returnPreference,
      returnDropOff: e.returnDropOff,
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
      clockSkewMs: futureAllowanceMs(e.occurredAt, e.dateOnlyDayStartMs ?? null, this.o.clockSkewMs),
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
    if (event.status === 'INVALID') keepWithinColumns(event)
    event.itemsTotal = sumLineTotals(e.lineItems)
    event.contentHash = saleEventContentHash(event)
    return event
  }
}

const STORED = SALE_LIMITS.storedTextLength
const cut = (v: string | null) => (v === null ? v : storableText(v.length > STORED ? cutText(v, STORED) : v))

/**
 * An INVALID event's texts as the columns hold them (lib/sales/limits.ts): its issues already say how long
 * the file's values were; a value over twice the limit is stored cut, still over the limit. A cut order
 * number ends in a hash of the whole one, so two long numbers that start alike stay two orders. A character
 * no column can store (NUL, half an emoji; its issue says so) is stored as U+FFFD. Also the sales feed's.
 */
export function keepWithinColumns(event: ParsedSaleEvent): void {
  if (event.orderId.length > STORED) {
    const tail = `~${hash('sha256', event.orderId, 'hex').slice(0, 16).toUpperCase()}`
    event.orderId = cutText(event.orderId, STORED - tail.length) + tail
  }
  event.orderId = storableText(event.orderId)
  event.customerId = cut(event.customerId)
  event.returnDropOff = cut(event.returnDropOff)
  if (event.returnReason !== null && event.returnReason.length > SALE_LIMITS.storedReturnReasonLength)
    event.returnReason = cutText(event.returnReason, SALE_LIMITS.storedReturnReasonLength)
  if (event.returnReason !== null) event.returnReason = storableText(event.returnReason)
  for (const li of event.lineItems) {
    li.itemId = cut(li.itemId)
    li.itemName = cut(li.itemName)
    li.variationId = cut(li.variationId)
  }
  // a reason may quote the value it is about
  event.issues = event.issues.map((i) => ({ ...i, message: storableText(i.message) }))
}
