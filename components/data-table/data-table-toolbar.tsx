'use client'

import { Search, X } from 'lucide-react'
import { useEffect, useId, useState } from 'react'
import { Button } from '@/components/ui/button'
import { Input } from '@/components/ui/input'

// Search (debounced into the URL), the table's filters, and "Reset" when anything is filtered.
export function DataTableToolbar({
  search,
  onSearch,
  searchLabel,
  searchPlaceholder,
  filtered,
  onReset,
  children,
  actions,
}: {
  search?: string | null
  onSearch?: (value: string | null) => void
  searchLabel?: string
  searchPlaceholder?: string
  filtered: boolean
  onReset: () => void
  children?: React.ReactNode
  actions?: React.ReactNode
}) {
  const id = useId()
  const [text, setText] = useState(search ?? '')
  // follow the URL when it changes from elsewhere (back button, reset)
  useEffect(() => setText(search ?? ''), [search])
  useEffect(() => {
    if (!onSearch || text === (search ?? '')) return
    const t = setTimeout(() => onSearch(text.trim() || null), 350)
    return () => clearTimeout(t)
  }, [text, search, onSearch])
  return (
    <div className="flex flex-wrap items-center justify-between gap-2 pb-3">
      <div className="flex flex-1 flex-wrap items-center gap-2">
        {onSearch ? (
          <div className="relative">
            <label htmlFor={id} className="sr-only">
              {searchLabel ?? 'Search'}
            </label>
            <Search
              className="pointer-events-none absolute left-2.5 top-1/2 size-4 -translate-y-1/2 text-muted-foreground"
              aria-hidden
            />
            <Input
              id={id}
              type="search"
              value={text}
              placeholder={searchPlaceholder}
              onChange={(e) => setText(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') onSearch(text.trim() || null)
              }}
              className="h-8 w-64 pl-8"
            />
          </div>
        ) : null}
        {children}
        {filtered ? (
          <Button variant="ghost" size="sm" className="h-8" onClick={onReset}>
            Reset
            <X aria-hidden />
          </Button>
        ) : null}
      </div>
      {actions ? <div className="flex items-center gap-2">{actions}</div> : null}
    </div>
  )
}
