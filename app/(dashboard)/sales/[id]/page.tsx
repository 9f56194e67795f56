import Link from 'next/link'
import { notFound } from 'next/navigation'
import { PageHeader } from '@/components/shell/app-shell'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { requirePageCaller } from '@/lib/auth/caller'
import { localTime } from '@/lib/sales/export'
import { getSaleEventDetail, getVisibleStores } from '@/lib/sales/queries'
import { formatInZone, formatMoney, formatUtc } from '@/lib/utils/format'
import { SaleStatusBadge } from '../sale-status-badge'
import { SaleEventActions } from './sale-event-actions'
import { type EditableEvent, SaleEventForm } from './sale-event-form'

export const metadata = { title: 'Sale' }

const AUDIT_LABELS: Record<string, string> = {
  'sale.edited': 'Edited',
  'sale.excluded': 'Excluded',
  'sale.included': 'Included again',
  'sale.group-fixed': 'Fixed with its group in the inbox',
  'sale.created': 'Entered by hand',
}

const ATTEMPT_OUTCOMES: Record<string, string> = {
  ACCEPTED: 'accepted',
  REJECTED: 'refused',
  UNAUTHORIZED: 'not authorised (sending paused)',
  RATE_LIMITED: 'rate limited, retried later',
  TRANSIENT: 'temporary failure, retried later',
  LOST: 'no answer recorded: our sending process stopped; sent again',
}

export default async function SaleEventPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  const caller = await requirePageCaller()
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound()
  const [event, stores] = await Promise.all([getSaleEventDetail(caller, id), getVisibleStores(caller)])
  if (!event) notFound()
  const store = event.store
  const when = (d: Date | null | undefined) => (d ? formatInZone(d, store.timeZone, store.locale) : '—')
  const queued = Boolean(event.openBatchId) || event.status === 'QUEUED'

  const initial: EditableEvent = {
    id: event.id,
    version: event.version,
    kind: event.kind,
    storeId: event.storeId,
    orderId: event.orderId,
    localTime: event.occurredAt
      ? localTime(event.occurredAt, store.timeZone).slice(0, 16).replace(' ', 'T')
      : '',
    customerId: event.customerId ?? '',
    revenue: event.revenue?.toString() ?? '',
    refund: event.refund?.toString() ?? null,
    returnExpenses: event.returnExpenses?.toString() ?? null,
    returnShippingCost: event.returnShippingCost?.toString() ?? null,
    returnReason: event.returnReason ?? '',
    returnType: event.returnType,
    returnPreference: event.returnPreference,
    returnDropOff: event.returnDropOff,
    lineItems: event.lineItems.map((li) => ({
      key: li.id,
      role: li.role,
      itemId: li.itemId ?? '',
      itemName: li.itemName ?? '',
      variationId: li.variationId ?? '',
      unitPrice: li.unitPrice?.toString() ?? '',
      quantity: li.quantity === null ? '' : String(li.quantity),
    })),
  }

  type Entry = { at: Date; title: string; detail?: string; tone?: 'bad' | 'good' }
  const history: Entry[] = []
  if (event.upload)
    history.push({
      at: event.upload.createdAt,
      title: `Uploaded in ${event.upload.fileName}`,
      detail: event.uploadedBy ? `by ${event.uploadedBy.name} (${event.uploadedBy.email})` : undefined,
    })
  else
    history.push({
      at: event.createdAt,
      title: 'Created',
      detail: event.createdBy ? `by ${event.createdBy.name} (${event.createdBy.email})` : undefined,
    })
  for (const t of event.trail)
    history.push({
      at: t.at,
      title: AUDIT_LABELS[t.action] ?? t.action,
      detail: t.actorEmail ? `by ${t.actorEmail}` : undefined,
    })
  for (const be of event.batchEvents) {
    history.push({
      at: be.batch.createdAt,
      title: `Queued in batch …${be.batchId.slice(-8)}`,
      detail: `position ${be.position + 1}; outcome: ${be.outcome.toLowerCase()}${be.error ? ` — ${be.error}` : ''}`,
      tone: be.outcome === 'FAILED' ? 'bad' : be.outcome === 'SUBMITTED' ? 'good' : undefined,
    })
    for (const a of be.batch.attemptsLog)
      history.push({
        at: a.startedAt,
        title: `Attempt ${a.number} of batch …${be.batchId.slice(-8)}: ${a.httpStatus ? `HTTP ${a.httpStatus}` : 'no answer'}${a.outcome ? `, ${ATTEMPT_OUTCOMES[a.outcome] ?? a.outcome}` : ', sending'}`,
        detail: a.responseExcerpt ?? undefined,
        tone: a.outcome === 'ACCEPTED' ? 'good' : a.outcome ? 'bad' : undefined,
      })
  }
  history.sort((a, b) => a.at.getTime() - b.at.getTime())

  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-muted-foreground">
        <Link href="/sales" className="hover:underline">
          Sales
        </Link>{' '}
        / <span aria-current="page">{event.orderId}</span>
      </nav>
      <PageHeader
        title={`${event.kind === 'RETURN' ? 'Return' : 'Purchase'} ${event.orderId}`}
        description={`${store.code} · ${store.name} · ${when(event.occurredAt)}`}
        actions={<SaleEventActions id={event.id} status={event.status} queued={queued} />}
      />
      <div className="mb-6 flex flex-wrap items-center gap-3 text-sm">
        <SaleStatusBadge status={event.status} />
        <span>
          {event.itemCount} {event.itemCount === 1 ? 'item' : 'items'} ·{' '}
          {formatMoney(event.revenue ?? event.itemsTotal, store.currency, store.locale)}
        </span>
        {event.occurredAt ? (
          <span className="text-muted-foreground">{formatUtc(event.occurredAt)}</span>
        ) : null}
        {event.isCorrection ? (
          <span className="text-muted-foreground">A correction of a sale sent before</span>
        ) : null}
        <span className="text-muted-foreground">Version {event.version}</span>
      </div>
      <div className="grid gap-6 xl:grid-cols-[2fr_1fr]">
        <Card>
          <CardHeader>
            <CardTitle>Details and items</CardTitle>
          </CardHeader>
          <CardContent>
            <SaleEventForm
              key={event.version}
              initial={initial}
              stores={stores}
              storeApiReason={event.status === 'FAILED' ? event.lastError : null}
              notSent={event.failureKind === 'NOT_SENT'}
              readOnlyReason={
                queued
                  ? 'This sale is queued for sending, so it cannot be changed right now. Wait for its batch to finish, or cancel the batch.'
                  : null
              }
            />
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>History</CardTitle>
          </CardHeader>
          <CardContent>
            <ol className="flex flex-col gap-3 border-l pl-4" aria-label="History of this sale">
              {history.map((h, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: entries of one render, in time order
                <li key={i} className="relative text-sm">
                  <span
                    aria-hidden
                    className={`absolute -left-[1.3rem] top-1.5 size-2 rounded-full ${h.tone === 'bad' ? 'bg-destructive' : h.tone === 'good' ? 'bg-emerald-600' : 'bg-muted-foreground'}`}
                  />
                  <p className="font-medium">{h.title}</p>
                  <p className="text-xs text-muted-foreground">
                    <time dateTime={h.at.toISOString()} title={formatUtc(h.at)}>
                      {when(h.at)}
                    </time>
                    {h.detail ? ` · ${h.detail}` : ''}
                  </p>
                </li>
              ))}
            </ol>
          </CardContent>
        </Card>
      </div>
    </>
  )
}
