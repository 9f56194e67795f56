import Link from 'next/link'
import { notFound } from 'next/navigation'
import { PageHeader } from '@/components/shell/app-shell'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { requirePageCaller } from '@/lib/auth/caller'
import { getCustomerIdSettings } from '@/lib/connection/queries'
import { outgoingCustomerId } from '@/lib/customers/customer-id'
import { localTime } from '@/lib/sales/export'
import { saleHistory } from '@/lib/sales/history'
import { getSaleEventDetail, getVisibleStores } from '@/lib/sales/queries'
import { getPurchaseAndReturns } from '@/lib/sales/returns'
import { formatInZone, formatMoney, formatUtc } from '@/lib/utils/format'
import { SaleStatusBadge } from '../sale-status-badge'
import { PurchaseAndReturnsCard } from './purchase-and-returns'
import { SaleEventActions } from './sale-event-actions'
import { type EditableEvent, SaleEventForm } from './sale-event-form'

export const metadata = { title: 'Sale' }

export default async function SaleEventPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params
  const caller = await requirePageCaller()
  if (!/^[0-9a-f-]{36}$/i.test(id)) notFound()
  const [event, stores, customerIds, linked] = await Promise.all([
    getSaleEventDetail(caller, id),
    getVisibleStores(caller),
    getCustomerIdSettings(),
    getPurchaseAndReturns(caller, id),
  ])
  if (!event) notFound()
  const store = event.store
  // managers own their data: the stored id, and exactly what the connection's policy sends for it
  const customer = outgoingCustomerId(event.customerId, customerIds, store.locale)
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

  const history = saleHistory(event)

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
          {event.kind === 'RETURN'
            ? `${formatMoney(event.refund ?? event.revenue ?? event.itemsTotal, store.currency, store.locale)} refunded`
            : formatMoney(event.revenue ?? event.itemsTotal, store.currency, store.locale)}
        </span>
        {event.occurredAt ? (
          <span className="text-muted-foreground">{formatUtc(event.occurredAt)}</span>
        ) : null}
        {event.isCorrection ? (
          <span className="text-muted-foreground">A correction of a sale sent before</span>
        ) : null}
        <span className="text-muted-foreground">Version {event.version}</span>
      </div>
      {event.customerId ? (
        <p className="-mt-4 mb-6 text-sm" data-testid="customer-id-sent">
          <span className="text-muted-foreground">Customer id </span>
          <code className="break-all">{event.customerId}</code>
          <span className="text-muted-foreground"> is sent as </span>
          {customer.sent ? <code className="break-all">{customer.sent}</code> : <strong>nothing</strong>}
          {customer.note ? <span className="block text-muted-foreground">{customer.note}</span> : null}
        </p>
      ) : null}
      {linked ? (
        <PurchaseAndReturnsCard
          eventId={event.id}
          orderId={event.orderId}
          linked={linked}
          store={store}
          canComplete={
            !queued && (event.status === 'INVALID' || event.status === 'READY' || event.status === 'FAILED')
          }
        />
      ) : null}
      <div className="grid gap-6 xl:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
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
