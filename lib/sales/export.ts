import 'server-only'
import type { Caller } from '@/lib/auth/caller'
import { db, Prisma } from '@/lib/db'
import { salesWhere } from '@/lib/sales/queries'
import type { SalesFilter } from '@/lib/sales/search-params'
import { SALES_TEMPLATE_HEADERS } from '@/lib/uploads/presets'

// Problem events as CSV in the upload template's layout (one row per item), plus the problem: fix the
// cells in a spreadsheet and upload the file again; events are matched by store, kind and order id.

/** the template's columns, then why the sale needs attention (not "reason": that header means return reason) */
export const EXPORT_HEADERS = [...SALES_TEMPLATE_HEADERS, 'problem'] as const

const FORMULA_START = /^[=+\-@\t\r]/

/** one CSV cell: spreadsheet formulas neutralised (a leading quote), quoted when it holds a separator */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return ''
  let s = String(value)
  if (FORMULA_START.test(s)) s = `'${s}`
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

type ExportRow = {
  id: string
  orderId: string
  occurredAt: Date | null
  storeCode: string
  timeZone: string
  customerId: string | null
  kind: 'PURCHASE' | 'RETURN'
  returnReason: string | null
  status: string
  lastError: string | null
  issues: unknown
  items:
    | {
        itemId: string | null
        itemName: string | null
        variationId: string | null
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
  const common = {
    order_id: row.orderId,
    occurred_at: row.occurredAt ? localTime(row.occurredAt, row.timeZone) : '',
    store_code: row.storeCode,
    customer_id: row.customerId,
    kind: row.kind === 'RETURN' ? 'return' : 'purchase',
    return_reason: row.returnReason,
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
      SELECT e.id, e."orderId", e."occurredAt", s.code AS "storeCode", s."timeZone", e."customerId", e.kind::text AS kind,
        e."returnReason", e.status::text AS status, e."lastError", e.issues,
        (SELECT json_agg(json_build_object('itemId', li."itemId", 'itemName', li."itemName", 'variationId', li."variationId",
            'unitPrice', trim_scale(li."unitPrice")::text, 'quantity', li.quantity) ORDER BY li."lineNumber")
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
