'use client'

import { useRouter } from 'next/navigation'
import { useState, useTransition } from 'react'
import { FormError } from '@/components/forms/field'
import { Button } from '@/components/ui/button'
import { toast } from '@/components/ui/toast'
import { cancelUploadAction, commitUploadAction } from '@/lib/uploads/actions'

export function CommitButton({ uploadId, label }: { uploadId: string; label: string }) {
  const router = useRouter()
  const [pending, start] = useTransition()
  const [error, setError] = useState<string | null>(null)
  return (
    <div className="flex flex-col gap-2">
      <FormError message={error} />
      <div className="flex gap-2">
        <Button
          disabled={pending}
          onClick={() =>
            start(async () => {
              setError(null)
              const result = await commitUploadAction({ uploadId })
              if (!result.ok) {
                setError(result.error)
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
