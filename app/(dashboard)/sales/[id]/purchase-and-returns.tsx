import Link from 'next/link'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { RETURN_FLAG_INFO } from '@/lib/sales/return-flags'
import type { PurchaseAndReturns } from '@/lib/sales/returns'
import { formatInZone, formatMoney } from '@/lib/utils/format'
import { SaleStatusBadge } from '../sale-status-badge'
import { CompleteRefundForm } from './complete-refund-form'

type Store = { timeZone: string; currency: string; locale: string }

// One order's purchase and its returns together: per item, what was bought and what came back; the warnings
// about them (never a block: Constructor takes a return without a purchase); and, for a refund without lines,
// the form that takes them from the purchase.
export function PurchaseAndReturnsCard({
  eventId,
  orderId,
  linked,
  store,
  canComplete,
}: {
  eventId: string
  orderId: string
  linked: PurchaseAndReturns
  store: Store
  canComplete: boolean
}) {
  const { purchase, returns, items, flags } = linked
  if (!purchase && returns.length === 0) return null
  if (linked.kind === 'PURCHASE' && returns.length === 0) return null
  const money = (v: { toString(): string } | null) => formatMoney(v, store.currency, store.locale)
  const when = (d: Date | null) => (d ? formatInZone(d, store.timeZone, store.locale) : 'no time')
  const self = returns.find((r) => r.id === eventId)
  const withoutLines = self && !self.lineItems.some((l) => l.role === 'RETURNED')
  const rows = [
    ...(purchase
      ? [{ sale: purchase, label: 'Purchase', amount: purchase.revenue ?? purchase.itemsTotal }]
      : []),
    ...returns.map((r) => ({ sale: r, label: 'Return', amount: r.refund ?? r.revenue ?? r.itemsTotal })),
  ]
  return (
    <Card className="mb-6" aria-labelledby="purchase-and-returns">
      <CardHeader>
        <CardTitle id="purchase-and-returns">Purchase and returns of order {orderId}</CardTitle>
        <CardDescription>
          A return belongs to the purchase with the same order number in the same store.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        {flags.length > 0 ? (
          <ul className="flex flex-col gap-2" aria-label="Warnings about this return">
            {flags.map((f) => (
              <li
                key={f}
                data-return-flag={f}
                className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900"
              >
                <p className="font-medium">{RETURN_FLAG_INFO[f].label}</p>
                <p>{RETURN_FLAG_INFO[f].help}</p>
              </li>
            ))}
          </ul>
        ) : null}
        <ul className="flex flex-col gap-1 text-sm" aria-label="Sales of this order">
          {rows.map(({ sale, label, amount }) => (
            <li key={sale.id} className="flex flex-wrap items-center gap-2">
              {sale.id === eventId ? (
                <span className="font-medium">{label} (this sale)</span>
              ) : (
                <Link href={`/sales/${sale.id}`} className="font-medium underline-offset-2 hover:underline">
                  {label}
                </Link>
              )}
              <SaleStatusBadge status={sale.status} />
              <span className="text-muted-foreground">{when(sale.occurredAt)}</span>
              <span className="tabular-nums">
                {label === 'Return' ? '−' : ''}
                {money(amount)}
              </span>
            </li>
          ))}
        </ul>
        {items.length > 0 ? (
          <table className="w-full max-w-xl text-sm" aria-label="Items bought and returned">
            <thead>
              <tr className="text-left text-xs text-muted-foreground">
                <th className="py-1 font-medium">Item</th>
                <th className="py-1 text-right font-medium">Bought</th>
                <th className="py-1 text-right font-medium">Returned</th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => (
                <tr key={i.item} className="border-t" data-item={i.item}>
                  <td className="py-1 font-mono text-xs">{i.item}</td>
                  <td className="py-1 text-right tabular-nums">{purchase ? i.bought : '—'}</td>
                  <td
                    className={`py-1 text-right tabular-nums ${purchase && i.returned > i.bought ? 'font-semibold text-amber-800' : ''}`}
                  >
                    {i.returned}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {self && withoutLines && purchase && canComplete ? (
          <CompleteRefundForm
            eventId={self.id}
            version={self.version}
            orderId={orderId}
            refund={self.refund?.toString() ?? null}
            currency={store.currency}
            locale={store.locale}
            lines={purchase.lineItems
              .filter((l) => l.role === 'PURCHASED')
              .map((l) => ({
                lineNumber: l.lineNumber,
                item: l.itemId ?? l.itemName ?? '—',
                name: l.itemName,
                variation: l.variationId,
                unitPrice: l.unitPrice?.toString() ?? null,
                bought: l.quantity ?? 0,
              }))}
          />
        ) : null}
        {self && withoutLines && !purchase ? (
          <p className="text-sm text-muted-foreground">
            This return lists no returned items and no purchase of order {orderId} is stored, so there is
            nothing to pick them from. Add the returned items in the form below.
          </p>
        ) : null}
      </CardContent>
    </Card>
  )
}
