'use client'

import { Button } from '@/components/ui/button'
import { SERVICE_UNAVAILABLE_DIGEST } from '@/lib/db/unavailable'

export default function ErrorPage({
  error,
  reset,
}: {
  error: Error & { digest?: string }
  reset: () => void
}) {
  if (error.digest === SERVICE_UNAVAILABLE_DIGEST)
    return (
      <main className="mx-auto flex min-h-[60vh] max-w-md flex-col items-center justify-center gap-4 text-center">
        <h1 className="text-2xl font-semibold">Service unavailable</h1>
        <p className="text-muted-foreground">
          Storefront Sync cannot reach its database right now. Nothing you entered was lost. Try again in a
          minute; if it lasts, tell your administrator.
        </p>
        <Button onClick={reset}>Try again</Button>
      </main>
    )
  return (
    <main className="mx-auto flex min-h-[60vh] max-w-md flex-col items-center justify-center gap-4 text-center">
      <h1 className="text-2xl font-semibold">Something went wrong</h1>
      <p className="text-muted-foreground">
        The page could not be loaded. Nothing you entered was lost. Try again; if it keeps happening, send
        this reference to your administrator.
      </p>
      {error.digest ? <code className="rounded bg-muted px-2 py-1 text-xs">ref {error.digest}</code> : null}
      <Button onClick={reset}>Try again</Button>
    </main>
  )
}
