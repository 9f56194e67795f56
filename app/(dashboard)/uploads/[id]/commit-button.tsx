'use client'

import { useRouter } from 'next/navigation'
import { useState, useTransition } from 'react'
import { FormError } from '@/components/forms/field'
import { Button } from '@/components/ui/button'
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
                // queued: the page shows the storing's progress, then what was stored
                const result = await commitUploadAction({ uploadId })
                if (!result.ok) setError(result.error)
                router.refresh()
              })
            }
          >
            {pending ? 'Starting…' : label}
          </Button>
        )}
        <CancelButton uploadId={uploadId} disabled={pending} onError={setError} />
      </div>
    </div>
  )
}

/** drops the upload at any moment before it is stored, a running check or storing included */
export function CancelButton({
  uploadId,
  disabled = false,
  onError,
}: {
  uploadId: string
  disabled?: boolean
  onError?: (message: string) => void
}) {
  const router = useRouter()
  const [pending, start] = useTransition()
  const [error, setError] = useState<string | null>(null)
  return (
    <div className="flex flex-col gap-2">
      {onError ? null : <FormError message={error} />}
      <Button
        variant="outline"
        disabled={disabled || pending}
        onClick={() =>
          start(async () => {
            const result = await cancelUploadAction({ uploadId })
            if (!result.ok) {
              ;(onError ?? setError)(result.error)
              router.refresh()
            } else router.push('/uploads')
          })
        }
      >
        {pending ? 'Cancelling…' : 'Cancel upload'}
      </Button>
    </div>
  )
}
