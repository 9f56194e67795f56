'use client'

import { useState } from 'react'
import { FormError, TextField } from '@/components/forms/field'
import { useActionForm } from '@/components/forms/use-action-form'
import { Button } from '@/components/ui/button'
import { signInSchema } from '@/lib/auth/schema'
import { signInAction } from '@/lib/auth/sign-in/actions'

export function LoginForm({ next, initialError }: { next: string; initialError: string | null }) {
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const form = useActionForm(signInSchema, signInAction, { toastErrors: false })
  const error = form.formError ?? initialError
  return (
    <form
      noValidate
      className="flex flex-col gap-4"
      onSubmit={(e) => {
        e.preventDefault()
        form.submit({ email, password, next })
      }}
    >
      <FormError message={error} />
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="username"
        required
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={form.errors.email}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={form.errors.password}
      />
      <Button type="submit" disabled={form.pending}>
        {form.pending ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  )
}
