import Link from 'next/link'
import { EmptyState, PageHeader } from '@/components/shell/app-shell'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Select } from '@/components/ui/select'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { getAuditLog } from '@/lib/audit/queries'
import {
  AUDIT_CATEGORIES,
  type AuditCategory,
  auditHref,
  parseAuditSearchParams,
} from '@/lib/audit/search-params'
import { requirePageCaller } from '@/lib/auth/caller'
import { getStores } from '@/lib/stores/queries'
import { formatCount, formatUtc } from '@/lib/utils/format'
import { AuditDetails } from './audit-details'

export const metadata = { title: 'Audit trail' }

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>
}) {
  const caller = await requirePageCaller()
  const params = parseAuditSearchParams(await searchParams)
  const [log, stores] = await Promise.all([getAuditLog(caller, params), getStores(caller)])
  const filtered = Boolean(params.q || params.category || params.store || params.from || params.to)
  return (
    <>
      <PageHeader
        title="Audit trail"
        description={
          caller.allStores
            ? 'Who did what, and when: sign-ins, uploads, edits, submissions and settings.'
            : "Who did what to your stores' data, and your own sign-ins."
        }
      />
      <form
        method="get"
        action="/audit"
        aria-label="Filter the audit trail"
        className="mb-4 flex flex-wrap items-end gap-3"
      >
        <div className="flex flex-col gap-1 text-sm">
          <label htmlFor="audit-q">Search</label>
          <Input
            id="audit-q"
            name="q"
            defaultValue={params.q ?? ''}
            placeholder="email, action, order id…"
            className="w-64"
          />
        </div>
        <div className="flex flex-col gap-1 text-sm">
          <label htmlFor="audit-category">Kind</label>
          <Select id="audit-category" name="category" defaultValue={params.category ?? ''} className="w-56">
            <option value="">Everything</option>
            {(Object.keys(AUDIT_CATEGORIES) as AuditCategory[]).map((c) => (
              <option key={c} value={c}>
                {AUDIT_CATEGORIES[c].label}
              </option>
            ))}
          </Select>
        </div>
        <div className="flex flex-col gap-1 text-sm">
          <label htmlFor="audit-store">Store</label>
          <Select id="audit-store" name="store" defaultValue={params.store ?? ''} className="w-40">
            <option value="">All stores</option>
            {stores.map((s) => (
              <option key={s.id} value={s.code}>
                {s.code}
              </option>
            ))}
          </Select>
        </div>
        <div className="flex flex-col gap-1 text-sm">
          <label htmlFor="audit-from">From (UTC)</label>
          <Input type="date" id="audit-from" name="from" defaultValue={params.from ?? ''} className="w-40" />
        </div>
        <div className="flex flex-col gap-1 text-sm">
          <label htmlFor="audit-to">To (UTC)</label>
          <Input type="date" id="audit-to" name="to" defaultValue={params.to ?? ''} className="w-40" />
        </div>
        <Button type="submit">Apply</Button>
        {filtered ? (
          <Link href="/audit" className="text-sm underline">
            Clear filters
          </Link>
        ) : null}
      </form>
      {log.rows.length === 0 ? (
        <EmptyState title={filtered ? 'Nothing matches these filters' : 'Nothing recorded yet'}>
          {filtered
            ? 'Try fewer filters or another search.'
            : 'Sign-ins, uploads, edits and submissions appear here.'}
        </EmptyState>
      ) : (
        <>
          <Table aria-label="Audit trail">
            <TableHeader>
              <TableRow>
                <TableHead>Time (UTC)</TableHead>
                <TableHead>Who</TableHead>
                <TableHead>Action</TableHead>
                <TableHead>Record</TableHead>
                <TableHead>Store</TableHead>
                <TableHead>Before → after</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {log.rows.map((r) => (
                <TableRow key={r.id} data-action={r.action} className="align-top">
                  <TableCell className="whitespace-nowrap text-xs">{formatUtc(r.at)}</TableCell>
                  <TableCell className="text-xs">
                    {r.actorEmail ?? 'system'}
                    {r.ip ? <div className="text-muted-foreground">{r.ip}</div> : null}
                  </TableCell>
                  <TableCell className="font-mono text-xs">{r.action}</TableCell>
                  <TableCell className="text-xs">
                    {r.entity}
                    {r.entityId ? <div className="font-mono text-muted-foreground">{r.entityId}</div> : null}
                  </TableCell>
                  <TableCell className="text-xs">{r.storeCode ?? '—'}</TableCell>
                  <TableCell className="max-w-xl">
                    <AuditDetails details={r.details} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          <nav aria-label="Pages" className="mt-4 flex items-center justify-between text-sm">
            <span className="text-muted-foreground">
              {formatCount(log.total)} entries · page {params.page} of {log.pageCount}
            </span>
            <span className="flex gap-3">
              {params.page > 1 ? (
                <Link href={auditHref({ ...params, page: params.page - 1 })}>Newer</Link>
              ) : null}
              {params.page < log.pageCount ? (
                <Link href={auditHref({ ...params, page: params.page + 1 })}>Older</Link>
              ) : null}
            </span>
          </nav>
        </>
      )}
    </>
  )
}
