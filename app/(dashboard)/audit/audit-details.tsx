// An audit entry's details as a person reads them: each changed field as before → after, other context
// as field: value. The writer stores { changes: { field: { before, after } } }, { before, after } or context.

import { REDACTED } from '@/lib/redact'

type Change = { field: string; before: unknown; after: unknown }

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

function show(v: unknown): string {
  if (v === null || v === undefined || v === '') return '(empty)'
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return JSON.stringify(v)
}

/** the changes an entry records, and whatever else it says */
export function readDetails(details: unknown): { changes: Change[]; context: [string, unknown][] } {
  if (!isRecord(details)) return { changes: [], context: details == null ? [] : [['details', details]] }
  const { changes, before, after, ...rest } = details
  const out: Change[] = []
  if (isRecord(changes)) {
    for (const [field, c] of Object.entries(changes))
      out.push(
        isRecord(c) && ('before' in c || 'after' in c)
          ? { field, before: c.before, after: c.after }
          : { field, before: undefined, after: c },
      )
  }
  if (isRecord(before) || isRecord(after)) {
    const b = isRecord(before) ? before : {}
    const a = isRecord(after) ? after : {}
    // a redacted field (a customer id) reads the same before and after, yet it was recorded because it changed
    for (const field of new Set([...Object.keys(b), ...Object.keys(a)]))
      if (JSON.stringify(b[field]) !== JSON.stringify(a[field]) || b[field] === REDACTED)
        out.push({ field, before: b[field], after: a[field] })
  } else {
    if (before !== undefined) rest.before = before
    if (after !== undefined) rest.after = after
  }
  // a field recorded directly as { before, after } (e.g. { mustChangePassword: { before, after } })
  const context: [string, unknown][] = []
  for (const [field, v] of Object.entries(rest)) {
    if (isRecord(v) && 'before' in v && 'after' in v && Object.keys(v).length === 2)
      out.push({ field, before: v.before, after: v.after })
    else context.push([field, v])
  }
  return { changes: out, context }
}

export function AuditDetails({ details }: { details: unknown }) {
  const { changes, context } = readDetails(details)
  if (changes.length === 0 && context.length === 0) return <span className="text-muted-foreground">—</span>
  return (
    <dl className="grid grid-cols-[auto_1fr] gap-x-2 gap-y-0.5 text-xs">
      {changes.map((c) => (
        <div key={`c-${c.field}`} className="contents" data-change={c.field}>
          <dt className="font-medium">{c.field}</dt>
          <dd className="break-all">
            <span className="rounded bg-red-50 px-1 text-red-800 line-through decoration-red-300">
              <span className="sr-only">before: </span>
              {show(c.before)}
            </span>
            <span aria-hidden> → </span>
            <span className="rounded bg-emerald-50 px-1 text-emerald-800">
              <span className="sr-only">, after: </span>
              {show(c.after)}
            </span>
          </dd>
        </div>
      ))}
      {context.map(([k, v]) => (
        <div key={`x-${k}`} className="contents">
          <dt className="text-muted-foreground">{k}</dt>
          <dd className="break-all text-muted-foreground">{show(v)}</dd>
        </div>
      ))}
    </dl>
  )
}
