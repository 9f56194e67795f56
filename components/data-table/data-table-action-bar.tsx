'use client'

import { X } from 'lucide-react'
import { Button } from '@/components/ui/button'
import { formatCount } from '@/lib/utils/format'

// Appears while rows are selected (on any page): what is selected, the bulk actions, and a way out.
export function DataTableActionBar({
  count,
  noun = 'rows',
  onClear,
  children,
}: {
  count: number
  noun?: string
  onClear: () => void
  children: React.ReactNode
}) {
  if (count === 0) return null
  return (
    <section
      aria-label="Bulk actions"
      className="sticky bottom-4 z-20 mx-auto mt-3 flex w-fit max-w-full flex-wrap items-center gap-2 rounded-lg border bg-background px-3 py-2 shadow-lg"
    >
      <span className="px-1 text-sm font-medium" aria-live="polite">
        {formatCount(count)} {noun} selected
      </span>
      <span className="h-5 w-px bg-border" aria-hidden />
      {children}
      <Button variant="ghost" size="icon" className="size-8" aria-label="Clear selection" onClick={onClear}>
        <X aria-hidden />
      </Button>
    </section>
  )
}
