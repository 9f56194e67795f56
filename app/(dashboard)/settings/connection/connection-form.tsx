'use client'

import { useState, useTransition } from 'react'
import { FormError, TextField } from '@/components/forms/field'
import { useActionForm } from '@/components/forms/use-action-form'
import { Button } from '@/components/ui/button'
import { toast } from '@/components/ui/toast'
import { saveConnectionAction, testConnectionAction } from '@/lib/connection/actions'
import { saveConnectionSchema } from '@/lib/connection/schema'

// The token field is write-only: it starts empty, shows only the stored token's last four
// characters, and an empty field keeps the stored token.
export function ConnectionForm({
  initial,
  tokenHint,
  connectionId,
}: {
  initial: { baseUrl: string; apiKey: string; section: string }
  tokenHint: string | null
  connectionId: string | null
}) {
  const [values, setValues] = useState({ ...initial, token: '' })
  const [testing, startTest] = useTransition()
  const form = useActionForm(saveConnectionSchema, saveConnectionAction, {
    onSuccess: ({ test }) => {
      setValues((v) => ({ ...v, token: '' }))
      if (test.ok)
        toast.success(test.resumed ? 'Saved and tested; sending has resumed' : 'Saved and tested: it works')
      else toast.error(`Saved, but the test failed: ${test.message}`)
    },
  })
  const set = (k: keyof typeof values) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setValues((v) => ({ ...v, [k]: e.target.value }))
  return (
    <form
      noValidate
      className="flex flex-col gap-4"
      onSubmit={(e) => {
        e.preventDefault()
        form.submit({ ...values, connectionId: connectionId ?? undefined })
      }}
    >
      <FormError message={form.formError} />
      <TextField
        label="Base URL"
        type="url"
        hint="Constructor's API address, e.g. https://ac.cnstrc.com"
        value={values.baseUrl}
        onChange={set('baseUrl')}
        error={form.errors.baseUrl}
      />
      <TextField
        label="API key"
        hint="The index key, sent as ?key="
        value={values.apiKey}
        onChange={set('apiKey')}
        error={form.errors.apiKey}
      />
      <TextField
        label="Section"
        value={values.section}
        onChange={set('section')}
        error={form.errors.section}
      />
      <TextField
        label="API token"
        type="password"
        autoComplete="off"
        placeholder={tokenHint ? `set, ends …${tokenHint}` : 'not set'}
        hint={tokenHint ? `A token is set (ends …${tokenHint}). Leave empty to keep it.` : 'Required.'}
        value={values.token}
        onChange={set('token')}
        error={form.errors.token}
      />
      <div className="flex gap-2">
        <Button type="submit" disabled={form.pending}>
          {form.pending ? 'Saving and testing…' : 'Save'}
        </Button>
        <Button
          type="button"
          variant="outline"
          disabled={!connectionId || testing}
          onClick={() =>
            startTest(async () => {
              if (!connectionId) return
              const r = await testConnectionAction({ connectionId })
              if (!r.ok) toast.error(r.error)
              else if (r.data.test.ok) toast.success('Test connection: it works')
              else toast.error(`Test connection failed: ${r.data.test.message}`)
            })
          }
        >
          {testing ? 'Testing…' : 'Test connection'}
        </Button>
      </div>
    </form>
  )
}
