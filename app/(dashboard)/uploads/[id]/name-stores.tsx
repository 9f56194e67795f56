'use client'

import { useRouter } from 'next/navigation'
import { useId, useState } from 'react'
import { FormError } from '@/components/forms/field'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Select } from '@/components/ui/select'
import { toast } from '@/components/ui/toast'
import { addStoreNameAction } from '@/lib/stores/actions'
import { queueCheck } from './job-progress'

type StoreChoice = { id: string; code: string; name: string }

// The store names of the file that no store keeps: one click says which store each is. The answer is kept as a
// name of that store (so the next file from the same till needs no question), then the rows are checked again.
export function NameStores({
  uploadId,
  names,
  stores,
  defaultStoreId,
  recheck,
}: {
  uploadId: string
  names: { name: string; rows: number }[]
  stores: StoreChoice[]
  defaultStoreId: string | null
  /** what the preview route needs to read the file as it just did */
  recheck: Record<string, unknown>
}) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>
          {names.length === 1 ? 'Which store is this?' : `Which stores are these ${names.length} names?`}
        </CardTitle>
        <CardDescription>
          Your till calls a store by a name we don't know yet. Say which store it is once: we remember it for
          every later file.
        </CardDescription>
      </CardHeader>
      <CardContent>
        {stores.length === 0 ? (
          <p className="text-sm">
            You have no active store to give these rows to. Ask an administrator to add the store or give you
            access.
          </p>
        ) : (
          <ul className="flex flex-col gap-3">
            {names.map((n) => (
              <NameRow
                key={n.name}
                uploadId={uploadId}
                name={n.name}
                rows={n.rows}
                stores={stores}
                defaultStoreId={defaultStoreId}
                recheck={recheck}
              />
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  )
}

function NameRow({
  uploadId,
  name,
  rows,
  stores,
  defaultStoreId,
  recheck,
}: {
  uploadId: string
  name: string
  rows: number
  stores: StoreChoice[]
  defaultStoreId: string | null
  recheck: Record<string, unknown>
}) {
  const router = useRouter()
  const selectId = useId()
  const [storeId, setStoreId] = useState(
    stores.some((s) => s.id === defaultStoreId) ? (defaultStoreId as string) : (stores[0]?.id ?? ''),
  )
  const [phase, setPhase] = useState<'idle' | 'saving' | 'checking'>('idle')
  const [error, setError] = useState<string | null>(null)
  const store = stores.find((s) => s.id === storeId)

  async function assign() {
    if (!store) return
    setError(null)
    setPhase('saving')
    const saved = await addStoreNameAction({ storeId: store.id, name, uploadId }).catch(() => null)
    if (!saved?.ok) {
      setError(saved?.error ?? 'The name could not be saved. Try again.')
      setPhase('idle')
      return
    }
    toast.success(`'${name}' is now ${store.code}`)
    setPhase('checking')
    // queued: the page shows the check's progress, then the new preview
    const queued = await queueCheck(uploadId, recheck)
    if (!queued.ok)
      setError(`The name is saved, but checking the rows again could not start: ${queued.error}`)
    setPhase('idle')
    router.refresh()
  }

  const busy = phase !== 'idle'
  return (
    <li className="flex flex-wrap items-center gap-3 rounded-md border p-3 text-sm">
      <span className="min-w-48 flex-1">
        <span className="font-medium">‘{name}’</span>{' '}
        <span className="text-muted-foreground">
          · {rows.toLocaleString('en-US')} {rows === 1 ? 'row' : 'rows'}
        </span>
      </span>
      {stores.length > 1 ? (
        <>
          <label htmlFor={selectId} className="sr-only">
            Store for ‘{name}’
          </label>
          <Select id={selectId} value={storeId} disabled={busy} onChange={(e) => setStoreId(e.target.value)}>
            {stores.map((s) => (
              <option key={s.id} value={s.id}>
                {s.code} — {s.name}
              </option>
            ))}
          </Select>
        </>
      ) : null}
      <Button type="button" size="sm" disabled={busy || !store} onClick={() => void assign()}>
        {phase === 'saving'
          ? 'Saving…'
          : phase === 'checking'
            ? 'Checking rows again…'
            : `This is ${store?.code ?? '…'}`}
      </Button>
      {error ? (
        <div className="w-full">
          <FormError message={error} />
        </div>
      ) : null}
    </li>
  )
}
