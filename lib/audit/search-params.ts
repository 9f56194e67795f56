// The audit trail's state as it lives in the URL: one tolerant parser for the page and its filter form,
// so a bookmarked link opens the same view. Imports zod and constants only.
import { z } from 'zod'

/** what a person looks for, mapped to the action prefixes each domain writes ("<domain>.<verb>") */
export const AUDIT_CATEGORIES = {
  signins: { label: 'Sign-ins', prefixes: ['auth.'] },
  uploads: { label: 'Uploads', prefixes: ['upload.', 'uploads.'] },
  edits: { label: 'Sales edits', prefixes: ['sale.', 'sales.', 'sale_event.', 'event.'] },
  submissions: {
    label: 'Submissions and resubmissions',
    prefixes: ['submission.', 'submissions.', 'batch.', 'batches.'],
  },
  settings: { label: 'Settings', prefixes: ['store.', 'stores.', 'user.', 'users.', 'connection.'] },
} as const
export type AuditCategory = keyof typeof AUDIT_CATEGORIES
export const AUDIT_PAGE_SIZE = 50

export type AuditParams = {
  page: number
  q: string | null
  category: AuditCategory | null
  /** store code */
  store: string | null
  /** UTC dates, YYYY-MM-DD, inclusive */
  from: string | null
  to: string | null
}

type Raw = Record<string, string | string[] | undefined> | URLSearchParams

function read(raw: Raw, key: string): string | undefined {
  if (raw instanceof URLSearchParams) return raw.get(key) ?? undefined
  const v = raw[key]
  return Array.isArray(v) ? v[0] : v
}

const date = z.iso.date()
const text = z.string().trim().min(1).max(200)

/** anything unreadable falls back to its default instead of failing the page */
export function parseAuditSearchParams(raw: Raw): AuditParams {
  const category = read(raw, 'category')
  const opt = <T>(schema: z.ZodType<T>, v: string | undefined) => {
    const r = schema.safeParse(v)
    return r.success ? r.data : null
  }
  return {
    page: Math.max(1, Math.min(100_000, Number.parseInt(read(raw, 'page') ?? '1', 10) || 1)),
    q: opt(text, read(raw, 'q')),
    category: category && category in AUDIT_CATEGORIES ? (category as AuditCategory) : null,
    store: opt(text, read(raw, 'store')),
    from: opt(date, read(raw, 'from')),
    to: opt(date, read(raw, 'to')),
  }
}

/** the URL of a view, leaving defaults out */
export function auditHref(p: Partial<AuditParams>) {
  const s = new URLSearchParams()
  if (p.q) s.set('q', p.q)
  if (p.category) s.set('category', p.category)
  if (p.store) s.set('store', p.store)
  if (p.from) s.set('from', p.from)
  if (p.to) s.set('to', p.to)
  if (p.page && p.page > 1) s.set('page', String(p.page))
  const qs = s.toString()
  return qs ? `/audit?${qs}` : '/audit'
}
