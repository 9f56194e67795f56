'use client'

import { useRouter } from 'next/navigation'
import { useEffect, useTransition } from 'react'

// While something on the page is still changing (a batch being sent), ask the server for the page again
// every few seconds: progress shows without a reload, and polling stops once everything has settled.
export function LiveRefresh({ active, intervalMs = 2000 }: { active: boolean; intervalMs?: number }) {
  const router = useRouter()
  const [, start] = useTransition()
  useEffect(() => {
    if (!active) return
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') start(() => router.refresh())
    }, intervalMs)
    return () => clearInterval(t)
  }, [active, intervalMs, router])
  return active ? (
    <span className="inline-flex items-center gap-1.5 text-xs text-muted-foreground">
      <span className="size-2 animate-pulse rounded-full bg-emerald-500" aria-hidden />
      Updating live
    </span>
  ) : null
}
