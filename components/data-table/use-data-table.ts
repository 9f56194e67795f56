'use client'

import {
  type ColumnDef,
  functionalUpdate,
  type OnChangeFn,
  type PaginationState,
  type RowSelectionState,
  type SortingState,
  useTable,
} from '@tanstack/react-table'
import { useMemo, useState } from 'react'
import { type DataTableFeatures, dataTableFeatures } from './data-table-features'
import { useTableUrl } from './use-table-url'

export type DataTableOptions<TData extends { id: string }> = {
  data: TData[]
  // biome-ignore lint/suspicious/noExplicitAny: what columnHelper.columns() returns (each column keeps its own value type)
  columns: ColumnDef<DataTableFeatures, TData, any>[]
  /** rows matching the filters (the server's count) */
  rowCount: number
  /** 1-based, as in the URL */
  page: number
  size: number
  sort: { id: string; desc: boolean }
  /** the sort the URL leaves out */
  defaultSort?: { id: string; desc: boolean }
  enableSelection?: boolean
}

// A server-driven table: the URL holds page, size and sort; the server sorts, filters and pages; the table
// renders one page and keeps the selection (by row id) while the person moves between pages.
export function useDataTable<TData extends { id: string }>(options: DataTableOptions<TData>) {
  const url = useTableUrl()
  const [rowSelection, setRowSelection] = useState<RowSelectionState>({})

  const pagination = useMemo<PaginationState>(
    () => ({ pageIndex: options.page - 1, pageSize: options.size }),
    [options.page, options.size],
  )
  const sorting = useMemo<SortingState>(() => [options.sort], [options.sort])

  const onPaginationChange: OnChangeFn<PaginationState> = (updater) => {
    const next = functionalUpdate(updater, pagination)
    url.update(
      {
        page: next.pageIndex > 0 ? String(next.pageIndex + 1) : null,
        size: String(next.pageSize),
      },
      { resetPage: false },
    )
  }
  const onSortingChange: OnChangeFn<SortingState> = (updater) => {
    const next = functionalUpdate(updater, sorting)[0]
    const def = options.defaultSort
    const isDefault = !next || (def && next.id === def.id && next.desc === def.desc)
    url.update({ sort: isDefault || !next ? null : `${next.id}.${next.desc ? 'desc' : 'asc'}` })
  }

  const table = useTable({
    features: dataTableFeatures,
    columns: options.columns,
    data: options.data,
    getRowId: (row) => row.id,
    rowCount: options.rowCount,
    manualPagination: true,
    manualSorting: true,
    enableSortingRemoval: false,
    enableMultiSort: false,
    enableRowSelection: options.enableSelection ?? false,
    autoResetPageIndex: false,
    state: { pagination, sorting, rowSelection },
    onPaginationChange,
    onSortingChange,
    onRowSelectionChange: setRowSelection,
  })

  const selectedIds = useMemo(
    () => Object.keys(rowSelection).filter((id) => rowSelection[id]),
    [rowSelection],
  )

  return {
    table,
    url,
    pending: url.pending,
    selectedIds,
    clearSelection: () => setRowSelection({}),
    setSelection: (ids: string[]) => setRowSelection(Object.fromEntries(ids.map((id) => [id, true]))),
  }
}

export type DataTableInstance<TData extends { id: string }> = ReturnType<typeof useDataTable<TData>>['table']
