import Link from 'next/link'
import { notFound } from 'next/navigation'
import { LiveRefresh } from '@/components/data-table/live-refresh'
import { PageHeader } from '@/components/shell/app-shell'
import { Badge } from '@/components/ui/badge'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { requirePageCaller } from '@/lib/auth/caller'
import { getBatchDetail } from '@/lib/batches/queries'
import { OPEN_BATCH_STATUSES } from '@/lib/batches/schema'
import { formatDuration, formatInZone, formatUtc } from '@/lib/utils/format'
import { SaleStatusBadge } from '../../sales/sale-status-badge'
import { BatchStatusBadge } from '../batch-status-badge'
import { BatchActions } from './batch-actions'

export const metadata = { title: 'Batch' }

const OUTCOMES = [
  ['SUBMITTED', 'Submitted', 'success'],
  ['FAILED', 'Failed', 'danger'],
  ['PENDING', 'Pending', 'info'],
  ['SPLIT', 'Moved to a smaller batch', 'muted'],
  ['CANCELLED', 'Cancelled', 'muted'],
] as const

const ATTEMPT = {
  ACCEPTED: 'Accepted',
  REJECTED: 'Refused',
  UNAUTHORIZED: 'Not authorised: sending paused',
  RATE_LIMITED: 'Rate limited',
  TRANSIENT: 'Temporary failure',
  LOST: 'No answer recorded: our sending process stopped',
} as const

// a batch can hold several stores' sales: its own times are in UTC (each sale's time is in its store's zone)
const utc = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' })
const when = (d: Date | null | undefined) => (d ? `${utc.format(d)} UTC` : '—')

export default async function BatchPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  const caller = await requirePageCaller()
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound()
  const detail = await getBatchDetail(caller, id)
  if (!detail) notFound()
  const { batch, byOutcome, events, mine, retryable } = detail
  const live = (OPEN_BATCH_STATUSES as readonly string[]).includes(batch.status)

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-muted-foreground">
        <Link href="/batches" className="hover:underline">
          Batches
        </Link>{' '}
        / <span aria-current="page">…{batch.id.slice(-8)}</span>
      </nav>
      <PageHeader
        title={`Batch …${batch.id.slice(-8)}`}
        description={`Created ${when(batch.createdAt)} · ${batch.eventCount} ${batch.eventCount === 1 ? 'sale' : 'sales'}`}
        actions={
          <div className="flex items-center gap-3">
            <LiveRefresh active={live} />
            <BatchActions
              id={batch.id}
              canRetry={(batch.status === 'FAILED' || batch.status === 'SUCCEEDED') && retryable > 0}
              canCancel={batch.status === 'QUEUED' || batch.status === 'RETRY_WAIT'}
            />
          </div>
        }
      />
      <section aria-label="Progress" className="mb-6 flex flex-wrap items-center gap-3" aria-live="polite">
        <BatchStatusBadge status={batch.status} />
        {OUTCOMES.map(([key, label, variant]) =>
          byOutcome[key] ? (
            <Badge key={key} variant={variant}>
              {byOutcome[key]} {label.toLowerCase()}
            </Badge>
          ) : null,
        )}
        <span className="text-sm text-muted-foreground">
          {batch.attempts} {batch.attempts === 1 ? 'attempt' : 'attempts'}
          {batch.lastHttpStatus ? ` · last HTTP ${batch.lastHttpStatus}` : ''}
          {batch.startedAt && batch.finishedAt
            ? ` · took ${formatDuration(batch.finishedAt.getTime() - batch.startedAt.getTime())}`
            : ''}
          {batch.nextAttemptAt && batch.status === 'RETRY_WAIT'
            ? ` · next try ${when(batch.nextAttemptAt)}`
            : ''}
        </span>
      </section>
      {batch.lastError ? (
        <p
          role="alert"
          className="mb-6 rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm"
        >
          {batch.lastError}
        </p>
      ) : null}
      {!mine ? (
        <p className="mb-6 text-sm text-muted-foreground">
          This batch also held other stores' sales: only yours are listed, and Constructor's answers are
          hidden.
        </p>
      ) : null}
      {/* minmax(0, …): a wide table scrolls inside its card instead of pushing the card past the page edge */}
      <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]">
        <div className="flex flex-col gap-6">
          <Card>
            <CardHeader>
              <CardTitle>Attempts</CardTitle>
            </CardHeader>
            <CardContent>
              {batch.attemptsLog.length === 0 ? (
                <p className="text-sm text-muted-foreground">Not sent yet: it waits for the worker.</p>
              ) : (
                <ol className="flex flex-col gap-3 border-l pl-4" aria-label="Attempt timeline">
                  {batch.attemptsLog.map((a) => (
                    <li key={a.id} className="relative text-sm">
                      <span
                        aria-hidden
                        className={`absolute -left-[1.3rem] top-1.5 size-2 rounded-full ${a.outcome === 'ACCEPTED' ? 'bg-emerald-600' : a.outcome ? 'bg-destructive' : 'bg-amber-500'}`}
                      />
                      <p className="font-medium">
                        Attempt {a.number}: {a.httpStatus ? `HTTP ${a.httpStatus}` : 'no answer yet'}
                        {a.outcome ? ` · ${ATTEMPT[a.outcome]}` : ' · sending'}
                      </p>
                      <p className="text-xs text-muted-foreground">
                        <time dateTime={a.startedAt.toISOString()} title={formatUtc(a.startedAt)}>
                          {when(a.startedAt)}
                        </time>
                        {a.durationMs !== null ? ` · ${formatDuration(a.durationMs)}` : ''}
                        {a.retryAfterMs ? ` · asked to wait ${formatDuration(a.retryAfterMs)}` : ''}
                      </p>
                      {a.responseExcerpt ? (
                        <pre className="mt-1 max-h-32 overflow-auto whitespace-pre-wrap rounded bg-muted p-2 text-xs">
                          {a.responseExcerpt}
                        </pre>
                      ) : null}
                    </li>
                  ))}
                </ol>
              )}
            </CardContent>
          </Card>
          {batch.parent || batch.children.length ? (
            <Card>
              <CardHeader>
                <CardTitle>Split</CardTitle>
              </CardHeader>
              <CardContent className="flex flex-col gap-2 text-sm">
                {batch.parent ? (
                  <p>
                    Split from{' '}
                    <Link href={`/batches/${batch.parent.id}`} className="font-mono underline">
                      …{batch.parent.id.slice(-8)}
                    </Link>{' '}
                    <BatchStatusBadge status={batch.parent.status} />
                  </p>
                ) : null}
                {batch.children.length ? (
                  <>
                    <p>Constructor refused part of it, so it was split to find the refused sales:</p>
                    <ul className="flex flex-col gap-1">
                      {batch.children.map((c) => (
                        <li key={c.id} className="flex items-center gap-2">
                          <Link href={`/batches/${c.id}`} className="font-mono underline">
                            …{c.id.slice(-8)}
                          </Link>
                          <BatchStatusBadge status={c.status} />
                          <span className="text-muted-foreground">{c.eventCount} sales</span>
                        </li>
                      ))}
                    </ul>
                  </>
                ) : null}
              </CardContent>
            </Card>
          ) : null}
        </div>
        <Card className="min-w-0">
          <CardHeader>
            <CardTitle>Sales in this batch</CardTitle>
          </CardHeader>
          <CardContent>
            <Table>
              <caption className="sr-only">Sales in this batch and what happened to each</caption>
              <TableHeader>
                <TableRow>
                  <TableHead scope="col">#</TableHead>
                  <TableHead scope="col">Order</TableHead>
                  <TableHead scope="col">Store</TableHead>
                  <TableHead scope="col">Time</TableHead>
                  <TableHead scope="col">Outcome</TableHead>
                  <TableHead scope="col">Sale status</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {events.map((e) => (
                  <TableRow key={e.id}>
                    <TableCell className="tabular-nums">
                      {e.position === null ? '–' : e.position + 1}
                    </TableCell>
                    <TableCell>
                      <Link
                        href={`/sales/${e.id}`}
                        className="break-all font-mono text-xs underline-offset-2 hover:underline"
                      >
                        {e.orderId}
                      </Link>
                      {e.error ? <p className="mt-1 text-xs text-destructive">{e.error}</p> : null}
                    </TableCell>
                    <TableCell>{e.storeCode}</TableCell>
                    <TableCell className="whitespace-nowrap" title={formatUtc(e.occurredAt)}>
                      {formatInZone(e.occurredAt, e.timeZone, e.locale)}
                    </TableCell>
                    <TableCell>
                      <Badge
                        variant={
                          e.outcome === 'SUBMITTED' ? 'success' : e.outcome === 'FAILED' ? 'danger' : 'muted'
                        }
                      >
                        {OUTCOMES.find(([k]) => k === e.outcome)?.[1] ?? e.outcome}
                      </Badge>
                    </TableCell>
                    <TableCell>
                      <SaleStatusBadge status={e.status} />
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            {batch.eventCount > events.length ? (
              <p className="mt-2 text-sm text-muted-foreground">
                Showing {events.length} of {batch.eventCount}.{' '}
                <Link href={`/sales?batch=${batch.id}`} className="underline">
                  See them all in the sales table
                </Link>
                .
              </p>
            ) : (
              <p className="mt-2 text-sm">
                <Link href={`/sales?batch=${batch.id}`} className="underline">
                  Open these sales in the sales table
                </Link>
              </p>
            )}
          </CardContent>
        </Card>
      </div>
    </>
  )
}
