'use client'

import { useRouter } from 'next/navigation'
import { useState, useTransition } from 'react'
import { FormError } from '@/components/forms/field'
import { Button } from '@/components/ui/button'
import { toast } from '@/components/ui/toast'
import { cancelUploadAction, commitUploadAction } from '@/lib/uploads/actions'

/** storedError: why the last try failed, as the upload keeps it (shown until the next try) */
export function CommitButton({
  uploadId,
  label,
  storedError = null,
}: {
  uploadId: string
  /** null: nothing can be stored, only cancelling is offered */
  label: string | null
  storedError?: string | null
}) {
  const router = useRouter()
  const [pending, start] = useTransition()
  const [error, setError] = useState<string | null>(null)
  return (
    <div className="flex flex-col gap-2">
      <FormError message={error ?? (pending ? null : storedError)} />
      <div className="flex gap-2">
        {label === null ? null : (
          <Button
            disabled={pending}
            onClick={() =>
              start(async () => {
                setError(null)
                const result = await commitUploadAction({ uploadId })
                if (!result.ok) {
                  setError(result.error)
                  // the upload's status may have changed (storing failed): show it
                  router.refresh()
                  return
                }
                const c = result.data.counts
                toast.success(
                  result.data.noOp
                    ? 'Already stored: nothing changed'
                    : `Stored ${c.new.toLocaleString('en-US')} new, ${c.updated + c.corrections} changed sales`,
                )
                router.refresh()
              })
            }
          >
            {pending ? 'Storing…' : label}
          </Button>
        )}
        <Button
          variant="outline"
          disabled={pending}
          onClick={() =>
            start(async () => {
              const result = await cancelUploadAction({ uploadId })
              if (!result.ok) setError(result.error)
              else router.push('/uploads')
            })
          }
        >
          Cancel upload
        </Button>
      </div>
    </div>
  )
}
