'use client'

import { useState, useTransition } from 'react'
import { ConfirmButton } from '@/components/forms/confirm-button'
import { FieldShell, FormError, TextField } from '@/components/forms/field'
import { useActionForm } from '@/components/forms/use-action-form'
import { Button } from '@/components/ui/button'
import {
  Dialog,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from '@/components/ui/dialog'
import { Select } from '@/components/ui/select'
import { toast } from '@/components/ui/toast'
import { createStoreAction, setStoreActiveAction, updateStoreAction } from '@/lib/stores/actions'
import { createStoreSchema, TIME_ZONES, type UpdateStoreInput, updateStoreSchema } from '@/lib/stores/schema'

type StoreValues = Omit<UpdateStoreInput, 'storeId'> & { latitude: string; longitude: string }

const EMPTY: StoreValues = {
  code: '',
  name: '',
  latitude: '',
  longitude: '',
  timeZone: 'UTC',
  currency: 'USD',
  locale: 'en-US',
}

export function StoreFormDialog({ store }: { store?: StoreValues & { storeId: string } }) {
  const [open, setOpen] = useState(false)
  const [values, setValues] = useState<StoreValues>(store ?? EMPTY)
  const editing = Boolean(store)
  const create = useActionForm(createStoreSchema, createStoreAction, {
    success: (d) => `Store ${d.code} created`,
    onSuccess: () => {
      setOpen(false)
      setValues(EMPTY)
    },
  })
  const update = useActionForm(updateStoreSchema, updateStoreAction, {
    success: (d) => `Store ${d.code} saved`,
    onSuccess: () => setOpen(false),
  })
  const form = editing ? update : create
  const set = (k: keyof StoreValues) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setValues((v) => ({ ...v, [k]: e.target.value }))
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o)
        if (o) setValues(store ?? EMPTY)
      }}
    >
      <DialogTrigger asChild>
        <Button size="sm" variant={editing ? 'outline' : 'default'}>
          {editing ? 'Edit' : 'New store'}
          {editing ? <span className="sr-only"> {store?.code}</span> : null}
        </Button>
      </DialogTrigger>
      <DialogContent className="max-w-xl">
        <DialogHeader>
          <DialogTitle>{editing ? `Edit store ${store?.code}` : 'New store'}</DialogTitle>
          <DialogDescription>The code is the store id sent to Constructor with every sale.</DialogDescription>
        </DialogHeader>
        <form
          noValidate
          className="grid grid-cols-2 gap-4"
          onSubmit={(e) => {
            e.preventDefault()
            if (store) update.submit({ ...values, storeId: store.storeId })
            else create.submit(values)
          }}
        >
          <div className="col-span-2">
            <FormError message={form.formError} />
          </div>
          <TextField
            label="Code"
            value={values.code}
            onChange={set('code')}
            error={form.errors.code}
            required
          />
          <TextField
            label="Name"
            value={values.name}
            onChange={set('name')}
            error={form.errors.name}
            required
          />
          <TextField
            label="Latitude"
            inputMode="decimal"
            hint="Decimal degrees, −90 to 90, e.g. 40.7233"
            value={values.latitude}
            onChange={set('latitude')}
            error={form.errors.latitude}
          />
          <TextField
            label="Longitude"
            inputMode="decimal"
            hint="Decimal degrees, −180 to 180, e.g. -74.0030"
            value={values.longitude}
            onChange={set('longitude')}
            error={form.errors.longitude}
          />
          <FieldShell label="Time zone" error={form.errors.timeZone} className="col-span-2">
            {({ id, describedBy, invalid }) => (
              <Select
                id={id}
                aria-describedby={describedBy}
                aria-invalid={invalid || undefined}
                value={values.timeZone}
                onChange={set('timeZone')}
              >
                {TIME_ZONES.map((z) => (
                  <option key={z} value={z}>
                    {z}
                  </option>
                ))}
              </Select>
            )}
          </FieldShell>
          <TextField
            label="Currency"
            hint="ISO 4217, e.g. USD"
            maxLength={3}
            value={values.currency}
            onChange={set('currency')}
            error={form.errors.currency}
          />
          <TextField
            label="Locale"
            hint="How amounts are shown, e.g. en-US"
            value={values.locale}
            onChange={set('locale')}
            error={form.errors.locale}
          />
          <DialogFooter className="col-span-2">
            <Button type="submit" disabled={form.pending}>
              {form.pending ? 'Saving…' : editing ? 'Save store' : 'Create store'}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  )
}

export function StoreActiveButton({
  storeId,
  code,
  active,
}: {
  storeId: string
  code: string
  active: boolean
}) {
  const [pending, start] = useTransition()
  if (active)
    return (
      <ConfirmButton
        label={`Deactivate ${code}`}
        title={`Deactivate store ${code}?`}
        description="Its managers lose access to it at once. Its sales, uploads and batches are kept, and you can reactivate it later."
        confirmLabel="Deactivate"
        success={`Store ${code} deactivated`}
        run={() => setStoreActiveAction({ storeId, active: false })}
      />
    )
  return (
    <Button
      size="sm"
      variant="outline"
      disabled={pending}
      onClick={() =>
        start(async () => {
          const r = await setStoreActiveAction({ storeId, active: true })
          if (r.ok) toast.success(`Store ${code} reactivated`)
          else toast.error(r.error)
        })
      }
    >
      Reactivate {code}
    </Button>
  )
}
