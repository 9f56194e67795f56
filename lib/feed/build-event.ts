// A sale of the feed's JSON body → the event an upload of the same sale would store (same rules, same content
// hash, so a feed push and an upload of the same sale recognise each other). Pure: no database.
import { canonicalDecimal, sumLineTotals } from '@/lib/money/decimal'
import { shownValue } from '@/lib/sales/limits'
import { amountProblem, type SaleIssue } from '@/lib/sales/schema'
import { validateSaleEvent } from '@/lib/sales/validate'
import { zonedWallTimeToUtc } from '@/lib/time/zoned'
import { keepWithinColumns } from '@/lib/uploads/build-event'
import { saleEventContentHash } from '@/lib/uploads/content-hash'
import { parseItemRole, parseReturnPreference, parseReturnType } from '@/lib/uploads/kind'
import type { ParsedLineItem, ParsedSaleEvent } from '@/lib/uploads/types'
import { type FeedSale, feedSaleSchema } from './schema'

/** a store the key may write, with the names its tills write for it (StoreAlias) */
export type FeedStore = { id: string; code: string; timeZone: string; aliases?: string[] }
export type FeedReason = { field: string; message: string }

/** a sale that can be stored (READY, or INVALID with its issues), or one that cannot be attributed at all */
export type BuiltSale =
  | { ok: true; event: ParsedSaleEvent; reasons: FeedReason[] }
  | { ok: false; orderId: string | null; reasons: FeedReason[] }

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i

/** ISO 8601 with an offset, or a wall-clock time in the store's zone; null when unreadable */
export function readFeedTime(value: string, timeZone: string): Date | null {
  const m = ISO.exec(value.trim())
  if (!m) return null
  const [y, mo, d, h, mi] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ]
  const s = Number(m[6] ?? 0)
  const ms = Number((m[7] ?? '0').padEnd(3, '0'))
  try {
    if (m[8]) {
      const zone = m[8].toUpperCase() === 'Z' ? 'Z' : m[8].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')
      const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${String(s).padStart(2, '0')}.${String(ms).padStart(3, '0')}${zone}`
      const t = Date.parse(iso)
      // Date.parse rolls 30 February over; a date that does not exist is unreadable
      const back = new Date(t + (zone === 'Z' ? 0 : offsetMs(zone)))
      if (Number.isNaN(t) || back.getUTCDate() !== d || back.getUTCMonth() + 1 !== mo) return null
      return new Date(t)
    }
    return new Date(zonedWallTimeToUtc(timeZone, y, mo, d, h, mi, s, ms).utcMs)
  } catch {
    return null
  }
}

function offsetMs(zone: string) {
  const sign = zone.startsWith('-') ? -1 : 1
  const [hh, mm] = zone.slice(1).split(':').map(Number) as [number, number]
  return sign * (hh * 60 + mm) * 60_000
}

/** "12.50" → "12.5", 12 → "12"; what the rules cannot read is kept as written for the message */
function amountText(v: string | number | null | undefined): string | null {
  if (v === null || v === undefined) return null
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : 'NaN') : v.trim()
  if (s === '') return null
  if (amountProblem(s) !== null) return s
  const negative = s.startsWith('-')
  const [int = '0', frac = ''] = s.replace(/^-/, '').split('.')
  return canonicalDecimal(negative, int, frac)
}

/** a return's money given back may be written negative, as tills do (the upload reads it the same way) */
function returnAmountText(v: string | number | null | undefined): string | null {
  const t = amountText(v)
  return t?.startsWith('-') && amountProblem(t.slice(1)) === null ? amountText(t.slice(1)) : t
}

const RETURN_FIELDS = [
  ['refund', 'refund'],
  ['return_expenses', 'returnExpenses'],
  ['return_shipping_cost', 'returnShippingCost'],
  ['return_type', 'returnType'],
  ['return_preference', 'returnPreference'],
  ['return_drop_off', 'returnDropOff'],
] as const

const FEED_SALE_MESSAGES = {
  onlyForReturn: (field: string) => `${field} is only for a return — leave it out of a purchase`,
  returnType: (v: string) =>
    `Return type '${v}' is not one we know — write full or partial (or leave it out)`,
  returnPreference: (v: string) =>
    `Return preference '${v}' is not one we know — write refund or replacement (or leave it out)`,
  itemRole: (v: string) =>
    `Item role '${v}' is not one we know — write returned, kept or cross_sold (or leave it out)`,
}

const blank = (v: string | null | undefined) => {
  const t = v?.trim() ?? ''
  return t === '' ? null : t
}

/** 'lineItems.0.unitPrice' → 'items[0].unit_price': the names the caller sent */
const WIRE_FIELDS: Record<string, string> = {
  orderId: 'order_id',
  occurredAt: 'occurred_at',
  storeId: 'store_code',
  customerId: 'customer_id',
  returnReason: 'return_reason',
  lineItems: 'items',
  itemId: 'item_id',
  itemName: 'item_name',
  variationId: 'variation_id',
  unitPrice: 'unit_price',
  quantity: 'quantity',
  role: 'kind',
  refund: 'refund',
  returnExpenses: 'return_expenses',
  returnShippingCost: 'return_shipping_cost',
  returnType: 'return_type',
  returnPreference: 'return_preference',
  returnDropOff: 'return_drop_off',
}
export function wireField(field: string): string {
  const [head, index, leaf] = field.split('.')
  const top = WIRE_FIELDS[head as string] ?? (head as string)
  if (index === undefined) return top
  if (leaf === undefined) return `${top}[${index}]`
  return `${top}[${index}].${leaf === 'role' ? 'item_role' : (WIRE_FIELDS[leaf] ?? leaf)}`
}

export function reasonsOf(issues: readonly SaleIssue[]): FeedReason[] {
  return issues.map((i) => ({ field: wireField(i.field), message: i.message }))
}

/**
 * One element of the body: its shape (zod), then its store (resolveStore answers null for a code the key may
 * not write; the route refuses the whole request for those before calling this), then the sale rules.
 */
export function buildFeedSale(raw: unknown, store: FeedStore, now: number): BuiltSale {
  const parsed = feedSaleSchema.safeParse(raw)
  if (!parsed.success) {
    const orderId =
      typeof (raw as { order_id?: unknown })?.order_id === 'string' ? (raw as FeedSale).order_id : null
    return {
      ok: false,
      orderId,
      reasons: parsed.error.issues.map((i) => ({
        field:
          i.path
            .map((p, n) => (typeof p === 'number' ? `[${p}]` : n === 0 ? String(p) : `.${String(p)}`))
            .join('') || '(sale)',
        message: i.message,
      })),
    }
  }
  const sale = parsed.data
  const kind = sale.kind === 'return' ? 'RETURN' : 'PURCHASE'
  const orderId = blank(sale.order_id)
  const extra: FeedReason[] = []
  const occurredAt = readFeedTime(sale.occurred_at, store.timeZone)
  if (occurredAt === null && sale.occurred_at.trim() !== '')
    extra.push({
      field: 'occurred_at',
      message: `'${sale.occurred_at}' is not a date and time — write it like 2026-03-02T14:05:00+01:00, or 2026-03-02 14:05 in the store's time zone`,
    })
  const isReturn = kind === 'RETURN'
  // the template's words (return type, preference, item role) and return fields on a purchase: issues of their own
  const wordIssues: SaleIssue[] = []
  const word = <T>(
    field: string,
    v: string | null | undefined,
    parse: (s: string) => T | undefined,
    say: (s: string) => string,
  ) => {
    const t = blank(v)
    if (t === null) return null
    const parsed = parse(t)
    if (parsed === undefined) wordIssues.push({ field, message: say(shownValue(t)) })
    return parsed ?? null
  }
  if (!isReturn)
    for (const [wire, field] of RETURN_FIELDS)
      if (sale[wire] != null && sale[wire] !== '')
        wordIssues.push({ field, message: FEED_SALE_MESSAGES.onlyForReturn(wire) })
  const lineItems: ParsedLineItem[] = sale.items.map((item, i) => ({
    lineNumber: i + 1,
    role:
      word(`lineItems.${i}.role`, item.item_role, parseItemRole, FEED_SALE_MESSAGES.itemRole) ??
      (isReturn ? 'RETURNED' : 'PURCHASED'),
    itemId: blank(item.item_id),
    itemName: blank(item.item_name),
    variationId: blank(item.variation_id),
    unitPrice: amountText(item.unit_price),
    quantity: item.quantity ?? null,
  }))
  const content = {
    kind,
    storeId: store.id,
    orderId: orderId ?? '',
    occurredAt,
    customerId: blank(sale.customer_id),
    revenue: null,
    refund: isReturn ? returnAmountText(sale.refund) : null,
    returnExpenses: isReturn ? returnAmountText(sale.return_expenses) : null,
    returnShippingCost: isReturn ? returnAmountText(sale.return_shipping_cost) : null,
    returnReason: isReturn ? blank(sale.return_reason) : null,
    returnType: isReturn
      ? word('returnType', sale.return_type, parseReturnType, FEED_SALE_MESSAGES.returnType)
      : null,
    returnPreference: isReturn
      ? word(
          'returnPreference',
          sale.return_preference,
          parseReturnPreference,
          FEED_SALE_MESSAGES.returnPreference,
        )
      : null,
    returnDropOff: isReturn ? blank(sale.return_drop_off) : null,
    lineItems,
  } as const
  // the unreadable time replaces the rules' "missing"
  const issues = [
    ...wordIssues,
    ...validateSaleEvent(content, { now, timeZone: store.timeZone }).filter(
      (i) => extra.length === 0 || i.field !== 'occurredAt',
    ),
  ]
  const reasons = [...extra, ...reasonsOf(issues)]
  if (orderId === null) return { ok: false, orderId: null, reasons }
  const event: ParsedSaleEvent = {
    ...content,
    orderId,
    storeCode: store.code,
    orderIdGenerated: false,
    status: reasons.length === 0 ? 'READY' : 'INVALID',
    issues: reasons.length === 0 ? [] : [...extra, ...issues],
    sourceRows: [],
    itemCount: lineItems.length,
    itemsTotal: sumLineTotals(lineItems),
    contentHash: '',
  }
  // an INVALID sale is kept for a manager: its texts cut to fit the columns, as an upload's are
  if (event.status === 'INVALID') keepWithinColumns(event)
  event.contentHash = saleEventContentHash(event)
  return { ok: true, event, reasons }
}
