'use client'

import Link from 'next/link'
import { useState } from 'react'
import { FormError, SelectField, TextField } from '@/components/forms/field'
import { useActionForm } from '@/components/forms/use-action-form'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { createSaleByHandAction } from '@/lib/sales/hand-entry/actions'
import {
  type HandEntryItemValues,
  type HandEntryValues,
  handEntrySchema,
} from '@/lib/sales/hand-entry/form-schema'
import { localeDecimalSeparator, readAmount, readQuantity } from '@/lib/sales/read-values'
import { formatMoney } from '@/lib/utils/format'

type Store = { id: string; code: string; name: string; timeZone: string; currency: string; locale: string }

const EMPTY_ITEM: HandEntryItemValues = {
  itemId: '',
  itemName: '',
  variationId: '',
  unitPrice: '',
  quantity: '1',
}

/** today's date and the current time in a zone, as the date and time inputs want them */
function nowIn(timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date())
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? ''
  return { date: `${get('year')}-${get('month')}-${get('day')}`, time: `${get('hour')}:${get('minute')}` }
}

/** the line's total as the server will read it (the same reader, the store's separator); null when unreadable */
function lineTotal(item: HandEntryItemValues, locale: string): number | null {
  const price = readAmount(item.unitPrice, 'unitPrice', localeDecimalSeparator(locale))
  const quantity = readQuantity(item.quantity)
  if (!price.ok || price.value === null || !quantity.ok || quantity.value === null) return null
  return Math.round(Number(price.value) * quantity.value * 10_000) / 10_000
}

function blank(store: Store): HandEntryValues {
  return {
    storeId: store.id,
    timeZone: store.timeZone,
    locale: store.locale,
    kind: 'PURCHASE',
    ...nowIn(store.timeZone),
    customerId: '',
    orderId: '',
    returnReason: '',
    lineItems: [{ ...EMPTY_ITEM }],
  }
}

export function HandEntryForm({ stores }: { stores: Store[] }) {
  const first = stores[0] as Store
  const [values, setValues] = useState<HandEntryValues>(() => blank(first))
  const [saved, setSaved] = useState<string | null>(null)
  const form = useActionForm(handEntrySchema, createSaleByHandAction, {
    success: (d) => `Sale ${d.orderId} saved`,
    onSuccess: (d) => {
      setSaved(d.orderId)
      setValues((v) => ({ ...blank(stores.find((s) => s.id === v.storeId) ?? first), storeId: v.storeId }))
    },
  })
  const store = stores.find((s) => s.id === values.storeId) ?? first
  const set = <K extends keyof HandEntryValues>(k: K, v: HandEntryValues[K]) =>
    setValues((x) => ({ ...x, [k]: v }))
  const setItem = (i: number, k: keyof HandEntryItemValues, v: string) =>
    setValues((x) => ({ ...x, lineItems: x.lineItems.map((it, j) => (j === i ? { ...it, [k]: v } : it)) }))
  const totals = values.lineItems.map((item) => lineTotal(item, values.locale))
  const total = totals.every((t) => t !== null) ? totals.reduce<number>((a, b) => a + (b ?? 0), 0) : null
  const err = (k: string) => form.errors[k]

  return (
    <form
      noValidate
      className="flex max-w-4xl flex-col gap-6"
      onSubmit={(e) => {
        e.preventDefault()
        setSaved(null)
        form.submit(values)
      }}
    >
      <FormError message={form.formError} />
      {saved ? (
        <p role="status" className="rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm">
          Sale {saved} saved. It is ready to submit from{' '}
          <Link className="underline" href="/sales">
            Sales
          </Link>
          . Enter the next one below.
        </p>
      ) : null}
      <Card>
        <CardHeader>
          <CardTitle>The sale</CardTitle>
        </CardHeader>
        <CardContent className="grid gap-4 sm:grid-cols-2">
          <SelectField
            label="Store"
            error={err('storeId')}
            value={values.storeId}
            onChange={(e) => {
              const next = stores.find((s) => s.id === e.target.value) ?? first
              setValues((x) => ({ ...x, storeId: next.id, timeZone: next.timeZone, locale: next.locale }))
            }}
          >
            {stores.map((s) => (
              <option key={s.id} value={s.id}>
                {s.code} — {s.name}
              </option>
            ))}
          </SelectField>
          <SelectField
            label="Purchase or return"
            error={err('kind')}
            value={values.kind}
            onChange={(e) => set('kind', e.target.value as HandEntryValues['kind'])}
          >
            <option value="PURCHASE">Purchase</option>
            <option value="RETURN">Return</option>
          </SelectField>
          <TextField
            label="Date"
            type="date"
            hint={`In the store's time zone (${store.timeZone})`}
            value={values.date}
            onChange={(e) => set('date', e.target.value)}
            error={err('date')}
          />
          <TextField
            label="Time"
            type="time"
            value={values.time}
            onChange={(e) => set('time', e.target.value)}
            error={err('time')}
          />
          <TextField
            label="Order number"
            hint="Optional: the receipt number; left empty, one is made up"
            value={values.orderId}
            onChange={(e) => set('orderId', e.target.value)}
            error={err('orderId')}
          />
          <TextField
            label="Customer id"
            hint="Optional: loyalty or customer number"
            value={values.customerId}
            onChange={(e) => set('customerId', e.target.value)}
            error={err('customerId')}
          />
          {values.kind === 'RETURN' ? (
            <TextField
              label="Return reason"
              hint="Optional"
              className="sm:col-span-2"
              value={values.returnReason}
              onChange={(e) => set('returnReason', e.target.value)}
              error={err('returnReason')}
            />
          ) : null}
        </CardContent>
      </Card>
      <Card>
        <CardHeader>
          <CardTitle>{values.kind === 'RETURN' ? 'Returned items' : 'Items'}</CardTitle>
        </CardHeader>
        <CardContent className="flex flex-col gap-4">
          {err('lineItems') ? (
            <p className="text-sm text-destructive">{err('lineItems')?.join(' ')}</p>
          ) : null}
          {values.lineItems.map((item, i) => (
            <fieldset
              // biome-ignore lint/suspicious/noArrayIndexKey: items have no id until saved; position is their identity here
              key={i}
              className="grid gap-3 rounded-md border p-3 sm:grid-cols-6"
              aria-label={`Item ${i + 1}`}
            >
              <TextField
                label="Item id (SKU)"
                className="sm:col-span-2"
                value={item.itemId}
                onChange={(e) => setItem(i, 'itemId', e.target.value)}
                error={err(`lineItems.${i}.itemId`)}
              />
              <TextField
                label="Item name"
                className="sm:col-span-2"
                value={item.itemName}
                onChange={(e) => setItem(i, 'itemName', e.target.value)}
                error={err(`lineItems.${i}.itemName`)}
              />
              <TextField
                label="Variation"
                className="sm:col-span-2"
                hint="Optional: size, colour…"
                value={item.variationId}
                onChange={(e) => setItem(i, 'variationId', e.target.value)}
                error={err(`lineItems.${i}.variationId`)}
              />
              <TextField
                label="Unit price"
                inputMode="decimal"
                className="sm:col-span-2"
                value={item.unitPrice}
                onChange={(e) => setItem(i, 'unitPrice', e.target.value)}
                error={err(`lineItems.${i}.unitPrice`)}
              />
              <TextField
                label="Quantity"
                inputMode="numeric"
                value={item.quantity}
                onChange={(e) => setItem(i, 'quantity', e.target.value)}
                error={err(`lineItems.${i}.quantity`)}
              />
              <div className="flex items-end justify-between gap-2 sm:col-span-3">
                <span className="text-sm text-muted-foreground">
                  Line total: {totals[i] === null ? '—' : formatMoney(totals[i], store.currency)}
                </span>
                {values.lineItems.length > 1 ? (
                  <Button
                    type="button"
                    variant="outline"
                    size="sm"
                    onClick={() =>
                      setValues((x) => ({ ...x, lineItems: x.lineItems.filter((_, j) => j !== i) }))
                    }
                  >
                    Remove item {i + 1}
                  </Button>
                ) : null}
              </div>
            </fieldset>
          ))}
          <div className="flex items-center justify-between">
            <Button
              type="button"
              variant="outline"
              onClick={() => setValues((x) => ({ ...x, lineItems: [...x.lineItems, { ...EMPTY_ITEM }] }))}
            >
              Add item
            </Button>
            <p className="text-base font-semibold" data-testid="sale-total">
              Total: {total === null ? '—' : formatMoney(total, store.currency)}
            </p>
          </div>
        </CardContent>
      </Card>
      <div>
        <Button type="submit" disabled={form.pending}>
          {form.pending ? 'Saving…' : values.kind === 'RETURN' ? 'Save return' : 'Save sale'}
        </Button>
      </div>
    </form>
  )
}
