'use client'

import { Loader2, Send } from 'lucide-react'
import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { useState, useTransition } from 'react'
import { FormError } from '@/components/forms/field'
import { Button } from '@/components/ui/button'
import { toast } from '@/components/ui/toast'
import { catalogNote } from '@/lib/catalog/messages'
import { submitUploadAction } from '@/lib/uploads/actions'
import { formatCount } from '@/lib/utils/format'

const sales = (n: number) => `${formatCount(n)} ${n === 1 ? 'sale' : 'sales'}`
const batches = (n: number) => `${formatCount(n)} ${n === 1 ? 'batch' : 'batches'}`

/** the button's words, also its accessible name (e2e specs click it by this name) */
function submitUploadLabel(ready: number) {
  return `Submit the ${formatCount(ready)} ready ${ready === 1 ? 'sale' : 'sales'} from this file`
}

// "Submit the N ready sales from this file": one click puts every ready sale of the file into batches. N is what
// the server counted for this page; if it changed meanwhile, nothing is sent and the page shows the new N.
export function SubmitUpload({ uploadId, ready }: { uploadId: string; ready: number }) {
  const router = useRouter()
  const [pending, start] = useTransition()
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<{
    eventCount: number
    batchCount: number
    batchIds: string[]
    held?: number
    catalogUnavailable?: string
  } | null>(null)

  function submit() {
    start(async () => {
      setError(null)
      const r = await submitUploadAction({ uploadId, expectedCount: ready })
      if (r.ok) {
        setDone(r.data)
        toast.success(
          `Submitted ${sales(r.data.eventCount)} in ${batches(r.data.batchCount)}.${catalogNote(r.data)}`,
        )
      } else setError(r.error)
      router.refresh()
    })
  }

  return (
    <div className="flex flex-col gap-3">
      <FormError message={error} />
      {done ? (
        <p role="status" className="rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm">
          Submitted {sales(done.eventCount)} in {batches(done.batchCount)}. They are sent to Constructor in
          the background; the progress below updates by itself.{catalogNote(done)}{' '}
          {done.batchIds.length === 1 ? (
            <Link className="underline" href={`/batches/${done.batchIds[0]}`}>
              See the batch
            </Link>
          ) : (
            <Link className="underline" href="/batches">
              See the batches
            </Link>
          )}
        </p>
      ) : null}
      {ready > 0 ? (
        <div className="flex flex-wrap items-center gap-3">
          <Button onClick={submit} disabled={pending} aria-busy={pending || undefined}>
            {pending ? <Loader2 className="animate-spin" aria-hidden /> : <Send aria-hidden />}
            {submitUploadLabel(ready)}
          </Button>
          {pending ? (
            <span role="status" className="text-sm text-muted-foreground">
              Putting {sales(ready)} into batches of up to 100…
            </span>
          ) : null}
        </div>
      ) : null}
    </div>
  )
}
