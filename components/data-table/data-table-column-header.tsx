'use client'

import type { CellData, Column, RowData } from '@tanstack/react-table'
import { ArrowDown, ArrowUp, ChevronsUpDown } from 'lucide-react'
import { cn } from '@/lib/utils/cn'
import type { DataTableFeatures } from './data-table-features'

// A header that sorts on the server when its column can; the th carries aria-sort.
export function DataTableColumnHeader<TData extends RowData, TValue extends CellData>({
  column,
  title,
  className,
}: {
  column: Column<DataTableFeatures, TData, TValue>
  title: string
  className?: string
}) {
  if (!column.getCanSort()) return <span className={className}>{title}</span>
  const sorted = column.getIsSorted()
  const next = sorted === 'desc' ? 'ascending' : 'descending'
  return (
    <button
      type="button"
      onClick={() => column.toggleSorting(sorted !== 'desc')}
      className={cn(
        '-mx-2 inline-flex items-center gap-1 rounded px-2 py-1 hover:bg-accent focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring',
        className,
      )}
      aria-label={`${title}: sort ${next}`}
    >
      {title}
      {sorted === 'asc' ? (
        <ArrowUp className="size-3.5" aria-hidden />
      ) : sorted === 'desc' ? (
        <ArrowDown className="size-3.5" aria-hidden />
      ) : (
        <ChevronsUpDown className="size-3.5 opacity-50" aria-hidden />
      )}
    </button>
  )
}
