'use client'

import { useRouter } from 'next/navigation'
import { useTransition } from 'react'
import { ConfirmButton } from '@/components/forms/confirm-button'
import { Button } from '@/components/ui/button'
import { toast } from '@/components/ui/toast'
import {
  resubmitSaleEventsAction,
  setSaleEventsExcludedAction,
  submitSaleEventsAction,
} from '@/lib/sales/actions'

// The one-sale versions of the table's bulk actions, offered only when they apply.
export function SaleEventActions({ id, status, queued }: { id: string; status: string; queued: boolean }) {
  const router = useRouter()
  const [pending, start] = useTransition()
  const run = (fn: () => Promise<{ ok: boolean; error?: string }>, done: string) =>
    start(async () => {
      const r = await fn()
      if (r.ok) {
        toast.success(done)
        router.refresh()
      } else toast.error(r.error ?? 'Something went wrong.')
    })
  if (queued) return null
  return (
    <div className="flex flex-wrap gap-2">
      {status === 'READY' ? (
        <Button
          size="sm"
          disabled={pending}
          onClick={() =>
            run(() => submitSaleEventsAction({ eventIds: [id] }), 'Submitted: a batch is on its way.')
          }
        >
          Submit
        </Button>
      ) : null}
      {status === 'FAILED' ? (
        <Button
          size="sm"
          disabled={pending}
          onClick={() =>
            run(() => resubmitSaleEventsAction({ eventIds: [id] }), 'Resubmitted: a new batch is on its way.')
          }
        >
          Resubmit
        </Button>
      ) : null}
      {status === 'EXCLUDED' ? (
        <Button
          size="sm"
          variant="outline"
          disabled={pending}
          onClick={() =>
            run(() => setSaleEventsExcludedAction({ eventIds: [id], excluded: false }), 'Included again.')
          }
        >
          Include
        </Button>
      ) : null}
      {status === 'INVALID' || status === 'READY' || status === 'FAILED' ? (
        <ConfirmButton
          label="Exclude"
          title="Exclude this sale?"
          description="An excluded sale is never sent to Constructor. You can include it again later."
          confirmLabel="Exclude"
          success="Excluded."
          run={async () => {
            const r = await setSaleEventsExcludedAction({ eventIds: [id], excluded: true })
            router.refresh()
            return r
          }}
        />
      ) : null}
    </div>
  )
}
