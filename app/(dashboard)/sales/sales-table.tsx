'use client'

import Link from 'next/link'
import { useRouter } from 'next/navigation'
import { useMemo, useState, useTransition } from 'react'
import { DataTable } from '@/components/data-table/data-table'
import { DataTableDateRange } from '@/components/data-table/data-table-date-range'
import { DataTableFacetedFilter } from '@/components/data-table/data-table-faceted-filter'
import { DataTablePagination } from '@/components/data-table/data-table-pagination'
import { DataTableToolbar } from '@/components/data-table/data-table-toolbar'
import { useDataTable } from '@/components/data-table/use-data-table'
import { Button } from '@/components/ui/button'
import { toast } from '@/components/ui/toast'
import { countMatchingSaleEventsAction } from '@/lib/sales/actions'
import type { SaleEventRow } from '@/lib/sales/queries'
import { reasonLabel } from '@/lib/sales/reasons'
import { RETURN_FLAG_INFO, RETURN_FLAGS } from '@/lib/sales/return-flags'
import {
  DEFAULT_SALES_SORT,
  EVENT_STATUSES,
  PAGE_SIZES,
  type SalesTableParams,
  salesSearchParamsToQuery,
} from '@/lib/sales/search-params'
import { formatCount } from '@/lib/utils/format'
import { ExportButton } from './export-button'
import { SALE_STATUS_LABELS } from './sale-status-badge'
import { type MatchingSelection, SalesTableActionBar } from './sales-table-action-bar'
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
      params.reason ||
      params.returns,
  )
  // the filter alone (no page, sort or size): what an export or "select all matching" applies to
  const filterQuery = useMemo(() => {
    const q = salesSearchParamsToQuery({ ...params, page: 1 })
    q.delete('page')
    q.delete('sort')
    q.delete('size')
    return q.toString()
  }, [params])
  const exportHref = `/sales/export?${filterQuery}`

  // "Select all N matching this filter" (as Gmail does): offered once the whole page is ticked and more match.
  // It holds while the filter and the ticked rows stay as they were; the server counts again before acting.
  const [matching, setMatching] = useState<(MatchingSelection & { selection: string }) | null>(null)
  const [counting, startCounting] = useTransition()
  const selectionKey = selectedIds.join(',')
  const allMatching =
    matching && matching.filter === filterQuery && matching.selection === selectionKey ? matching : null
  const pageSelected = rows.length > 0 && table.getIsAllPageRowsSelected()
  const moreMatch = countCapped || rowCount > rows.length
  const clearAll = () => {
    setMatching(null)
    clearSelection()
  }
  function selectAllMatching() {
    startCounting(async () => {
      const r = await countMatchingSaleEventsAction({ filter: filterQuery })
      if (!r.ok) return void toast.error(r.error)
      if (r.data.count === 0) return void toast.error('No sales match this filter any more.')
      setMatching({ filter: filterQuery, selection: selectionKey, ...r.data })
    })
  }
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
            returns: null,
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
        <DataTableFacetedFilter
          title="Return warnings"
          options={RETURN_FLAGS.map((f) => ({ value: f, label: RETURN_FLAG_INFO[f].label }))}
          selected={params.returns ? [params.returns] : []}
          onChange={(v) => url.update({ returns: v.at(-1) ?? null })}
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
      {(pageSelected && moreMatch) || allMatching ? (
        <div
          aria-live="polite"
          className="mb-2 flex flex-wrap items-center justify-center gap-x-2 gap-y-1 rounded-md border bg-muted/50 px-3 py-2 text-center text-sm"
        >
          {allMatching ? (
            <>
              <span>
                All {formatCount(allMatching.count)} {allMatching.count === 1 ? 'sale' : 'sales'} matching
                this filter are selected
                {allMatching.ready < allMatching.count
                  ? ` (${formatCount(allMatching.ready)} ready to submit)`
                  : ''}
                .
              </span>
              {!countCapped && allMatching.count !== rowCount ? (
                <span className="text-amber-800">
                  The list changed since the page loaded: this count is the current one.
                </span>
              ) : null}
              <Button variant="link" size="sm" className="h-auto p-0" onClick={clearAll}>
                Clear selection
              </Button>
            </>
          ) : (
            <>
              <span>All {formatCount(rows.length)} sales on this page are selected.</span>
              <Button
                variant="link"
                size="sm"
                className="h-auto p-0"
                disabled={counting}
                onClick={selectAllMatching}
              >
                {counting
                  ? 'Counting…'
                  : countCapped
                    ? `Select all sales matching this filter (more than ${formatCount(rowCount - 1)})`
                    : `Select all ${formatCount(rowCount)} sales matching this filter`}
              </Button>
            </>
          )}
        </div>
      ) : null}
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
      <SalesTableActionBar
        selectedIds={selectedIds}
        matching={allMatching}
        exportHref={exportHref}
        onDone={clearAll}
      />
    </div>
  )
}
