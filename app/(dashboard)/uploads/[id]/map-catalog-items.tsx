'use client'

import { useRouter } from 'next/navigation'
import { useId, useState } from 'react'
import { FormError } from '@/components/forms/field'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { toast } from '@/components/ui/toast'
import { mapItemIdAction } from '@/lib/catalog/actions'
import { mapItemIdSchema } from '@/lib/catalog/schema'
import { formatCount } from '@/lib/utils/format'
import { queueCheck } from './job-progress'

type Unknown = { itemId: string; events: number; reason: string; storeIds: string[] }

// The preview's items that the Constructor catalog does not hold, each with its reason and, before the file is
// stored, a field to give the catalog's id: remembered for the store, then the rows are checked again.
export function UnknownCatalogItems({
  uploadId,
  items,
  recheck,
}: {
  uploadId: string
  items: Unknown[]
  /** what the preview route needs to read the file as it just did */
  recheck: Record<string, unknown>
}) {
  return (
    <Table aria-label="Items not in your Constructor catalog">
      <TableHeader>
        <TableRow>
          <TableHead>Item id</TableHead>
          <TableHead className="text-right">Sales</TableHead>
          <TableHead>Reason</TableHead>
          <TableHead>Catalog item id</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {items.map((u) => (
          <UnknownRow key={u.itemId} uploadId={uploadId} item={u} recheck={recheck} />
        ))}
      </TableBody>
    </Table>
  )
}

function UnknownRow({
  uploadId,
  item,
  recheck,
}: {
  uploadId: string
  item: Unknown
  recheck: Record<string, unknown>
}) {
  const router = useRouter()
  const inputId = useId()
  const [catalogItemId, setCatalogItemId] = useState('')
  const [phase, setPhase] = useState<'idle' | 'saving' | 'checking'>('idle')
  const [error, setError] = useState<string | null>(null)

  async function map(e: React.FormEvent) {
    e.preventDefault()
    setError(null)
    const inputs = item.storeIds.map((storeId) => ({ storeId, tillItemId: item.itemId, catalogItemId }))
    const invalid = inputs.map((i) => mapItemIdSchema.safeParse(i)).find((r) => !r.success)
    if (invalid && !invalid.success) return setError(invalid.error.issues[0]?.message ?? 'Check the id.')
    setPhase('saving')
    for (const input of inputs) {
      const saved = await mapItemIdAction(input).catch(() => null)
      if (!saved?.ok) {
        setError(saved?.error ?? 'The mapping could not be saved. Try again.')
        setPhase('idle')
        return
      }
    }
    toast.success(`${item.itemId} is sent as ${catalogItemId.trim()} from now on`)
    setPhase('checking')
    // queued: the page shows the check's progress, then the new preview
    const queued = await queueCheck(uploadId, recheck)
    if (!queued.ok)
      setError(`The mapping is saved, but checking the rows again could not start: ${queued.error}`)
    setPhase('idle')
    router.refresh()
  }

  const busy = phase !== 'idle'
  return (
    <TableRow>
      <TableCell className="font-mono">{item.itemId}</TableCell>
      <TableCell className="text-right tabular-nums">{formatCount(item.events)}</TableCell>
      <TableCell>{item.reason}</TableCell>
      <TableCell>
        <form onSubmit={(e) => void map(e)} noValidate className="flex flex-wrap items-center gap-2">
          <label htmlFor={inputId} className="sr-only">
            Catalog item id for {item.itemId}
          </label>
          <Input
            id={inputId}
            className="h-8 w-40"
            autoComplete="off"
            placeholder="e.g. SKU-123"
            value={catalogItemId}
            disabled={busy}
            onChange={(e) => setCatalogItemId(e.target.value)}
          />
          <Button type="submit" size="sm" variant="outline" disabled={busy}>
            {phase === 'saving' ? 'Saving…' : phase === 'checking' ? 'Checking rows again…' : 'Map'}
          </Button>
        </form>
        {error ? <FormError message={error} /> : null}
      </TableCell>
    </TableRow>
  )
}
