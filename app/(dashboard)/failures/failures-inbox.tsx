'use client'

import { Ban, ListFilter, Loader2, RotateCcw, Send, Wrench } from 'lucide-react'
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { useId, useState, useTransition } from 'react'
import { FormError } from '@/components/forms/field'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from '@/components/ui/dialog'
import { Input, Label } from '@/components/ui/input'
import { toast } from '@/components/ui/toast'
import type { ActionResult } from '@/lib/auth/action'
import { catalogNote } from '@/lib/catalog/messages'
import { fixSaleEventGroupAction, submitFixedSaleEventsAction } from '@/lib/sales/actions'
import type { FailureGroup } from '@/lib/sales/queries'
import { catalogReasonItemId, isUnsentReason } from '@/lib/sales/reasons'
import { type GroupFix, groupFixSchema } from '@/lib/sales/table-actions-schema'

const n = (count: number, one = 'sale', many = `${one}s`) =>
  `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`

type MissingPriceItem = { itemId: string | null; itemName: string | null; lines: number; events: number }

function useRun() {
  const router = useRouter()
  const [pending, start] = useTransition()
  const run = <T,>(
    fn: () => Promise<ActionResult<T>>,
    message: (data: T) => string,
    after?: () => void,
    extra?: (data: T) => Parameters<typeof toast.success>[1],
  ) =>
    start(async () => {
      const r = await fn()
      if (r.ok) {
        toast.success(message(r.data), extra?.(r.data))
        after?.()
      } else toast.error(r.error)
      router.refresh()
    })
  return { pending, run, router }
}

// "Submit all fixed": the sales a person corrected that are ready again, as many as the page counted.
export function SubmitFixedButton({ count }: { count: number }) {
  const { pending, run, router } = useRun()
  return (
    <Button
      size="sm"
      disabled={pending || count === 0}
      aria-busy={pending || undefined}
      title={count === 0 ? 'No corrected sale is waiting to be sent.' : undefined}
      onClick={() =>
        run(
          () => submitFixedSaleEventsAction({ expectedCount: count }),
          (r) =>
            r.eventCount
              ? `Submitted ${n(r.eventCount)} you fixed in ${n(r.batchCount, 'batch', 'batches')}.${catalogNote(r)}`
              : `Nothing to submit.${catalogNote(r)}`,
          undefined,
          (r) =>
            r.batchIds.length
              ? {
                  action: {
                    label: r.batchIds.length === 1 ? 'See the batch' : 'See the batches',
                    onClick: () =>
                      router.push(r.batchIds.length === 1 ? `/batches/${r.batchIds[0]}` : '/batches'),
                  },
                }
              : undefined,
        )
      }
    >
      {pending ? <Loader2 className="animate-spin" aria-hidden /> : <Send aria-hidden />}
      {pending ? 'Submitting…' : `Submit all fixed${count > 0 ? ` (${count.toLocaleString('en-US')})` : ''}`}
    </Button>
  )
}

function fixed(r: { touched: number; ready: number }) {
  const still = r.touched - r.ready
  return `Fixed ${n(r.touched)}: ${r.ready.toLocaleString('en-US')} ready to submit${still > 0 ? `, ${still.toLocaleString('en-US')} still need attention for another reason` : ''}.`
}

function FixDialog({ group, items }: { group: FailureGroup; items: MissingPriceItem[] }) {
  const id = useId()
  const [open, setOpen] = useState(false)
  const [time, setTime] = useState('')
  const [quantity, setQuantity] = useState('1')
  const [itemId, setItemId] = useState('')
  const [catalogItemId, setCatalogItemId] = useState('')
  const [prices, setPrices] = useState<Record<number, string>>({})
  const [error, setError] = useState<string | null>(null)
  const { pending, run } = useRun()

  function fix(): GroupFix | null {
    switch (group.fix) {
      case 'setTime':
        return { type: 'setTime', localTime: time }
      case 'setQuantity':
        return { type: 'setQuantity', quantity: Number(quantity) }
      case 'setItemId':
        return { type: 'setItemId', itemId }
      case 'mapItem':
        return { type: 'mapItem', catalogItemId }
      case 'setPrice':
        return {
          type: 'setPrice',
          prices: items
            .map((it, i) => ({
              itemId: it.itemId,
              itemName: it.itemName,
              unitPrice: (prices[i] ?? '').trim(),
            }))
            .filter((p) => p.unitPrice !== ''),
        }
      default:
        return null
    }
  }

  function apply(e: React.FormEvent) {
    e.preventDefault()
    const f = fix()
    const parsed = groupFixSchema.safeParse(f)
    if (!parsed.success) return setError(parsed.error.issues[0]?.message ?? 'Check the value.')
    setError(null)
    run(
      () => fixSaleEventGroupAction({ reason: group.code, fix: parsed.data }),
      fixed,
      () => setOpen(false),
    )
  }

  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button size="sm">
          <Wrench aria-hidden />
          Fix {n(group.events)}
        </Button>
      </DialogTrigger>
      <DialogContent>
        <form onSubmit={apply} className="flex flex-col gap-4" noValidate>
          <DialogHeader>
            <DialogTitle>
              {group.label}: fix {n(group.events)}
            </DialogTitle>
            <DialogDescription>{group.help}</DialogDescription>
          </DialogHeader>
          {group.fix === 'setTime' ? (
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={id}>Sale time</Label>
              <Input id={id} type="datetime-local" value={time} onChange={(e) => setTime(e.target.value)} />
              <p className="text-xs text-muted-foreground">
                Each sale gets this time in its own store's time zone.
              </p>
            </div>
          ) : null}
          {group.fix === 'setQuantity' ? (
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={id}>Quantity for items without one</Label>
              <Input
                id={id}
                inputMode="numeric"
                value={quantity}
                onChange={(e) => setQuantity(e.target.value)}
              />
            </div>
          ) : null}
          {group.fix === 'setItemId' ? (
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={id}>Item id (SKU) for items without an id or name</Label>
              <Input id={id} value={itemId} onChange={(e) => setItemId(e.target.value)} />
            </div>
          ) : null}
          {group.fix === 'mapItem' ? (
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={id}>
                Catalog item id for <span className="font-mono">{catalogReasonItemId(group.code)}</span>
              </Label>
              <Input
                id={id}
                autoComplete="off"
                value={catalogItemId}
                onChange={(e) => setCatalogItemId(e.target.value)}
              />
              <p className="text-xs text-muted-foreground">
                These sales are sent with this id, and later uploads and hand entries of your stores use it
                for <span className="font-mono">{catalogReasonItemId(group.code)}</span> too.
              </p>
            </div>
          ) : null}
          {group.fix === 'setPrice' ? (
            <fieldset className="flex max-h-80 flex-col gap-2 overflow-y-auto">
              <legend className="mb-2 text-sm font-medium">
                Unit price of each item (leave empty to skip)
              </legend>
              {items.length === 0 ? (
                <p className="text-sm text-muted-foreground">
                  The items without a price have no id or name either: open the sales to correct them.
                </p>
              ) : null}
              {items.map((it, i) => (
                <div
                  key={`${it.itemId}-${it.itemName}`}
                  className="grid grid-cols-[1fr_8rem] items-center gap-3"
                >
                  <Label htmlFor={`${id}-${i}`} className="font-normal">
                    <span className="font-mono">{it.itemId ?? '—'}</span> {it.itemName}
                    <span className="block text-xs text-muted-foreground">in {n(it.events)}</span>
                  </Label>
                  <Input
                    id={`${id}-${i}`}
                    inputMode="decimal"
                    placeholder="12.50"
                    value={prices[i] ?? ''}
                    onChange={(e) => setPrices((p) => ({ ...p, [i]: e.target.value }))}
                  />
                </div>
              ))}
            </fieldset>
          ) : null}
          <FormError message={error} />
          <DialogFooter>
            <DialogClose asChild>
              <Button type="button" variant="outline">
                Cancel
              </Button>
            </DialogClose>
            <Button type="submit" disabled={pending}>
              {pending ? 'Fixing…' : 'Apply to all'}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  )
}

function ExcludeGroupButton({ group }: { group: FailureGroup }) {
  const [open, setOpen] = useState(false)
  const { pending, run } = useRun()
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button size="sm" variant="outline">
          <Ban aria-hidden />
          Exclude all
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Exclude {n(group.events)}?</DialogTitle>
          <DialogDescription>
            They will never be sent to Constructor. You can include them again from the sales table.
          </DialogDescription>
        </DialogHeader>
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="outline">Cancel</Button>
          </DialogClose>
          <Button
            variant="destructive"
            disabled={pending}
            onClick={() =>
              run(
                () => fixSaleEventGroupAction({ reason: group.code, fix: { type: 'exclude' } }),
                (r) => `Excluded ${n(r.touched)}.`,
                () => setOpen(false),
              )
            }
          >
            Exclude
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  )
}

export function FailureGroupCard({ group, items }: { group: FailureGroup; items: MissingPriceItem[] }) {
  const { pending, run } = useRun()
  const headingId = useId()
  return (
    <Card aria-labelledby={headingId} className="h-full">
      <CardHeader>
        <div className="flex items-start justify-between gap-3">
          <CardTitle id={headingId} className="text-base">
            {group.label}: {n(group.events, 'event')}
          </CardTitle>
          <Badge variant={group.status === 'FAILED' ? 'danger' : 'warning'}>
            {group.status === 'INVALID'
              ? group.fix === 'mapItem'
                ? 'Held'
                : 'Invalid'
              : isUnsentReason(group.code)
                ? 'Not sent'
                : 'Refused'}
          </Badge>
        </div>
        <CardDescription>{group.help}</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3">
        {group.sample && group.status === 'INVALID' ? (
          <p className="rounded bg-muted px-2 py-1 text-xs text-muted-foreground">e.g. “{group.sample}”</p>
        ) : null}
        <div className="flex flex-wrap gap-2">
          {group.fix ? <FixDialog group={group} items={items} /> : null}
          {group.status === 'FAILED' ? (
            <Button
              size="sm"
              disabled={pending}
              onClick={() =>
                run(
                  () => fixSaleEventGroupAction({ reason: group.code, fix: { type: 'resubmit' } }),
                  (r) => `Resubmitted ${n(r.touched)} in ${n(r.batchCount, 'batch', 'batches')}.`,
                )
              }
            >
              <RotateCcw aria-hidden />
              Resubmit {n(group.events)}
            </Button>
          ) : null}
          <Button asChild size="sm" variant="outline">
            <Link href={`/sales?reason=${encodeURIComponent(group.code)}`}>
              <ListFilter aria-hidden />
              View {group.events === 1 ? 'it' : 'them'}
            </Link>
          </Button>
          <ExcludeGroupButton group={group} />
        </div>
      </CardContent>
    </Card>
  )
}
