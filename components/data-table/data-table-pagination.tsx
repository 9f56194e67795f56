'use client'

import { ChevronLeft, ChevronRight, ChevronsLeft, ChevronsRight } from 'lucide-react'
import { useId } from 'react'
import { Button } from '@/components/ui/button'
import { Select } from '@/components/ui/select'
import { formatCount } from '@/lib/utils/format'
import type { DataTableInstance } from './use-data-table'

// "51–100 of 1,234", rows per page, and first/previous/next/last. A count the server capped reads
// "more than …" and has no last page (it would mean counting every row).
export function DataTablePagination<TData extends { id: string }>({
  table,
  pageSizes,
  countCapped = false,
  selectedCount = 0,
  noun = 'rows',
}: {
  table: DataTableInstance<TData>
  pageSizes: readonly number[]
  countCapped?: boolean
  selectedCount?: number
  noun?: string
}) {
  const id = useId()
  const { pageIndex, pageSize } = table.state.pagination
  const total = table.getRowCount()
  const first = total === 0 ? 0 : pageIndex * pageSize + 1
  const last = Math.min(total, (pageIndex + 1) * pageSize)
  const shown = table.getRowModel().rows.length
  const pageCount = table.getPageCount()
  const canNext = countCapped ? shown === pageSize : table.getCanNextPage()
  return (
    <nav aria-label="Pagination" className="flex flex-wrap items-center justify-between gap-3 py-3 text-sm">
      <p className="text-muted-foreground" aria-live="polite">
        {selectedCount > 0 ? `${formatCount(selectedCount)} selected · ` : ''}
        {total === 0
          ? `No ${noun}`
          : countCapped
            ? `${formatCount(first)}–${formatCount(first + shown - 1)} of more than ${formatCount(total - 1)} ${noun}`
            : `${formatCount(first)}–${formatCount(last)} of ${formatCount(total)} ${noun}`}
      </p>
      <div className="flex items-center gap-4">
        <div className="flex items-center gap-2">
          <label htmlFor={id} className="text-muted-foreground">
            Rows per page
          </label>
          <Select
            id={id}
            className="h-8 w-20"
            value={pageSize}
            onChange={(e) => table.setPagination({ pageIndex: 0, pageSize: Number(e.target.value) })}
          >
            {pageSizes.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </Select>
        </div>
        <span className="text-muted-foreground">
          Page {formatCount(pageIndex + 1)}
          {countCapped ? '' : ` of ${formatCount(Math.max(1, pageCount))}`}
        </span>
        <div className="flex items-center gap-1">
          <Button
            variant="outline"
            size="icon"
            className="size-8"
            aria-label="First page"
            disabled={pageIndex === 0}
            onClick={() => table.firstPage()}
          >
            <ChevronsLeft aria-hidden />
          </Button>
          <Button
            variant="outline"
            size="icon"
            className="size-8"
            aria-label="Previous page"
            disabled={pageIndex === 0}
            onClick={() => table.previousPage()}
          >
            <ChevronLeft aria-hidden />
          </Button>
          <Button
            variant="outline"
            size="icon"
            className="size-8"
            aria-label="Next page"
            disabled={!canNext}
            onClick={() => table.setPageIndex(pageIndex + 1)}
          >
            <ChevronRight aria-hidden />
          </Button>
          <Button
            variant="outline"
            size="icon"
            className="size-8"
            aria-label="Last page"
            disabled={countCapped || !table.getCanNextPage()}
            onClick={() => table.lastPage()}
          >
            <ChevronsRight aria-hidden />
          </Button>
        </div>
      </div>
    </nav>
  )
}
