'use client'

import { CalendarDays } from 'lucide-react'
import { Popover } from 'radix-ui'
import { useId } from 'react'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Input, Label } from '@/components/ui/input'

// A from–to range of local dates (YYYY-MM-DD, both inclusive), with native date inputs.
export function DataTableDateRange({
  title,
  from,
  to,
  onChange,
  hint,
}: {
  title: string
  from: string | null
  to: string | null
  onChange: (range: { from: string | null; to: string | null }) => void
  hint?: string
}) {
  const id = useId()
  const active = Boolean(from || to)
  return (
    <Popover.Root>
      <Popover.Trigger asChild>
        <Button variant="outline" size="sm" className="h-8 border-dashed">
          <CalendarDays aria-hidden />
          {title}
          {active ? (
            <Badge variant="secondary">
              {from ?? '…'} – {to ?? '…'}
            </Badge>
          ) : null}
        </Button>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content
          align="start"
          sideOffset={4}
          className="z-50 flex w-64 flex-col gap-3 rounded-md border bg-background p-3 shadow-md"
          aria-label={title}
        >
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${id}-from`}>From</Label>
            <Input
              id={`${id}-from`}
              type="date"
              value={from ?? ''}
              max={to ?? undefined}
              onChange={(e) => onChange({ from: e.target.value || null, to })}
            />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`${id}-to`}>To</Label>
            <Input
              id={`${id}-to`}
              type="date"
              value={to ?? ''}
              min={from ?? undefined}
              onChange={(e) => onChange({ from, to: e.target.value || null })}
            />
          </div>
          {hint ? <p className="text-xs text-muted-foreground">{hint}</p> : null}
          {active ? (
            <Button variant="ghost" size="sm" onClick={() => onChange({ from: null, to: null })}>
              Clear dates
            </Button>
          ) : null}
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  )
}
