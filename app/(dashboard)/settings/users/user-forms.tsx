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
import {
  createUserAction,
  resetPasswordAction,
  setUserActiveAction,
  updateUserAccessAction,
} from '@/lib/users/actions'
import {
  createUserSchema,
  PASSWORD_MIN,
  type RoleName,
  resetPasswordSchema,
  updateUserAccessSchema,
} from '@/lib/users/schema'

type StoreOption = { id: string; code: string; name: string; active: boolean }

/** a readable temporary password: four random words' worth of letters, well over the minimum */
function suggestPassword() {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789'
  const bytes = crypto.getRandomValues(new Uint8Array(20))
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join('')
  return `${chars.slice(0, 5)}-${chars.slice(5, 10)}-${chars.slice(10, 15)}-${chars.slice(15, 20)}`
}

function RoleAndStores({
  role,
  storeIds,
  stores,
  errors,
  onRole,
  onStores,
}: {
  role: RoleName
  storeIds: string[]
  stores: StoreOption[]
  errors: Record<string, string[]>
  onRole: (r: RoleName) => void
  onStores: (ids: string[]) => void
}) {
  return (
    <>
      <FieldShell label="Role" error={errors.role}>
        {({ id, describedBy }) => (
          <Select
            id={id}
            aria-describedby={describedBy}
            value={role}
            onChange={(e) => onRole(e.target.value as RoleName)}
          >
            <option value="MANAGER">Store manager: only the stores below</option>
            <option value="ADMIN">Admin: every store and the settings</option>
          </Select>
        )}
      </FieldShell>
      {role === 'MANAGER' ? (
        <fieldset
          className="flex flex-col gap-2"
          aria-describedby={errors.storeIds ? 'stores-error' : undefined}
        >
          <legend className="mb-1 text-sm font-medium">Stores</legend>
          <div className="grid max-h-48 grid-cols-2 gap-2 overflow-y-auto">
            {stores.map((s) => (
              <label key={s.id} className="flex items-center gap-2 text-sm">
                <input
                  type="checkbox"
                  checked={storeIds.includes(s.id)}
                  onChange={(e) =>
                    onStores(e.target.checked ? [...storeIds, s.id] : storeIds.filter((id) => id !== s.id))
                  }
                />
                <span className="font-mono">{s.code}</span>
                <span className="truncate text-muted-foreground">
                  {s.name}
                  {s.active ? '' : ' (deactivated)'}
                </span>
              </label>
            ))}
          </div>
          {errors.storeIds ? (
            <p id="stores-error" className="text-xs text-destructive">
              {errors.storeIds.join(' ')}
            </p>
          ) : null}
        </fieldset>
      ) : null}
    </>
  )
}

export function CreateUserDialog({ stores }: { stores: StoreOption[] }) {
  const empty = () => ({
    email: '',
    name: '',
    role: 'MANAGER' as RoleName,
    storeIds: [] as string[],
    temporaryPassword: suggestPassword(),
  })
  const [open, setOpen] = useState(false)
  const [values, setValues] = useState(empty)
  const form = useActionForm(createUserSchema, createUserAction, {
    success: (d) =>
      `User ${d.email} created. Give them the temporary password; they choose their own at first sign-in.`,
    onSuccess: () => setOpen(false),
  })
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o)
        if (o) setValues(empty())
      }}
    >
      <DialogTrigger asChild>
        <Button size="sm">New user</Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>New user</DialogTitle>
          <DialogDescription>
            They sign in with the temporary password and must change it at once.
          </DialogDescription>
        </DialogHeader>
        <form
          noValidate
          className="flex flex-col gap-4"
          onSubmit={(e) => {
            e.preventDefault()
            form.submit(values)
          }}
        >
          <FormError message={form.formError} />
          <TextField
            label="Email"
            type="email"
            value={values.email}
            onChange={(e) => setValues((v) => ({ ...v, email: e.target.value }))}
            error={form.errors.email}
          />
          <TextField
            label="Name"
            value={values.name}
            onChange={(e) => setValues((v) => ({ ...v, name: e.target.value }))}
            error={form.errors.name}
          />
          <RoleAndStores
            role={values.role}
            storeIds={values.storeIds}
            stores={stores}
            errors={form.errors}
            onRole={(role) => setValues((v) => ({ ...v, role }))}
            onStores={(storeIds) => setValues((v) => ({ ...v, storeIds }))}
          />
          <TextField
            label="Temporary password"
            autoComplete="off"
            hint={`At least ${PASSWORD_MIN} characters; share it with them privately.`}
            value={values.temporaryPassword}
            onChange={(e) => setValues((v) => ({ ...v, temporaryPassword: e.target.value }))}
            error={form.errors.temporaryPassword}
          />
          <DialogFooter>
            <Button type="submit" disabled={form.pending}>
              {form.pending ? 'Creating…' : 'Create user'}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  )
}

export function EditAccessDialog({
  user,
  stores,
}: {
  user: { userId: string; email: string; role: RoleName; storeIds: string[] }
  stores: StoreOption[]
}) {
  const [open, setOpen] = useState(false)
  const [values, setValues] = useState(user)
  const form = useActionForm(updateUserAccessSchema, updateUserAccessAction, {
    success: `Access of ${user.email} changed; their open sessions were signed out`,
    onSuccess: () => setOpen(false),
  })
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o)
        if (o) setValues(user)
      }}
    >
      <DialogTrigger asChild>
        <Button size="sm" variant="outline">
          Access<span className="sr-only"> of {user.email}</span>
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Access of {user.email}</DialogTitle>
          <DialogDescription>Takes effect at their next click: they sign in again.</DialogDescription>
        </DialogHeader>
        <form
          noValidate
          className="flex flex-col gap-4"
          onSubmit={(e) => {
            e.preventDefault()
            form.submit({ userId: values.userId, role: values.role, storeIds: values.storeIds })
          }}
        >
          <FormError message={form.formError} />
          <RoleAndStores
            role={values.role}
            storeIds={values.storeIds}
            stores={stores}
            errors={form.errors}
            onRole={(role) => setValues((v) => ({ ...v, role }))}
            onStores={(storeIds) => setValues((v) => ({ ...v, storeIds }))}
          />
          <DialogFooter>
            <Button type="submit" disabled={form.pending}>
              Save access
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  )
}

export function ResetPasswordDialog({ userId, email }: { userId: string; email: string }) {
  const [open, setOpen] = useState(false)
  const [temporaryPassword, setPassword] = useState('')
  const form = useActionForm(resetPasswordSchema, resetPasswordAction, {
    success: `Password of ${email} reset; they must change it at their next sign-in`,
    onSuccess: () => setOpen(false),
  })
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o)
        if (o) setPassword(suggestPassword())
      }}
    >
      <DialogTrigger asChild>
        <Button size="sm" variant="outline">
          Reset password<span className="sr-only"> of {email}</span>
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Reset the password of {email}</DialogTitle>
          <DialogDescription>
            Their sessions end now; they sign in with this temporary password.
          </DialogDescription>
        </DialogHeader>
        <form
          noValidate
          className="flex flex-col gap-4"
          onSubmit={(e) => {
            e.preventDefault()
            form.submit({ userId, temporaryPassword })
          }}
        >
          <FormError message={form.formError} />
          <TextField
            label="Temporary password"
            autoComplete="off"
            value={temporaryPassword}
            onChange={(e) => setPassword(e.target.value)}
            error={form.errors.temporaryPassword}
          />
          <DialogFooter>
            <Button type="submit" disabled={form.pending}>
              Reset password
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  )
}

export function UserActiveButton({
  userId,
  email,
  active,
}: {
  userId: string
  email: string
  active: boolean
}) {
  const [pending, start] = useTransition()
  if (active)
    return (
      <ConfirmButton
        label={`Deactivate ${email}`}
        title={`Deactivate ${email}?`}
        description="They are signed out at once and cannot sign in until you reactivate them. Their history is kept."
        confirmLabel="Deactivate"
        success={`${email} deactivated`}
        run={() => setUserActiveAction({ userId, active: false })}
      />
    )
  return (
    <Button
      size="sm"
      variant="outline"
      disabled={pending}
      onClick={() =>
        start(async () => {
          const r = await setUserActiveAction({ userId, active: true })
          if (r.ok) toast.success(`${email} reactivated`)
          else toast.error(r.error)
        })
      }
    >
      Reactivate {email}
    </Button>
  )
}
