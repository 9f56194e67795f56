'use client'

import { useState } from 'react'
import { FormError, TextField } from '@/components/forms/field'
import { useActionForm } from '@/components/forms/use-action-form'
import { Button } from '@/components/ui/button'
import { saveCustomerIdPolicyAction } from '@/lib/connection/actions'
import { CUSTOMER_ID_POLICY_VALUES, saveCustomerIdPolicySchema } from '@/lib/connection/schema'

type Policy = (typeof CUSTOMER_ID_POLICY_VALUES)[number]

const CHOICES: Record<Policy, { label: string; hint: string }> = {
  AS_IS: {
    label: 'Send as is',
    hint: 'For ids that are already pseudonymous and that your website also sends, such as a loyalty number. An email address or a phone number is still never sent in clear: hashed when a secret is set, otherwise left out.',
  },
  PSEUDONYMISE: {
    label: 'Pseudonymise',
    hint: 'Every id is sent as HMAC-SHA-256 (hex) under the secret below, after normalising it. Use the secret your website hashes the same ids with.',
  },
  OMIT: { label: "Don't send", hint: 'No customer id leaves; sales still go out without one.' },
}

// The secret is write-only: the field starts empty, the page shows only when one was set, and an empty field
// keeps it. A generated secret is shown once, here, for the web team.
export function CustomerIdPolicyForm({
  connectionId,
  policy: initialPolicy,
  secretSetAt,
}: {
  connectionId: string
  policy: Policy
  secretSetAt: string | null
}) {
  const [policy, setPolicy] = useState<Policy>(initialPolicy)
  const [secret, setSecret] = useState('')
  const [generated, setGenerated] = useState<string | null>(null)
  const form = useActionForm(saveCustomerIdPolicySchema, saveCustomerIdPolicyAction, {
    success: 'Customer id policy saved',
    onSuccess: ({ generatedSecret }) => {
      setSecret('')
      setGenerated(generatedSecret ?? null)
    },
  })
  const submit = (extra: { generate?: boolean; clearSecret?: boolean } = {}) =>
    form.submit({
      connectionId,
      policy,
      secret: extra.generate || extra.clearSecret ? undefined : secret,
      ...extra,
    })
  return (
    <form
      noValidate
      aria-labelledby="customer-ids-heading"
      className="flex flex-col gap-4 border-t pt-6"
      onSubmit={(e) => {
        e.preventDefault()
        submit()
      }}
    >
      <div>
        <h3 id="customer-ids-heading" className="text-base font-semibold">
          Customer ids
        </h3>
        <p className="text-sm text-muted-foreground">
          Constructor joins in-store sales to a shopper's online behaviour through this id, so it must be the
          id your website sends, and it must be pseudonymous.
        </p>
      </div>
      <FormError message={form.formError} />
      <fieldset className="flex flex-col gap-3">
        <legend className="sr-only">How customer ids are sent</legend>
        {CUSTOMER_ID_POLICY_VALUES.map((value) => (
          <label key={value} className="flex items-start gap-2 text-sm">
            <input
              type="radio"
              name="customerIdPolicy"
              value={value}
              checked={policy === value}
              onChange={() => setPolicy(value)}
              className="mt-1"
            />
            <span>
              <span className="font-medium">{CHOICES[value].label}</span>
              <span className="block text-muted-foreground">{CHOICES[value].hint}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <TextField
        label="Pseudonymisation secret"
        type="password"
        autoComplete="off"
        placeholder={secretSetAt ? `set on ${secretSetAt}` : 'not set'}
        hint={
          <>
            {secretSetAt ? `A secret is set (since ${secretSetAt}). Leave empty to keep it. ` : ''}
            Changing or rotating the secret changes every pseudonymised id from then on: Constructor will see
            them as new shoppers.
          </>
        }
        value={secret}
        onChange={(e) => setSecret(e.target.value)}
        error={form.errors.secret}
      />
      {generated ? (
        <div
          role="status"
          className="rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900"
        >
          <p className="font-medium">New secret, shown this once. Give it to your web team:</p>
          <code className="mt-1 block break-all font-mono" data-testid="generated-secret">
            {generated}
          </code>
        </div>
      ) : null}
      <div className="flex flex-wrap gap-2">
        <Button type="submit" disabled={form.pending}>
          {form.pending ? 'Saving…' : 'Save customer id policy'}
        </Button>
        <Button
          type="button"
          variant="outline"
          disabled={form.pending}
          onClick={() => submit({ generate: true })}
        >
          Generate a new secret
        </Button>
        {secretSetAt ? (
          <Button
            type="button"
            variant="outline"
            disabled={form.pending}
            onClick={() => submit({ clearSecret: true })}
          >
            Remove the secret
          </Button>
        ) : null}
      </div>
    </form>
  )
}
