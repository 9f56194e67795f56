'use client'

import { useRouter } from 'next/navigation'
import { useState, useTransition } from 'react'
import { FieldShell, FormError } from '@/components/forms/field'
import { Button } from '@/components/ui/button'
import { Select } from '@/components/ui/select'
import { FIELD_LABELS, REQUIRED_FIELD_GROUPS, SALES_FIELDS, type SalesField } from '@/lib/uploads/fields'
import { queueCheck } from './job-progress'

type Mapping = Partial<Record<SalesField, number | null>>

const REQUIRED = new Set<string>(REQUIRED_FIELD_GROUPS.flatMap((g) => g.fields))

export function MappingForm({
  uploadId,
  header,
  sampleRows,
  initial,
  submitLabel,
}: {
  uploadId: string
  header: string[]
  sampleRows: string[][]
  initial: Mapping
  submitLabel: string
}) {
  const router = useRouter()
  const [mapping, setMapping] = useState<Mapping>(initial)
  const [dateOrder, setDateOrder] = useState('')
  const [decimal, setDecimal] = useState('')
  const [pending, start] = useTransition()
  const [error, setError] = useState<string | null>(null)

  const missing = REQUIRED_FIELD_GROUPS.filter((g) => g.fields.every((f) => mapping[f] == null))

  // queued, the check runs on a worker: the page then shows its progress and a Cancel button, then the preview
  function check() {
    setError(null)
    start(async () => {
      const full: Mapping = {}
      for (const f of SALES_FIELDS) full[f] = mapping[f] ?? null
      const queued = await queueCheck(uploadId, {
        mapping: full,
        ...(dateOrder && { dateOrder }),
        ...(decimal && { decimalSeparator: decimal }),
      })
      if (!queued.ok) setError(queued.error)
      // refused, the upload may have moved on (cancelled, being stored): the page says where it is
      start(() => router.refresh())
    })
  }

  return (
    <form
      className="flex flex-col gap-4"
      onSubmit={(e) => {
        e.preventDefault()
        check()
      }}
    >
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        {SALES_FIELDS.map((field) => (
          <FieldShell
            key={field}
            label={`${FIELD_LABELS[field]}${REQUIRED.has(field) ? ' *' : ''}`}
            hint={
              mapping[field] != null
                ? `e.g. ${sampleRows.find((r) => (r[mapping[field] ?? -1] ?? '') !== '')?.[mapping[field] ?? -1] ?? '(empty)'}`
                : undefined
            }
          >
            {({ id, describedBy }) => (
              <Select
                id={id}
                aria-describedby={describedBy}
                value={mapping[field] == null ? '' : String(mapping[field])}
                onChange={(e) =>
                  setMapping((m) => ({
                    ...m,
                    [field]: e.target.value === '' ? null : Number(e.target.value),
                  }))
                }
              >
                <option value="">— not in this file —</option>
                {header.map((h, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: a header row may repeat a name; the index is the column
                  <option key={i} value={i}>
                    {h || `Column ${i + 1}`}
                  </option>
                ))}
              </Select>
            )}
          </FieldShell>
        ))}
        <FieldShell label="Dates are written" hint="Only matters for dates like 03/04/2026">
          {({ id, describedBy }) => (
            <Select
              id={id}
              aria-describedby={describedBy}
              value={dateOrder}
              onChange={(e) => setDateOrder(e.target.value)}
            >
              <option value="">Decide from the file</option>
              <option value="DMY">Day first (31/12/2026)</option>
              <option value="MDY">Month first (12/31/2026)</option>
            </Select>
          )}
        </FieldShell>
        <FieldShell label="Decimal separator" hint="Only matters for amounts like 1,234">
          {({ id, describedBy }) => (
            <Select
              id={id}
              aria-describedby={describedBy}
              value={decimal}
              onChange={(e) => setDecimal(e.target.value)}
            >
              <option value="">Decide from the file</option>
              <option value=".">Point (12.50)</option>
              <option value=",">Comma (12,50)</option>
            </Select>
          )}
        </FieldShell>
      </div>
      {missing.length > 0 ? (
        <p className="text-sm text-amber-900">Still needed: {missing.map((g) => g.label).join(', ')}.</p>
      ) : null}
      <FormError message={error} />
      <div>
        <Button type="submit" disabled={pending || missing.length > 0}>
          {pending ? 'Starting the check…' : submitLabel}
        </Button>
      </div>
    </form>
  )
}
