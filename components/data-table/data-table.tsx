'use client'

import { type KeyboardEvent, useRef } from 'react'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { cn } from '@/lib/utils/cn'
import type { DataTableInstance } from './use-data-table'

// Renders one server page. Keyboard: ↑/↓ (and Home/End) move between rows, Enter opens the row, Space
// selects it; the focused row has a visible ring. While the next page loads the rows dim and the table
// says it is busy.
export function DataTable<TData extends { id: string }>({
  table,
  pending = false,
  caption,
  empty,
  onRowOpen,
  rowLabel,
}: {
  table: DataTableInstance<TData>
  pending?: boolean
  /** read by screen readers: what the table lists */
  caption: string
  empty: React.ReactNode
  onRowOpen?: (row: TData) => void
  /** names a row for screen readers, e.g. "Order 1001" */
  rowLabel?: (row: TData) => string
}) {
  const body = useRef<HTMLTableSectionElement>(null)
  const rows = table.getRowModel().rows
  const columns = table.getVisibleLeafColumns().length

  function onKeyDown(event: KeyboardEvent<HTMLTableRowElement>, index: number, original: TData) {
    if (event.target !== event.currentTarget) return
    const all = body.current?.querySelectorAll<HTMLTableRowElement>('tr[data-row]')
    const focus = (i: number) => all?.[Math.max(0, Math.min((all?.length ?? 1) - 1, i))]?.focus()
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault()
        focus(index + 1)
        break
      case 'ArrowUp':
        event.preventDefault()
        focus(index - 1)
        break
      case 'Home':
        event.preventDefault()
        focus(0)
        break
      case 'End':
        event.preventDefault()
        focus(Number.MAX_SAFE_INTEGER)
        break
      case 'Enter':
        if (onRowOpen) {
          event.preventDefault()
          onRowOpen(original)
        }
        break
      case ' ': {
        const row = rows[index]
        if (row?.getCanSelect()) {
          event.preventDefault()
          row.toggleSelected()
        }
        break
      }
    }
  }

  return (
    <div className="relative" aria-busy={pending || undefined}>
      {pending ? (
        <div className="absolute inset-x-0 top-0 z-10 h-0.5 overflow-hidden rounded bg-primary/20">
          <div className="h-full w-1/3 animate-pulse bg-primary" />
          <span className="sr-only" role="status">
            Loading…
          </span>
        </div>
      ) : null}
      <Table className={cn('transition-opacity', pending && 'opacity-60')}>
        <caption className="sr-only">{caption}</caption>
        <TableHeader>
          {table.getHeaderGroups().map((group) => (
            <TableRow key={group.id}>
              {group.headers.map((header) => {
                const meta = header.column.columnDef.meta
                const sorted = header.column.getIsSorted()
                return (
                  <TableHead
                    key={header.id}
                    scope="col"
                    aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
                    className={cn(meta?.align === 'end' && 'text-right', meta?.className)}
                  >
                    {header.isPlaceholder ? null : <table.FlexRender header={header} />}
                  </TableHead>
                )
              })}
            </TableRow>
          ))}
        </TableHeader>
        <TableBody ref={body}>
          {rows.length === 0 ? (
            <TableRow>
              <TableCell colSpan={columns} className="p-0">
                {empty}
              </TableCell>
            </TableRow>
          ) : (
            rows.map((row, index) => (
              <TableRow
                key={row.id}
                data-row
                tabIndex={index === 0 ? 0 : -1}
                aria-label={rowLabel?.(row.original)}
                aria-selected={row.getCanSelect() ? row.getIsSelected() : undefined}
                data-state={row.getIsSelected() ? 'selected' : undefined}
                onKeyDown={(e) => onKeyDown(e, index, row.original)}
                onFocus={(e) => {
                  // one tab stop for the whole body: the row last focused keeps it
                  for (const r of body.current?.querySelectorAll('tr[data-row]') ?? [])
                    r.setAttribute('tabindex', '-1')
                  e.currentTarget.setAttribute('tabindex', '0')
                }}
                className="outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-ring"
              >
                {row.getVisibleCells().map((cell) => {
                  const meta = cell.column.columnDef.meta
                  return (
                    <TableCell
                      key={cell.id}
                      className={cn(meta?.align === 'end' && 'text-right tabular-nums', meta?.className)}
                    >
                      <table.FlexRender cell={cell} />
                    </TableCell>
                  )
                })}
              </TableRow>
            ))
          )}
        </TableBody>
      </Table>
    </div>
  )
}
