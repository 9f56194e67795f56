'use client'

import { useRouter } from 'next/navigation'
import { DataTable } from '@/components/data-table/data-table'
import { DataTableFacetedFilter } from '@/components/data-table/data-table-faceted-filter'
import { DataTablePagination } from '@/components/data-table/data-table-pagination'
import { DataTableToolbar } from '@/components/data-table/data-table-toolbar'
import { useDataTable } from '@/components/data-table/use-data-table'
import type { BatchRow } from '@/lib/batches/queries'
import { BATCH_PAGE_SIZES, BATCH_STATUSES, type BatchesTableParams } from '@/lib/batches/schema'
import { BATCH_STATUS_LABELS } from './batch-status-badge'
import { getBatchesTableColumns } from './batches-table-columns'

const columns = getBatchesTableColumns()
const SORT = { id: 'created', desc: true }

export function BatchesTable({
  rows,
  rowCount,
  params,
}: {
  rows: BatchRow[]
  rowCount: number
  params: BatchesTableParams
}) {
  const router = useRouter()
  const { table, url, pending } = useDataTable({
    data: rows,
    columns,
    rowCount,
    page: params.page,
    size: params.size,
    sort: SORT,
    defaultSort: SORT,
  })
  return (
    <div>
      <DataTableToolbar filtered={params.status.length > 0} onReset={() => url.update({ status: null })}>
        <DataTableFacetedFilter
          title="Status"
          options={BATCH_STATUSES.map((s) => ({ value: s, label: BATCH_STATUS_LABELS[s] }))}
          selected={params.status}
          onChange={(v) => url.update({ status: v.length ? v.join(',') : null })}
        />
      </DataTableToolbar>
      <DataTable
        table={table}
        pending={pending}
        caption="Batches"
        rowLabel={(b) => `Batch ${b.id.slice(-8)}`}
        onRowOpen={(b) => router.push(`/batches/${b.id}`)}
        empty={
          <div className="flex flex-col items-center gap-2 p-10 text-center text-sm">
            <p className="font-medium">
              {params.status.length ? 'No batches with this status' : 'No batches yet'}
            </p>
            <p className="text-muted-foreground">
              {params.status.length
                ? 'Clear the filter to see every batch.'
                : 'Submit ready sales from the Sales page; each batch appears here.'}
            </p>
          </div>
        }
      />
      <DataTablePagination table={table} pageSizes={BATCH_PAGE_SIZES} noun="batches" />
    </div>
  )
}
