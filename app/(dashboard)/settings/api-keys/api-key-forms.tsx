'use client'

import { useState } from 'react'
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
import { createApiKeyAction, revokeApiKeyAction, setSubmitScheduleAction } from '@/lib/feed/actions'
import { createApiKeySchema, SCHEDULE_LABELS, SCHEDULE_MODES, setScheduleSchema } from '@/lib/feed/schema'

type StoreOption = { id: string; code: string; name: string }

/** copies text and says so; a browser without clipboard access is told to select it instead */
export function CopyButton({ text, label }: { text: string; label: string }) {
  return (
    <Button
      type="button"
      size="sm"
      variant="outline"
      onClick={() =>
        navigator.clipboard.writeText(text).then(
          () => toast.success('Copied'),
          () => toast.error('Copying is blocked here: select the text and copy it yourself.'),
        )
      }
    >
      {label}
    </Button>
  )
}

export function CreateApiKeyDialog({ stores }: { stores: StoreOption[] }) {
  const [open, setOpen] = useState(false)
  const [name, setName] = useState('')
  const [storeIds, setStoreIds] = useState<string[]>([])
  const [created, setCreated] = useState<{ key: string; prefix: string } | null>(null)
  const form = useActionForm(createApiKeySchema, createApiKeyAction, {
    onSuccess: (d) => setCreated({ key: d.key, prefix: d.prefix }),
  })
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o)
        if (o) {
          setName('')
          setStoreIds(stores.length === 1 && stores[0] ? [stores[0].id] : [])
          setCreated(null)
        }
      }}
    >
      <DialogTrigger asChild>
        <Button size="sm">New API key</Button>
      </DialogTrigger>
      <DialogContent>
        {created ? (
          <>
            <DialogHeader>
              <DialogTitle>Copy the key now</DialogTitle>
              <DialogDescription>
                This is the only time it is shown. Store it in the till’s job; if it is lost, revoke it and
                create another.
              </DialogDescription>
            </DialogHeader>
            <div className="flex flex-col gap-2">
              <label htmlFor="new-api-key" className="text-sm font-medium">
                API key
              </label>
              <input
                id="new-api-key"
                readOnly
                value={created.key}
                onFocus={(e) => e.currentTarget.select()}
                className="w-full rounded-md border bg-muted px-3 py-2 font-mono text-xs"
              />
            </div>
            <DialogFooter>
              <CopyButton text={created.key} label="Copy key" />
              <Button onClick={() => setOpen(false)}>Done</Button>
            </DialogFooter>
          </>
        ) : (
          <>
            <DialogHeader>
              <DialogTitle>New API key</DialogTitle>
              <DialogDescription>
                A till or POS system pushes sales with it. It may write only the stores you choose.
              </DialogDescription>
            </DialogHeader>
            <form
              noValidate
              className="flex flex-col gap-4"
              onSubmit={(e) => {
                e.preventDefault()
                form.submit({ name, storeIds })
              }}
            >
              <FormError message={form.formError} />
              <TextField
                label="Name"
                hint="Which till or system uses it, e.g. “Berlin till 1”."
                value={name}
                onChange={(e) => setName(e.target.value)}
                error={form.errors.name}
              />
              <fieldset
                className="flex flex-col gap-2"
                aria-describedby={form.errors.storeIds ? 'key-stores-error' : undefined}
              >
                <legend className="mb-1 text-sm font-medium">Stores it may write</legend>
                <div className="grid max-h-48 grid-cols-2 gap-2 overflow-y-auto">
                  {stores.map((s) => (
                    <label key={s.id} className="flex items-center gap-2 text-sm">
                      <input
                        type="checkbox"
                        checked={storeIds.includes(s.id)}
                        onChange={(e) =>
                          setStoreIds((ids) =>
                            e.target.checked ? [...ids, s.id] : ids.filter((id) => id !== s.id),
                          )
                        }
                      />
                      <span className="font-mono">{s.code}</span>
                      <span className="truncate text-muted-foreground">{s.name}</span>
                    </label>
                  ))}
                </div>
                {form.errors.storeIds ? (
                  <p id="key-stores-error" className="text-xs text-destructive">
                    {form.errors.storeIds.join(' ')}
                  </p>
                ) : null}
              </fieldset>
              <DialogFooter>
                <Button type="submit" disabled={form.pending}>
                  {form.pending ? 'Creating…' : 'Create key'}
                </Button>
              </DialogFooter>
            </form>
          </>
        )}
      </DialogContent>
    </Dialog>
  )
}

export function RevokeApiKeyButton({ keyId, name, prefix }: { keyId: string; name: string; prefix: string }) {
  return (
    <ConfirmButton
      label={`Revoke`}
      title={`Revoke ${name} (${prefix}…)?`}
      description="Its next request is refused. Sales it already pushed stay. This cannot be undone: create a new key instead."
      confirmLabel="Revoke key"
      success={`Key ${prefix}… revoked`}
      variant="destructive"
      run={() => revokeApiKeyAction({ keyId })}
    />
  )
}

export function ScheduleForm({
  storeId,
  code,
  mode,
  dailyAt,
}: {
  storeId: string
  code: string
  mode: (typeof SCHEDULE_MODES)[number]
  dailyAt: string | null
}) {
  const [values, setValues] = useState({ mode, dailyAt: dailyAt ?? '23:30' })
  const form = useActionForm(setScheduleSchema, setSubmitScheduleAction, {
    success: `Schedule of ${code} saved`,
  })
  return (
    <form
      noValidate
      className="flex flex-wrap items-end gap-2"
      onSubmit={(e) => {
        e.preventDefault()
        form.submit({
          storeId,
          mode: values.mode,
          ...(values.mode === 'DAILY' && { dailyAt: values.dailyAt }),
        })
      }}
    >
      <FieldShell label={`When ${code}’s sales are submitted`} error={form.errors.mode}>
        {({ id, describedBy }) => (
          <Select
            id={id}
            aria-describedby={describedBy}
            value={values.mode}
            onChange={(e) => setValues((v) => ({ ...v, mode: e.target.value as typeof mode }))}
          >
            {SCHEDULE_MODES.map((m) => (
              <option key={m} value={m}>
                {SCHEDULE_LABELS[m]}
              </option>
            ))}
          </Select>
        )}
      </FieldShell>
      {values.mode === 'DAILY' ? (
        <TextField
          label={`Time in ${code}’s zone`}
          type="time"
          value={values.dailyAt}
          onChange={(e) => setValues((v) => ({ ...v, dailyAt: e.target.value }))}
          error={form.errors.dailyAt}
        />
      ) : null}
      <Button type="submit" size="sm" disabled={form.pending}>
        Save<span className="sr-only"> schedule of {code}</span>
      </Button>
    </form>
  )
}
