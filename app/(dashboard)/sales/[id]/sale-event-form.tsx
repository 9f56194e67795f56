'use client'

import { Plus, Trash2 } from 'lucide-react'
import { useRouter } from 'next/navigation'
import { useMemo, useState, useTransition } from 'react'
import { FormError, SelectField, TextField } from '@/components/forms/field'
import { Button } from '@/components/ui/button'
import { toast } from '@/components/ui/toast'
import { updateSaleEventAction } from '@/lib/sales/actions'
import { localToUtc } from '@/lib/sales/hand-entry/form-schema'
import { localeDecimalSeparator, readAmount, readQuantity } from '@/lib/sales/read-values'
import { type AmountField, LINE_ITEM_ROLES, saleEventSchema } from '@/lib/sales/schema'

export type EditableEvent = {
  id: string
  version: number
  kind: 'PURCHASE' | 'RETURN'
  storeId: string
  orderId: string
  /** the store's wall-clock time, YYYY-MM-DDTHH:mm, or '' when missing */
  localTime: string
  customerId: string
  revenue: string
  refund: string | null
  returnExpenses: string | null
  returnShippingCost: string | null
  returnReason: string
  returnType: 'FULL' | 'PARTIAL' | null
  returnPreference: 'REFUND' | 'REPLACEMENT' | null
  returnDropOff: string | null
  lineItems: {
    key: string
    role: (typeof LINE_ITEM_ROLES)[number]
    itemId: string
    itemName: string
    variationId: string
    unitPrice: string
    quantity: string
  }[]
}

const ROLE_LABELS = {
  PURCHASED: 'Purchased',
  RETURNED: 'Returned',
  KEPT: 'Kept',
  CROSS_SOLD: 'Cross-sold',
} as const

type Refused = Record<string, string>

/**
 * The form's text as the schema's input, each value read by the reader uploads and hand entry use (the
 * store's decimal separator decides "1,234"); a value it refuses is left empty for the schema and its
 * message returned by field.
 */
function toInput(v: EditableEvent, timeZone: string, locale: string | undefined) {
  const separator = localeDecimalSeparator(locale)
  const refused: Refused = {}
  const amount = (field: AmountField, text: string | null, path: string) => {
    if (text === null) return null
    const read = readAmount(text, field, separator)
    if (read.ok) return read.value
    refused[path] = read.message
    return null
  }
  const quantity = (text: string, path: string) => {
    const read = readQuantity(text)
    if (read.ok) return read.value
    refused[path] = read.message
    return null
  }
  const [date = '', time = ''] = v.localTime.split('T')
  const input = {
    kind: v.kind,
    storeId: v.storeId,
    orderId: v.orderId,
    occurredAt: v.localTime ? localToUtc(date, time, timeZone) : null,
    customerId: v.customerId,
    revenue: amount('revenue', v.revenue, 'revenue'),
    refund: amount('refund', v.refund, 'refund'),
    returnExpenses: amount('returnExpenses', v.returnExpenses, 'returnExpenses'),
    returnShippingCost: amount('returnShippingCost', v.returnShippingCost, 'returnShippingCost'),
    returnReason: v.returnReason,
    returnType: v.returnType,
    returnPreference: v.returnPreference,
    returnDropOff: v.returnDropOff,
    lineItems: v.lineItems.map((li, i) => ({
      role: li.role,
      itemId: li.itemId,
      itemName: li.itemName,
      variationId: li.variationId,
      unitPrice: amount('unitPrice', li.unitPrice, `lineItems.${i}.unitPrice`),
      quantity: quantity(li.quantity, `lineItems.${i}.quantity`),
    })),
  }
  return { input, refused }
}

// Inline correction: every change is checked by THE sale event schema (the one the server parses with),
// and the messages sit beside their fields. Saving names the version read, so a sale queued or edited by
// someone else meanwhile is refused with a message, never overwritten.
export function SaleEventForm({
  initial,
  stores,
  storeApiReason,
  notSent = false,
  readOnlyReason,
}: {
  initial: EditableEvent
  stores: { id: string; code: string; name: string; timeZone: string; locale?: string }[]
  storeApiReason?: string | null
  /** the failure was ours (we gave up sending), not Constructor's refusal */
  notSent?: boolean
  readOnlyReason?: string | null
}) {
  const router = useRouter()
  const [v, setV] = useState(initial)
  const [serverError, setServerError] = useState<string | null>(null)
  const [conflict, setConflict] = useState(false)
  const [pending, start] = useTransition()
  const store = stores.find((s) => s.id === v.storeId)
  const zone = store?.timeZone ?? 'UTC'
  const locale = store?.locale

  const errors = useMemo(() => {
    const { input, refused } = toInput(v, zone, locale)
    const r = saleEventSchema.safeParse(input)
    const out: Record<string, string[]> = {}
    for (const [key, message] of Object.entries(refused)) out[key] = [message]
    if (!r.success)
      for (const issue of r.error.issues) {
        const key = issue.path.map(String).join('.') || '_'
        // a refused value reads as missing to the schema: the reader's message already says why
        if (key in refused) continue
        out[key] = [...(out[key] ?? []), issue.message]
      }
    return out
  }, [v, zone, locale])
  const errorCount = Object.values(errors).reduce((n, e) => n + e.length, 0)

  const set = <K extends keyof EditableEvent>(key: K, value: EditableEvent[K]) =>
    setV((s) => ({ ...s, [key]: value }))
  const setItem = (i: number, patch: Partial<EditableEvent['lineItems'][number]>) =>
    setV((s) => ({ ...s, lineItems: s.lineItems.map((li, j) => (j === i ? { ...li, ...patch } : li)) }))

  function save(e: React.FormEvent) {
    e.preventDefault()
    if (errorCount > 0) {
      setServerError(`Fix the ${errorCount === 1 ? 'problem' : `${errorCount} problems`} marked below first.`)
      return
    }
    start(async () => {
      const { input } = toInput(v, zone, locale)
      const result = await updateSaleEventAction({ eventId: v.id, version: v.version, event: input })
      if (result.ok) {
        setServerError(null)
        toast.success(
          result.data.status === 'EXCLUDED'
            ? 'Saved. The sale stays excluded.'
            : 'Saved. The sale is ready to submit.',
        )
        router.refresh()
      } else {
        setServerError(result.error)
        setConflict(/not saved/.test(result.error))
        toast.error(result.error)
      }
    })
  }

  const err = (key: string) => errors[key]
  const isReturn = v.kind === 'RETURN'
  const disabled = Boolean(readOnlyReason) || pending

  return (
    <form onSubmit={save} noValidate className="flex flex-col gap-5" aria-label="Correct this sale">
      {readOnlyReason ? (
        <p role="status" className="rounded-md border bg-muted/50 px-3 py-2 text-sm">
          {readOnlyReason}
        </p>
      ) : null}
      {storeApiReason ? (
        <p
          role="alert"
          className="rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm"
        >
          <span className="font-medium">
            {notSent ? 'Not sent (Constructor did not refuse it):' : 'Constructor refused this sale:'}
          </span>{' '}
          {storeApiReason}
        </p>
      ) : null}
      <FormError message={serverError} />
      {conflict ? (
        <div>
          <Button type="button" variant="outline" size="sm" onClick={() => window.location.reload()}>
            Reload the latest version
          </Button>
        </div>
      ) : null}
      <fieldset disabled={disabled} className="grid grid-cols-1 gap-4 md:grid-cols-3">
        <legend className="sr-only">The sale</legend>
        <SelectField
          label="Kind"
          error={err('kind')}
          value={v.kind}
          onChange={(e) => {
            const kind = e.target.value as EditableEvent['kind']
            setV((s) => ({
              ...s,
              kind,
              lineItems: s.lineItems.map((li) => ({
                ...li,
                role: kind === 'PURCHASE' ? 'PURCHASED' : li.role === 'PURCHASED' ? 'RETURNED' : li.role,
              })),
            }))
          }}
        >
          <option value="PURCHASE">Purchase</option>
          <option value="RETURN">Return</option>
        </SelectField>
        <SelectField
          label="Store"
          error={err('storeId')}
          value={v.storeId}
          onChange={(e) => set('storeId', e.target.value)}
        >
          {stores.map((s) => (
            <option key={s.id} value={s.id}>
              {s.code} · {s.name}
            </option>
          ))}
        </SelectField>
        <TextField
          label="Order number"
          error={err('orderId')}
          value={v.orderId}
          onChange={(e) => set('orderId', e.target.value)}
        />
        <TextField
          label="Sale time"
          hint={`In the store's time zone (${zone}).`}
          error={err('occurredAt')}
          type="datetime-local"
          value={v.localTime}
          onChange={(e) => set('localTime', e.target.value)}
        />
        <TextField
          label="Customer id"
          hint="Optional."
          error={err('customerId')}
          value={v.customerId}
          onChange={(e) => set('customerId', e.target.value)}
        />
        <TextField
          label="Revenue"
          hint="Optional: leave empty to use the items' total."
          error={err('revenue')}
          inputMode="decimal"
          value={v.revenue}
          onChange={(e) => set('revenue', e.target.value)}
        />
        {isReturn ? (
          <TextField
            label="Return reason"
            className="md:col-span-3"
            error={err('returnReason')}
            value={v.returnReason}
            onChange={(e) => set('returnReason', e.target.value)}
          />
        ) : null}
      </fieldset>

      <fieldset disabled={disabled} className="flex flex-col gap-3">
        <legend className="mb-2 text-sm font-semibold">Items</legend>
        {err('lineItems') ? (
          <p className="text-sm text-destructive" role="alert">
            {err('lineItems')?.join(' ')}
          </p>
        ) : null}
        {v.lineItems.map((li, i) => (
          <div key={li.key} className="grid grid-cols-12 items-start gap-3 rounded-md border p-3">
            {/* the item id and name get a line of their own: an id being fixed must be readable whole */}
            <TextField
              label={`Item ${i + 1} id (SKU)`}
              className="col-span-12"
              error={err(`lineItems.${i}.itemId`)}
              value={li.itemId}
              onChange={(e) => setItem(i, { itemId: e.target.value })}
            />
            <TextField
              label={`Item ${i + 1} name`}
              className="col-span-12"
              error={err(`lineItems.${i}.itemName`)}
              value={li.itemName}
              onChange={(e) => setItem(i, { itemName: e.target.value })}
            />
            <SelectField
              label={`Item ${i + 1} role`}
              className="col-span-12 sm:col-span-4"
              error={err(`lineItems.${i}.role`)}
              value={li.role}
              onChange={(e) => setItem(i, { role: e.target.value as (typeof LINE_ITEM_ROLES)[number] })}
            >
              {(isReturn ? LINE_ITEM_ROLES.filter((r) => r !== 'PURCHASED') : (['PURCHASED'] as const)).map(
                (r) => (
                  <option key={r} value={r}>
                    {ROLE_LABELS[r]}
                  </option>
                ),
              )}
            </SelectField>
            <TextField
              label={`Item ${i + 1} price`}
              className="col-span-5 sm:col-span-3"
              error={err(`lineItems.${i}.unitPrice`)}
              inputMode="decimal"
              value={li.unitPrice}
              onChange={(e) => setItem(i, { unitPrice: e.target.value })}
            />
            <TextField
              label={`Item ${i + 1} quantity`}
              className="col-span-5 sm:col-span-3"
              error={err(`lineItems.${i}.quantity`)}
              inputMode="numeric"
              value={li.quantity}
              onChange={(e) => setItem(i, { quantity: e.target.value })}
            />
            <div className="col-span-2 flex h-full items-end justify-end">
              <Button
                type="button"
                variant="ghost"
                size="sm"
                aria-label={`Remove item ${i + 1}`}
                onClick={() => setV((s) => ({ ...s, lineItems: s.lineItems.filter((_, j) => j !== i) }))}
              >
                <Trash2 aria-hidden />
              </Button>
            </div>
          </div>
        ))}
        <div>
          <Button
            type="button"
            variant="outline"
            size="sm"
            onClick={() =>
              setV((s) => ({
                ...s,
                lineItems: [
                  ...s.lineItems,
                  {
                    key: `new-${Date.now()}`,
                    role: s.kind === 'PURCHASE' ? 'PURCHASED' : 'RETURNED',
                    itemId: '',
                    itemName: '',
                    variationId: '',
                    unitPrice: '',
                    quantity: '1',
                  },
                ],
              }))
            }
          >
            <Plus aria-hidden />
            Add an item
          </Button>
        </div>
      </fieldset>
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={disabled}>
          {pending ? 'Saving…' : 'Save changes'}
        </Button>
        <p className="text-sm text-muted-foreground" aria-live="polite">
          {errorCount === 0
            ? 'No problems: saving makes the sale ready to submit.'
            : `${errorCount} ${errorCount === 1 ? 'problem' : 'problems'} to fix.`}
        </p>
      </div>
    </form>
  )
}
