'use client'

import { SERVICE_UNAVAILABLE_DIGEST } from '@/lib/db/unavailable'

export default function GlobalError({
  error,
  reset,
}: {
  error: Error & { digest?: string }
  reset: () => void
}) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', padding: 40 }}>
        {error.digest === SERVICE_UNAVAILABLE_DIGEST ? (
          <>
            <h1>Service unavailable</h1>
            <p>Storefront Sync cannot reach its database right now. Try again in a minute.</p>
          </>
        ) : (
          <>
            <h1>Something went wrong</h1>
            <p>The application could not be shown. Try again in a moment.</p>
            {error.digest ? <p>Reference: {error.digest}</p> : null}
          </>
        )}
        <button type="button" onClick={reset}>
          Try again
        </button>
      </body>
    </html>
  )
}
