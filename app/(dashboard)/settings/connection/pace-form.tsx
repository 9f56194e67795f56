'use client'

import { useState } from 'react'
import { FormError, TextField } from '@/components/forms/field'
import { useActionForm } from '@/components/forms/use-action-form'
import { Button } from '@/components/ui/button'
import { savePaceAction } from '@/lib/connection/pace/actions'
import { PACE_LIMITS, savePaceSchema } from '@/lib/connection/pace/schema'

// The sending pace towards Constructor, shared by every worker: its own form, saved apart from the credentials
// (saving it neither tests nor resumes the connection).
export function PaceForm({
  connectionId,
  initial,
  effective,
}: {
  connectionId: string
  initial: { maxRequestsPerSecond: number; maxConcurrency: number }
  /** the pace in effect now: lower than the limit for a while after Constructor answered 429 */
  effective: { rate: number; slowedUntil: string | null } | null
}) {
  const [values, setValues] = useState({
    maxRequestsPerSecond: String(initial.maxRequestsPerSecond),
    maxConcurrency: String(initial.maxConcurrency),
  })
  const form = useActionForm(savePaceSchema, savePaceAction, {
    success: (saved) =>
      `Sending pace saved: up to ${saved.maxRequestsPerSecond} requests per second, ${saved.maxConcurrency} at once`,
  })
  const set = (k: keyof typeof values) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setValues((v) => ({ ...v, [k]: e.target.value }))
  const rate = PACE_LIMITS.maxRequestsPerSecond
  const conc = PACE_LIMITS.maxConcurrency
  return (
    <section aria-labelledby="pace-heading" className="flex flex-col gap-3 border-t pt-4">
      <div>
        <h3 id="pace-heading" className="text-base font-semibold">
          Sending pace
        </h3>
        <p className="text-sm text-muted-foreground">
          How fast sales go to Constructor, across every worker together. Lower the rate if Constructor keeps
          answering “too many requests”; a change applies within a second.
        </p>
        {effective && effective.rate < initial.maxRequestsPerSecond ? (
          <p role="status" className="mt-1 text-sm text-amber-800">
            Constructor asked us to slow down: sending at about {Math.floor(effective.rate)} requests per
            second
            {effective.slowedUntil ? `, holding until ${effective.slowedUntil}` : ''}, growing back to the
            limit.
          </p>
        ) : null}
      </div>
      <form
        noValidate
        className="flex flex-col gap-4"
        onSubmit={(e) => {
          e.preventDefault()
          form.submit({ connectionId, ...values })
        }}
      >
        <FormError message={form.formError} />
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField
            label="Requests per second"
            type="number"
            inputMode="numeric"
            min={rate.min}
            max={rate.max}
            step={1}
            hint={`At most this many requests start each second (${rate.min}–${rate.max}). Each request carries up to 100 sales.`}
            value={values.maxRequestsPerSecond}
            onChange={set('maxRequestsPerSecond')}
            error={form.errors.maxRequestsPerSecond}
          />
          <TextField
            label="Requests at once"
            type="number"
            inputMode="numeric"
            min={conc.min}
            max={conc.max}
            step={1}
            hint={`Requests waiting for Constructor's answer at the same time (${conc.min}–${conc.max}).`}
            value={values.maxConcurrency}
            onChange={set('maxConcurrency')}
            error={form.errors.maxConcurrency}
          />
        </div>
        <div>
          <Button type="submit" variant="outline" disabled={form.pending}>
            {form.pending ? 'Saving…' : 'Save sending pace'}
          </Button>
        </div>
      </form>
    </section>
  )
}
