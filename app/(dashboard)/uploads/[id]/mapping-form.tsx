'use client'

import { useRouter } from 'next/navigation'
import { useState } from 'react'
import { FieldShell, FormError } from '@/components/forms/field'
import { Button } from '@/components/ui/button'
import { Progress } from '@/components/ui/progress'
import { Select } from '@/components/ui/select'
import { FIELD_LABELS, REQUIRED_FIELD_GROUPS, SALES_FIELDS, type SalesField } from '@/lib/uploads/fields'
import { fetchUploadProgress, progressText } from './job-progress'

type Mapping = Partial<Record<SalesField, number | null>>
type Progressed = { fraction: number; phase: string; rows: number; events: number; text?: string }

const REQUIRED = new Set<string>(REQUIRED_FIELD_GROUPS.flatMap((g) => g.fields))

// Queues the check of the whole file (POST …/preview), then follows it until it ends: progress while it runs, then
// done or the reason it failed (also used when a store name is assigned, to check the rows again).
export async function runPreview(url: string, body: unknown, onProgress: (p: Progressed) => void) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (!res.ok) {
    const data = (await res.json().catch(() => ({}))) as { error?: string }
    return { ok: false as const, error: data.error ?? `Checking the file failed (${res.status}). Try again.` }
  }
  const { uploadId } = (await res.json()) as { uploadId: string }
  for (;;) {
    await new Promise((r) => setTimeout(r, 500))
    const p = await fetchUploadProgress(uploadId)
    if (!p) continue
    if (p.status === 'PREVIEW') return { ok: true as const }
    if (p.status !== 'PARSING')
      return { ok: false as const, error: p.errorMessage ?? 'Checking the file failed. Try again.' }
    onProgress({
      fraction: p.sizeBytes > 0 ? p.bytes / p.sizeBytes : 0,
      phase: p.started ? 'reading' : 'waiting',
      rows: p.rows,
      events: p.events,
      text: progressText(p),
    })
  }
}

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
  const [progress, setProgress] = useState<Progressed | null>(null)
  const [error, setError] = useState<string | null>(null)
  const busy = progress !== null && error === null

  const missing = REQUIRED_FIELD_GROUPS.filter((g) => g.fields.every((f) => mapping[f] == null))

  async function check() {
    setError(null)
    setProgress({ fraction: 0, phase: 'reading', rows: 0, events: 0 })
    const full: Mapping = {}
    for (const f of SALES_FIELDS) full[f] = mapping[f] ?? null
    const result = await runPreview(
      `/api/uploads/${uploadId}/preview`,
      {
        mapping: full,
        ...(dateOrder && { dateOrder }),
        ...(decimal && { decimalSeparator: decimal }),
      },
      setProgress,
    ).catch((e: Error) => ({ ok: false as const, error: e.message }))
    if (!result.ok) {
      setError(result.error)
      setProgress(null)
      router.refresh()
      return
    }
    setProgress({ fraction: 1, phase: 'done', rows: progress?.rows ?? 0, events: progress?.events ?? 0 })
    router.refresh()
    setProgress(null)
  }

  return (
    <form
      className="flex flex-col gap-4"
      onSubmit={(e) => {
        e.preventDefault()
        void check()
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
      {progress ? (
        <div className="flex flex-col gap-1">
          <Progress value={progress.fraction * 100} label="Processing progress" />
          <p className="text-xs text-muted-foreground" aria-live="polite">
            {progress.text ?? 'Checking rows…'}
          </p>
        </div>
      ) : null}
      <div>
        <Button type="submit" disabled={busy || missing.length > 0}>
          {busy ? 'Checking rows…' : submitLabel}
        </Button>
      </div>
    </form>
  )
}
