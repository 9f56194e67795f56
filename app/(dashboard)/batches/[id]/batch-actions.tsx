'use client'

import { useRouter } from 'next/navigation'
import { useTransition } from 'react'
import { ConfirmButton } from '@/components/forms/confirm-button'
import { Button } from '@/components/ui/button'
import { toast } from '@/components/ui/toast'
import { cancelBatchAction, retryBatchAction } from '@/lib/batches/actions'

export function BatchActions({
  id,
  canRetry,
  canCancel,
}: {
  id: string
  canRetry: boolean
  canCancel: boolean
}) {
  const router = useRouter()
  const [pending, start] = useTransition()
  return (
    <div className="flex gap-2">
      {canRetry ? (
        <Button
          size="sm"
          disabled={pending}
          onClick={() =>
            start(async () => {
              const r = await retryBatchAction({ batchId: id })
              if (!r.ok) return void toast.error(r.error)
              const held = r.data.held
                ? ` ${r.data.held} ${r.data.held === 1 ? 'sale' : 'sales'} held for items not in your Constructor catalog.`
                : ''
              toast.success(
                (r.data.eventCount
                  ? `Retrying ${r.data.eventCount} failed ${r.data.eventCount === 1 ? 'sale' : 'sales'} in a new batch.`
                  : r.data.held
                    ? 'Nothing was sent again.'
                    : 'Nothing to retry: its failed sales were resubmitted or corrected already.') + held,
              )
              const next = r.data.batchIds[0]
              if (next) router.push(`/batches/${next}`)
              else router.refresh()
            })
          }
        >
          Retry failed sales
        </Button>
      ) : null}
      {canCancel ? (
        <ConfirmButton
          label="Cancel batch"
          title="Cancel this batch?"
          description="It will not be sent. Its sales become ready again, so you can correct or submit them later."
          confirmLabel="Cancel batch"
          success="Batch cancelled: its sales are ready again."
          run={async () => {
            const r = await cancelBatchAction({ batchId: id })
            router.refresh()
            return r
          }}
        />
      ) : null}
    </div>
  )
}
