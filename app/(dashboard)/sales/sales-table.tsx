'use client'

import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { useMemo } from 'react'
import { DataTable } from '@/components/data-table/data-table'
import { DataTableDateRange } from '@/components/data-table/data-table-date-range'
import { DataTableFacetedFilter } from '@/components/data-table/data-table-faceted-filter'
import { DataTablePagination } from '@/components/data-table/data-table-pagination'
import { DataTableToolbar } from '@/components/data-table/data-table-toolbar'
import { useDataTable } from '@/components/data-table/use-data-table'
import { Button } from '@/components/ui/button'
import type { SaleEventRow } from '@/lib/sales/queries'
import { reasonLabel } from '@/lib/sales/reasons'
import {
  DEFAULT_SALES_SORT,
  EVENT_STATUSES,
  PAGE_SIZES,
  type SalesTableParams,
  salesSearchParamsToQuery,
} from '@/lib/sales/search-params'
import { ExportButton } from './export-button'
import { SALE_STATUS_LABELS } from './sale-status-badge'
import { SalesTableActionBar } from './sales-table-action-bar'
import { getSalesTableColumns } from './sales-table-columns'

const columns = getSalesTableColumns()

export function SalesTable({
  rows,
  rowCount,
  countCapped,
  params,
  stores,
  uploads,
}: {
  rows: SaleEventRow[]
  rowCount: number
  countCapped: boolean
  params: SalesTableParams
  stores: { code: string; name: string }[]
  uploads: { id: string; label: string }[]
}) {
  const router = useRouter()
  const { table, url, pending, selectedIds, clearSelection } = useDataTable({
    data: rows,
    columns,
    rowCount,
    page: params.page,
    size: params.size,
    sort: params.sort,
    defaultSort: DEFAULT_SALES_SORT,
    enableSelection: true,
  })
  const filtered = Boolean(
    params.q ||
      params.status.length ||
      params.store.length ||
      params.kind.length ||
      params.from ||
      params.to ||
      params.upload ||
      params.batch ||
      params.reason,
  )
  const exportHref = useMemo(() => {
    const q = salesSearchParamsToQuery({ ...params, page: 1 })
    q.delete('page')
    q.delete('sort')
    q.delete('size')
    return `/sales/export?${q.toString()}`
  }, [params])
  const list = (values: string[]) => (values.length ? values.join(',') : null)

  return (
    <div>
      <DataTableToolbar
        search={params.q}
        onSearch={(q) => url.update({ q })}
        searchLabel="Search order, item or customer"
        searchPlaceholder="Order, item or customer…"
        filtered={filtered}
        onReset={() =>
          url.update({
            q: null,
            status: null,
            store: null,
            kind: null,
            from: null,
            to: null,
            upload: null,
            batch: null,
            reason: null,
          })
        }
        actions={
          <ExportButton variant="outline" size="sm" className="h-8" href={exportHref}>
            Export CSV
          </ExportButton>
        }
      >
        <DataTableFacetedFilter
          title="Status"
          options={EVENT_STATUSES.map((s) => ({ value: s, label: SALE_STATUS_LABELS[s] }))}
          selected={params.status}
          onChange={(v) => url.update({ status: list(v) })}
        />
        {stores.length > 1 ? (
          <DataTableFacetedFilter
            title="Store"
            options={stores.map((s) => ({ value: s.code, label: `${s.code} · ${s.name}` }))}
            selected={params.store}
            onChange={(v) => url.update({ store: list(v) })}
          />
        ) : null}
        <DataTableFacetedFilter
          title="Kind"
          options={[
            { value: 'PURCHASE', label: 'Purchase' },
            { value: 'RETURN', label: 'Return' },
          ]}
          selected={params.kind}
          onChange={(v) => url.update({ kind: list(v) })}
        />
        <DataTableDateRange
          title="Date"
          from={params.from}
          to={params.to}
          hint="Days in each store's own time zone."
          onChange={(r) => url.update(r)}
        />
        {uploads.length ? (
          <DataTableFacetedFilter
            title="Upload"
            options={uploads.map((u) => ({ value: u.id, label: u.label }))}
            selected={params.upload ? [params.upload] : []}
            onChange={(v) => url.update({ upload: v.at(-1) ?? null })}
          />
        ) : null}
        {params.batch ? (
          <Button variant="secondary" size="sm" className="h-8" onClick={() => url.update({ batch: null })}>
            Batch …{params.batch.slice(-8)} ✕<span className="sr-only">Remove the batch filter</span>
          </Button>
        ) : null}
        {params.reason ? (
          <Button
            variant="secondary"
            size="sm"
            className="h-8 max-w-72"
            onClick={() => url.update({ reason: null })}
          >
            <span className="truncate">{reasonLabel(params.reason)}</span> ✕
            <span className="sr-only">Remove the reason filter</span>
          </Button>
        ) : null}
      </DataTableToolbar>
      <DataTable
        table={table}
        pending={pending}
        caption="Sale events"
        rowLabel={(r) => `Order ${r.orderId}`}
        onRowOpen={(r) => router.push(`/sales/${r.id}`)}
        empty={
          filtered ? (
            <div className="flex flex-col items-center gap-2 p-10 text-center text-sm">
              <p className="font-medium">No sales match these filters</p>
              <p className="text-muted-foreground">
                Try fewer filters, another date range or a shorter search.
              </p>
              <Button variant="outline" size="sm" onClick={() => router.push('/sales')}>
                Clear all filters
              </Button>
            </div>
          ) : (
            <div className="flex flex-col items-center gap-2 p-10 text-center text-sm">
              <p className="font-medium">No sales yet</p>
              <p className="text-muted-foreground">
                Upload the day's sales from the{' '}
                <Link href="/uploads" className="underline">
                  Uploads
                </Link>{' '}
                page, or{' '}
                <Link href="/sales/new" className="underline">
                  enter a sale by hand
                </Link>
                .
              </p>
            </div>
          )
        }
      />
      <DataTablePagination
        table={table}
        pageSizes={PAGE_SIZES}
        countCapped={countCapped}
        selectedCount={selectedIds.length}
        noun="sales"
      />
      <SalesTableActionBar selectedIds={selectedIds} onDone={clearSelection} />
    </div>
  )
}
