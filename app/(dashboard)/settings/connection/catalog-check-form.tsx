'use client'

import { useState } from 'react'
import { FormError } from '@/components/forms/field'
import { useActionForm } from '@/components/forms/use-action-form'
import { Button } from '@/components/ui/button'
import { saveCatalogCheckAction } from '@/lib/connection/actions'
import { saveCatalogCheckSchema } from '@/lib/connection/schema'

const CHOICES = [
  {
    hold: true,
    label: 'Hold them in Needs attention',
    hint: 'Such sales wait until someone maps the till’s SKU to the catalog’s item id. The mapping is remembered for the store.',
  },
  {
    hold: false,
    label: 'Send them anyway',
    hint: 'The preview and the sale still say the item is not in the catalog, but nothing waits.',
  },
] as const

// What the catalog pre-flight does with a sale of an item id Constructor's catalog does not hold. When the token may
// not read the catalog, the check is "unavailable" and nothing is held, whatever is chosen here.
export function CatalogCheckForm({ connectionId, hold: initial }: { connectionId: string; hold: boolean }) {
  const [hold, setHold] = useState(initial)
  const form = useActionForm(saveCatalogCheckSchema, saveCatalogCheckAction, {
    success: 'Catalog check saved',
  })
  return (
    <form
      noValidate
      aria-labelledby="catalog-check-heading"
      className="flex flex-col gap-4 border-t pt-6"
      onSubmit={(e) => {
        e.preventDefault()
        form.submit({ connectionId, holdUnknownItems: hold })
      }}
    >
      <div>
        <h3 id="catalog-check-heading" className="text-base font-semibold">
          Items not in your catalog
        </h3>
        <p className="text-sm text-muted-foreground">
          Before sales are sent, and already in an upload’s preview, their item ids are checked against your
          Constructor catalog. A sale of an item the catalog does not know teaches its ranking nothing.
        </p>
      </div>
      <FormError message={form.formError} />
      <fieldset className="flex flex-col gap-3">
        <legend className="sr-only">What happens to sales of items not in the catalog</legend>
        {CHOICES.map((c) => (
          <label key={String(c.hold)} className="flex items-start gap-2 text-sm">
            <input
              type="radio"
              name="holdUnknownItems"
              value={String(c.hold)}
              checked={hold === c.hold}
              onChange={() => setHold(c.hold)}
              className="mt-1"
            />
            <span>
              <span className="font-medium">{c.label}</span>
              <span className="block text-muted-foreground">{c.hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <div>
        <Button type="submit" disabled={form.pending}>
          {form.pending ? 'Saving…' : 'Save catalog check'}
        </Button>
      </div>
    </form>
  )
}
