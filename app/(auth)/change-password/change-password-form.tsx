'use client'

import { useState } from 'react'
import { FormError, TextField } from '@/components/forms/field'
import { useActionForm } from '@/components/forms/use-action-form'
import { Button } from '@/components/ui/button'
import { changePasswordSchema } from '@/lib/auth/schema'
import { changePasswordAction } from '@/lib/auth/sign-in/actions'
import { PASSWORD_MIN } from '@/lib/users/schema'

export function ChangePasswordForm() {
  const [values, setValues] = useState({ currentPassword: '', newPassword: '', confirmPassword: '' })
  const form = useActionForm(changePasswordSchema, changePasswordAction, { success: 'Password changed' })
  const set = (k: keyof typeof values) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setValues((v) => ({ ...v, [k]: e.target.value }))
  return (
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
        label="Current password"
        type="password"
        autoComplete="current-password"
        value={values.currentPassword}
        onChange={set('currentPassword')}
        error={form.errors.currentPassword}
      />
      <TextField
        label="New password"
        type="password"
        autoComplete="new-password"
        hint={`At least ${PASSWORD_MIN} characters. A short sentence is easy to remember; common passwords are refused.`}
        value={values.newPassword}
        onChange={set('newPassword')}
        error={form.errors.newPassword}
      />
      <TextField
        label="Confirm new password"
        type="password"
        autoComplete="new-password"
        value={values.confirmPassword}
        onChange={set('confirmPassword')}
        error={form.errors.confirmPassword}
      />
      <Button type="submit" disabled={form.pending}>
        {form.pending ? 'Saving…' : 'Change password'}
      </Button>
    </form>
  )
}
