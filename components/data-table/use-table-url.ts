'use client'

import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { useCallback, useTransition } from 'react'

export type UrlPatch = Record<string, string | null | undefined>

// The URL is the table's state: every change is a navigation (in a transition, so the current rows stay
// visible with a "loading" hint until the server has the new page). Filters reset the page to 1.
export function useTableUrl() {
  const router = useRouter()
  const pathname = usePathname()
  const searchParams = useSearchParams()
  const [pending, startTransition] = useTransition()

  const update = useCallback(
    (patch: UrlPatch, options: { resetPage?: boolean } = {}) => {
      const next = new URLSearchParams(searchParams.toString())
      for (const [key, value] of Object.entries(patch)) {
        if (value === null || value === undefined || value === '') next.delete(key)
        else next.set(key, value)
      }
      if (options.resetPage !== false && !('page' in patch)) next.delete('page')
      const query = next.toString()
      startTransition(() => router.push(query ? `${pathname}?${query}` : pathname, { scroll: false }))
    },
    [pathname, router, searchParams],
  )

  const refresh = useCallback(() => startTransition(() => router.refresh()), [router])

  return { searchParams, pending, update, refresh }
}
