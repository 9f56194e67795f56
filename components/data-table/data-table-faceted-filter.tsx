'use client'

import { Check, PlusCircle } from 'lucide-react'
import { Popover } from 'radix-ui'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { cn } from '@/lib/utils/cn'

export type FacetOption = { value: string; label: string; count?: number }

// A filter with a few known values (status, store, kind): a popover of checkboxes; the choice lives in the
// URL as a comma-separated list under `param`.
export function DataTableFacetedFilter({
  title,
  options,
  selected,
  onChange,
}: {
  title: string
  options: FacetOption[]
  selected: string[]
  onChange: (values: string[]) => void
}) {
  const chosen = new Set(selected)
  const toggle = (value: string) => {
    const next = new Set(chosen)
    if (next.has(value)) next.delete(value)
    else next.add(value)
    onChange(options.map((o) => o.value).filter((v) => next.has(v)))
  }
  return (
    <Popover.Root>
      <Popover.Trigger asChild>
        <Button variant="outline" size="sm" className="h-8 border-dashed">
          <PlusCircle aria-hidden />
          {title}
          {chosen.size > 0 ? (
            <>
              <span className="mx-1 h-4 w-px bg-border" aria-hidden />
              {chosen.size > 2 ? (
                <Badge variant="secondary">{chosen.size} selected</Badge>
              ) : (
                options
                  .filter((o) => chosen.has(o.value))
                  .map((o) => (
                    <Badge key={o.value} variant="secondary">
                      {o.label}
                    </Badge>
                  ))
              )}
            </>
          ) : null}
        </Button>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content
          align="start"
          sideOffset={4}
          className="z-50 w-60 rounded-md border bg-background p-1 shadow-md"
          aria-label={`Filter by ${title.toLowerCase()}`}
        >
          <fieldset>
            <legend className="sr-only">{title}</legend>
            <ul className="max-h-72 overflow-y-auto">
              {options.map((o) => {
                const on = chosen.has(o.value)
                return (
                  <li key={o.value}>
                    <label className="flex cursor-pointer items-center gap-2 rounded px-2 py-1.5 text-sm hover:bg-accent has-[:focus-visible]:ring-2 has-[:focus-visible]:ring-ring">
                      <input
                        type="checkbox"
                        className="sr-only"
                        checked={on}
                        onChange={() => toggle(o.value)}
                      />
                      <span
                        aria-hidden
                        className={cn(
                          'flex size-4 items-center justify-center rounded-sm border border-primary',
                          on ? 'bg-primary text-primary-foreground' : 'opacity-50',
                        )}
                      >
                        {on ? <Check className="size-3" /> : null}
                      </span>
                      <span className="flex-1 truncate">{o.label}</span>
                      {o.count !== undefined ? (
                        <span className="font-mono text-xs text-muted-foreground">{o.count}</span>
                      ) : null}
                    </label>
                  </li>
                )
              })}
            </ul>
          </fieldset>
          {chosen.size > 0 ? (
            <Button variant="ghost" size="sm" className="mt-1 w-full" onClick={() => onChange([])}>
              Clear {title.toLowerCase()} filter
            </Button>
          ) : null}
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  )
}
