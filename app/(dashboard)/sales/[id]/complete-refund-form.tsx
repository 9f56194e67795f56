'use client'

import { useRouter } from 'next/navigation'
import { useId, useState, useTransition } from 'react'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { toast } from '@/components/ui/toast'
import { completeRefundAction } from '@/lib/sales/actions'
import { formatMoney } from '@/lib/utils/format'

export type PurchaseLine = {
  lineNumber: number
  item: string
  name: string | null
  variation: string | null
  unitPrice: string | null
  bought: number
}

// A refund that says only how much was refunded: the manager says which of the purchase's lines came back, and
// how many of each (up to what was bought). The server checks the same limits again.
export function CompleteRefundForm(props: {
  eventId: string
  version: number
  orderId: string
  refund: string | null
  lines: PurchaseLine[]
  currency: string
  locale: string
}) {
  const router = useRouter()
  const id = useId()
  const [pending, start] = useTransition()
  const [counts, setCounts] = useState<Record<number, string>>({})
  const [error, setError] = useState<string | null>(null)
  const money = (v: string | number | null) => formatMoney(v, props.currency, props.locale)
  const picked = props.lines
    .map((l) => ({ line: l, quantity: Number.parseInt(counts[l.lineNumber] ?? '0', 10) || 0 }))
    .filter((p) => p.quantity > 0)
  const tooMany = picked.find((p) => p.quantity > p.line.bought)
  const value = picked.reduce((sum, p) => sum + Number(p.line.unitPrice ?? 0) * p.quantity, 0)

  function submit(e: React.FormEvent) {
    e.preventDefault()
    if (picked.length === 0) return setError('Enter how many of at least one item came back.')
    if (tooMany)
      return setError(
        `At most ${tooMany.line.bought} of ${tooMany.line.item} can come back: that is what was bought.`,
      )
    setError(null)
    start(async () => {
      const r = await completeRefundAction({
        eventId: props.eventId,
        version: props.version,
        lines: picked.map((p) => ({ lineNumber: p.line.lineNumber, quantity: p.quantity })),
      })
      if (!r.ok) return void setError(r.error)
      toast.success(
        r.data.status === 'READY'
          ? 'Returned items added: the return is ready to send.'
          : 'Returned items added. Something else still needs fixing; see the form below.',
      )
      router.refresh()
    })
  }

  return (
    <form onSubmit={submit} noValidate aria-labelledby={`${id}-title`} className="flex flex-col gap-3">
      <div>
        <h3 id={`${id}-title`} className="text-sm font-semibold">
          Which items came back?
        </h3>
        <p className="text-sm text-muted-foreground">
          The till only says{' '}
          {props.refund ? `${money(props.refund)} was refunded` : 'this order was refunded'}, not which items.
          Enter how many of each item of purchase {props.orderId} were returned; the return is then sent to
          Constructor with those items.
        </p>
      </div>
      <table className="w-full text-sm">
        <thead>
          <tr className="text-left text-xs text-muted-foreground">
            <th className="py-1 font-medium">Item</th>
            <th className="py-1 text-right font-medium">Price</th>
            <th className="py-1 text-right font-medium">Bought</th>
            <th className="w-28 py-1 text-right font-medium">Returned</th>
          </tr>
        </thead>
        <tbody>
          {props.lines.map((l) => (
            <tr key={l.lineNumber} className="border-t">
              <td className="py-1.5">
                <span className="font-mono text-xs">{l.item}</span>
                {l.name && l.name !== l.item ? <span className="block text-xs">{l.name}</span> : null}
                {l.variation ? (
                  <span className="block text-xs text-muted-foreground">{l.variation}</span>
                ) : null}
              </td>
              <td className="py-1.5 text-right tabular-nums">{money(l.unitPrice)}</td>
              <td className="py-1.5 text-right tabular-nums">{l.bought}</td>
              <td className="py-1.5 text-right">
                <Input
                  type="number"
                  inputMode="numeric"
                  min={0}
                  max={l.bought}
                  step={1}
                  value={counts[l.lineNumber] ?? ''}
                  placeholder="0"
                  aria-label={`Returned quantity of ${l.item}`}
                  aria-invalid={Number(counts[l.lineNumber] ?? 0) > l.bought || undefined}
                  onChange={(e) => setCounts((c) => ({ ...c, [l.lineNumber]: e.target.value }))}
                  className="ml-auto h-8 w-20 text-right"
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {error ? (
        <p role="alert" className="text-sm text-destructive">
          {error}
        </p>
      ) : null}
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" size="sm" disabled={pending}>
          {pending ? 'Saving…' : 'Add the returned items'}
        </Button>
        {picked.length > 0 ? (
          <span className="text-xs text-muted-foreground">
            Items worth {money(value)} at the purchase's prices
            {props.refund ? `; refunded ${money(props.refund)}` : ''}.
          </span>
        ) : null}
      </div>
    </form>
  )
}
