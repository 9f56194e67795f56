// The sales table's state as it lives in the URL: one parser for the page (server) and the table (browser),
// so a bookmarked or shared link opens exactly the same view. Imports zod and constants only.
import { z } from 'zod'
import { isReturnFlag, type ReturnFlag } from './return-flags'

export const EVENT_STATUSES = ['INVALID', 'READY', 'QUEUED', 'SUBMITTED', 'FAILED', 'EXCLUDED'] as const
export type EventStatus = (typeof EVENT_STATUSES)[number]
export const SALE_KINDS = ['PURCHASE', 'RETURN'] as const

/** the columns the server can sort by (each backed by an index) */
export const SALES_SORTS = ['occurredAt', 'orderId', 'revenue'] as const
export type SalesSort = (typeof SALES_SORTS)[number]
export const PAGE_SIZES = [25, 50, 100] as const
export const DEFAULT_PAGE_SIZE = 50

export type SalesTableParams = {
  page: number
  size: number
  sort: { id: SalesSort; desc: boolean }
  status: EventStatus[]
  /** store codes */
  store: string[]
  kind: (typeof SALE_KINDS)[number][]
  /** local dates (the store's zone), YYYY-MM-DD, inclusive */
  from: string | null
  to: string | null
  upload: string | null
  batch: string | null
  q: string | null
  /** a reason group from the failures inbox */
  reason: string | null
  /** returns with this warning (lib/sales/return-flags.ts) */
  returns: ReturnFlag | null
}

export const DEFAULT_SALES_SORT = { id: 'occurredAt', desc: true } as const

const isoDate = /^\d{4}-\d{2}-\d{2}$/
const uuid = z.uuid()

type Raw = Record<string, string | string[] | undefined> | URLSearchParams

function read(raw: Raw, key: string): string | undefined {
  if (raw instanceof URLSearchParams) return raw.get(key) ?? undefined
  const v = raw[key]
  return Array.isArray(v) ? v[0] : v
}

function list<T extends string>(value: string | undefined, allowed?: readonly T[]): T[] {
  if (!value) return []
  const parts = [...new Set(value.split(',').map((s) => s.trim()))].filter(Boolean)
  return (allowed ? parts.filter((p): p is T => (allowed as readonly string[]).includes(p)) : parts) as T[]
}

function validDate(v: string | undefined) {
  if (!v || !isoDate.test(v)) return null
  return Number.isNaN(Date.parse(`${v}T00:00:00Z`)) ? null : v
}

/** tolerant: anything unreadable falls back to its default instead of failing the page */
export function parseSalesSearchParams(raw: Raw): SalesTableParams {
  const page = Math.max(1, Math.min(100_000, Number.parseInt(read(raw, 'page') ?? '1', 10) || 1))
  const sizeRaw = Number.parseInt(read(raw, 'size') ?? '', 10)
  const size = (PAGE_SIZES as readonly number[]).includes(sizeRaw) ? sizeRaw : DEFAULT_PAGE_SIZE
  const [sortId, dir] = (read(raw, 'sort') ?? '').split('.')
  const sort = (SALES_SORTS as readonly string[]).includes(sortId ?? '')
    ? { id: sortId as SalesSort, desc: dir !== 'asc' }
    : { ...DEFAULT_SALES_SORT }
  const upload = read(raw, 'upload')
  const batch = read(raw, 'batch')
  const q = read(raw, 'q')?.trim().slice(0, 100)
  const reason = read(raw, 'reason')?.slice(0, 600)
  const returns = read(raw, 'returns')
  return {
    page,
    size,
    sort,
    status: list(read(raw, 'status'), EVENT_STATUSES),
    store: list(read(raw, 'store')).slice(0, 200),
    kind: list(read(raw, 'kind'), SALE_KINDS),
    from: validDate(read(raw, 'from')),
    to: validDate(read(raw, 'to')),
    upload: upload && uuid.safeParse(upload).success ? upload : null,
    batch: batch && uuid.safeParse(batch).success ? batch : null,
    q: q ? q : null,
    reason: reason ? reason : null,
    returns: isReturnFlag(returns) ? returns : null,
  }
}

/** the URL query for these params, leaving defaults out so links stay short */
export function salesSearchParamsToQuery(p: Partial<SalesTableParams>): URLSearchParams {
  const out = new URLSearchParams()
  if (p.q) out.set('q', p.q)
  if (p.status?.length) out.set('status', p.status.join(','))
  if (p.store?.length) out.set('store', p.store.join(','))
  if (p.kind?.length) out.set('kind', p.kind.join(','))
  if (p.from) out.set('from', p.from)
  if (p.to) out.set('to', p.to)
  if (p.upload) out.set('upload', p.upload)
  if (p.batch) out.set('batch', p.batch)
  if (p.reason) out.set('reason', p.reason)
  if (p.returns) out.set('returns', p.returns)
  if (p.sort && (p.sort.id !== DEFAULT_SALES_SORT.id || p.sort.desc !== DEFAULT_SALES_SORT.desc))
    out.set('sort', `${p.sort.id}.${p.sort.desc ? 'desc' : 'asc'}`)
  if (p.size && p.size !== DEFAULT_PAGE_SIZE) out.set('size', String(p.size))
  if (p.page && p.page > 1) out.set('page', String(p.page))
  return out
}

/** the filters only (no paging or sort): what an export or "select all matching" applies to */
export type SalesFilter = Omit<SalesTableParams, 'page' | 'size' | 'sort'>
