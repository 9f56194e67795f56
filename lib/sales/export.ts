import 'server-only'
import type { Caller } from '@/lib/auth/caller'
import { db, Prisma } from '@/lib/db'
import { salesWhere } from '@/lib/sales/queries'
import type { SalesFilter } from '@/lib/sales/search-params'
import { timeZoneOffset, zonedWallTimeToUtc } from '@/lib/time/zoned'
import { EXPORT_EXTRA_HEADERS, guardFormula } from '@/lib/uploads/formula-guard'
import { wordOf } from '@/lib/uploads/kind'
import { SALES_TEMPLATE_HEADERS } from '@/lib/uploads/presets'

// Problem events as CSV in the upload template's layout (one row per item), plus the problem: fix the
// cells in a spreadsheet and upload the file again; events are matched by store, kind and order id.

/** the template's columns, the order total (revenue, on each of the order's rows, as the upload reads it), then
 * why the sale needs attention (not "reason": that header means return reason). Uploaded again, this header marks
 * the file as ours and its formula guards are undone (formula-guard.ts). */
export const EXPORT_HEADERS = [...SALES_TEMPLATE_HEADERS, ...EXPORT_EXTRA_HEADERS] as const

/** one CSV cell: spreadsheet formulas neutralised (a leading apostrophe), quoted when it holds a separator */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return ''
  const s = guardFormula(String(value))
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s
}

export function csvLine(cells: (string | number | null | undefined)[]) {
  return `${cells.map(csvCell).join(',')}\r\n`
}

const localFormats = new Map<string, Intl.DateTimeFormat>()
/** the store's wall-clock time, as the template takes it: YYYY-MM-DD HH:mm:ss */
export function localTime(date: Date, timeZone: string) {
  let f = localFormats.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
    localFormats.set(timeZone, f)
  }
  const p = Object.fromEntries(f.formatToParts(date).map((x) => [x.type, x.value]))
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`
}

/**
 * The store's wall-clock time as the upload reads it back: with the milliseconds a time had (a till's ISO time can),
 * and with its UTC offset when the wall-clock time alone names another instant (the repeated hour when summer
 * time ends, read back as the first).
 */
function exportTime(date: Date, timeZone: string) {
  const local = localTime(date, timeZone)
  const ms = date.getUTCMilliseconds()
  const text = ms === 0 ? local : `${local}.${String(ms).padStart(3, '0')}`
  const [y, mo, d, h, mi, sec] = local.split(/[- :]/).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  if (zonedWallTimeToUtc(timeZone, y, mo, d, h, mi, sec, ms).utcMs === date.getTime()) return text
  const offset = timeZoneOffset(timeZone, date.getTime()) / 60_000
  const hhmm = `${String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')}:${String(Math.abs(offset) % 60).padStart(2, '0')}`
  return `${text.replace(' ', 'T')}${offset < 0 ? '-' : '+'}${hhmm}`
}

type ExportRow = {
  id: string
  orderId: string
  occurredAt: Date | null
  storeCode: string
  timeZone: string
  customerId: string | null
  revenue: string | null
  kind: 'PURCHASE' | 'RETURN'
  returnReason: string | null
  refund: string | null
  returnExpenses: string | null
  returnShippingCost: string | null
  returnType: string | null
  returnPreference: string | null
  returnDropOff: string | null
  status: string
  lastError: string | null
  issues: unknown
  items:
    | {
        itemId: string | null
        itemName: string | null
        variationId: string | null
        role: string
        unitPrice: string | null
        quantity: number | null
      }[]
    | null
}

function problemOf(row: ExportRow) {
  if (row.status === 'FAILED') return row.lastError ?? 'Refused by Constructor'
  const issues = Array.isArray(row.issues) ? (row.issues as { message?: string }[]) : []
  return (
    issues
      .map((i) => i.message)
      .filter(Boolean)
      .join('; ') || row.status
  )
}

export function exportRowLines(row: ExportRow): string {
  // the role a line's kind gives it is left empty, so a changed kind cell changes the items with it
  const ownRole = row.kind === 'RETURN' ? 'RETURNED' : 'PURCHASED'
  const common = {
    order_id: row.orderId,
    occurred_at: row.occurredAt ? exportTime(row.occurredAt, row.timeZone) : '',
    store_code: row.storeCode,
    customer_id: row.customerId,
    kind: row.kind === 'RETURN' ? 'return' : 'purchase',
    return_reason: row.returnReason,
    refund: row.refund,
    return_expenses: row.returnExpenses,
    return_shipping_cost: row.returnShippingCost,
    return_type: row.returnType && wordOf(row.returnType),
    return_preference: row.returnPreference && wordOf(row.returnPreference),
    return_drop_off: row.returnDropOff,
    revenue: row.revenue,
    problem: problemOf(row),
  }
  const items = row.items?.length ? row.items : [null]
  return items
    .map((it) =>
      csvLine(
        EXPORT_HEADERS.map((h) => {
          switch (h) {
            case 'item_id':
              return it?.itemId
            case 'item_name':
              return it?.itemName
            case 'variation_id':
              return it?.variationId
            case 'unit_price':
              return it?.unitPrice
            case 'quantity':
              return it?.quantity
            case 'item_role':
              return it && it.role !== ownRole ? wordOf(it.role) : null
            default:
              return common[h]
          }
        }),
      ),
    )
    .join('')
}

export type ExportSelection = { filter: SalesFilter } | { ids: string[] }

/** the CSV, a thousand events at a time in id order, always inside the caller's stores */
export async function* exportSaleEventsCsv(
  caller: Caller,
  selection: ExportSelection,
): AsyncGenerator<string> {
  const sql = Prisma.sql
  const base =
    'ids' in selection
      ? sql`e.id = ANY(${selection.ids}::uuid[]) AND ${await salesWhere(caller, {
          status: [],
          store: [],
          kind: [],
          from: null,
          to: null,
          upload: null,
          batch: null,
          q: null,
          reason: null,
          returns: null,
        })}`
      : await salesWhere(caller, selection.filter)
  yield `\uFEFF${csvLine([...EXPORT_HEADERS])}`
  let after = '00000000-0000-0000-0000-000000000000'
  for (;;) {
    const rows = await db.$queryRaw<ExportRow[]>(sql`
      SELECT e.id, e."orderId", e."occurredAt", s.code AS "storeCode", s."timeZone", e."customerId",
        trim_scale(e.revenue)::text AS revenue, e.kind::text AS kind,
        e."returnReason", trim_scale(e.refund)::text AS refund, trim_scale(e."returnExpenses")::text AS "returnExpenses",
        trim_scale(e."returnShippingCost")::text AS "returnShippingCost", e."returnType"::text AS "returnType",
        e."returnPreference"::text AS "returnPreference", e."returnDropOff",
        e.status::text AS status, e."lastError", e.issues,
        (SELECT json_agg(json_build_object('itemId', li."itemId", 'itemName', li."itemName", 'variationId', li."variationId",
            'role', li.role::text, 'unitPrice', trim_scale(li."unitPrice")::text, 'quantity', li.quantity) ORDER BY li."lineNumber")
         FROM "LineItem" li WHERE li."eventId" = e.id) AS items
      FROM "SaleEvent" e JOIN "Store" s ON s.id = e."storeId"
      WHERE ${base} AND e.id > ${after}::uuid
      ORDER BY e.id LIMIT 1000`)
    if (rows.length === 0) return
    yield rows.map(exportRowLines).join('')
    after = rows[rows.length - 1]!.id
    if (rows.length < 1000) return
  }
}
