'use client'

import { X } from 'lucide-react'
import { useState, useTransition } from 'react'
import { FormError, TextField } from '@/components/forms/field'
import { useActionForm } from '@/components/forms/use-action-form'
import { Button } from '@/components/ui/button'
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from '@/components/ui/dialog'
import { toast } from '@/components/ui/toast'
import { addStoreNameAction, removeStoreNameAction } from '@/lib/stores/actions'
import { addStoreNameSchema } from '@/lib/stores/schema'

// The names a store's tills write for it (Shopify's or Square's Location, register codes): uploads find the
// store by its code or any of these, ignoring case and spacing.
export function StoreNamesDialog({
  storeId,
  code,
  names,
}: {
  storeId: string
  code: string
  names: { id: string; name: string }[]
}) {
  const [name, setName] = useState('')
  const [removing, startRemove] = useTransition()
  const add = useActionForm(addStoreNameSchema, addStoreNameAction, {
    success: (d) => (d.added ? `'${d.name}' now names ${code}` : `'${d.name}' already names ${code}`),
    onSuccess: () => setName(''),
    toastErrors: false,
  })
  return (
    <Dialog>
      <DialogTrigger asChild>
        <Button size="sm" variant="outline">
          Till names ({names.length})<span className="sr-only"> of {code}</span>
        </Button>
      </DialogTrigger>
      <DialogContent className="max-w-lg">
        <DialogHeader>
          <DialogTitle>Till names of {code}</DialogTitle>
          <DialogDescription>
            The names your tills write for this store in their exports, such as Shopify's or Square's Location
            or a register code. Uploads find the store by its code or any of these names, whatever the case
            and spacing; punctuation counts ("Mission St." and "Mission St" are two names). A name can belong
            to one store only.
          </DialogDescription>
        </DialogHeader>
        {names.length === 0 ? (
          <p className="text-sm text-muted-foreground">No names yet: files must use the code {code}.</p>
        ) : (
          <ul className="flex flex-wrap gap-2" aria-label={`Till names of ${code}`}>
            {names.map((n) => (
              <li key={n.id} className="flex items-center gap-1 rounded-md border py-1 pr-1 pl-2 text-sm">
                {n.name}
                <Button
                  size="sm"
                  variant="ghost"
                  className="size-6 p-0"
                  aria-label={`Remove the name ${n.name}`}
                  disabled={removing}
                  onClick={() =>
                    startRemove(async () => {
                      const r = await removeStoreNameAction({ aliasId: n.id })
                      if (r.ok) toast.success(`'${n.name}' removed from ${code}`)
                      else toast.error(r.error)
                    })
                  }
                >
                  <X className="size-4" aria-hidden />
                </Button>
              </li>
            ))}
          </ul>
        )}
        <form
          noValidate
          className="flex items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault()
            add.submit({ storeId, name })
          }}
        >
          <TextField
            label="Add a name"
            className="flex-1"
            value={name}
            maxLength={250}
            onChange={(e) => setName(e.target.value)}
            error={add.errors.name}
          />
          <Button type="submit" disabled={add.pending}>
            {add.pending ? 'Adding…' : 'Add'}
          </Button>
        </form>
        {add.formError && !add.errors.name ? <FormError message={add.formError} /> : null}
      </DialogContent>
    </Dialog>
  )
}
