'use client'

import { createColumnHelper } from '@tanstack/react-table'
import Link from 'next/link'
import { DataTableCheckbox } from '@/components/data-table/data-table-checkbox'
import { DataTableColumnHeader } from '@/components/data-table/data-table-column-header'
import type { DataTableFeatures } from '@/components/data-table/data-table-features'
import { Badge } from '@/components/ui/badge'
import type { SaleEventRow } from '@/lib/sales/queries'
import { RETURN_FLAG_INFO } from '@/lib/sales/return-flags'
import { formatInZone, formatMoney, formatUtc } from '@/lib/utils/format'
import { SaleStatusBadge } from './sale-status-badge'

const helper = createColumnHelper<DataTableFeatures, SaleEventRow>()

// The sales table's columns: times in the store's zone (UTC on hover), amounts in its currency.
export function getSalesTableColumns() {
  return helper.columns([
    helper.display({
      id: 'select',
      meta: { label: 'Select', className: 'w-8' },
      header: ({ table }) => (
        <DataTableCheckbox
          aria-label="Select all sales on this page"
          checked={table.getIsAllPageRowsSelected()}
          indeterminate={table.getIsSomePageRowsSelected()}
          onChange={(e) => table.toggleAllPageRowsSelected(e.target.checked)}
        />
      ),
      cell: ({ row }) => (
        <DataTableCheckbox
          aria-label={`Select order ${row.original.orderId}`}
          checked={row.getIsSelected()}
          onClick={row.getToggleSelectedHandler()}
          onChange={() => {}}
        />
      ),
    }),
    helper.accessor('storeCode', {
      id: 'store',
      meta: { label: 'Store' },
      header: 'Store',
      enableSorting: false,
      cell: (info) => <span className="whitespace-nowrap">{info.getValue()}</span>,
    }),
    helper.accessor('orderId', {
      id: 'orderId',
      meta: { label: 'Order' },
      header: ({ column }) => <DataTableColumnHeader column={column} title="Order" />,
      cell: ({ row }) => (
        <Link
          href={`/sales/${row.original.id}`}
          className="whitespace-nowrap font-mono text-xs underline-offset-2 hover:underline focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
        >
          {row.original.orderId}
        </Link>
      ),
    }),
    helper.accessor('kind', {
      id: 'kind',
      meta: { label: 'Kind' },
      header: 'Kind',
      enableSorting: false,
      cell: ({ row }) =>
        row.original.kind === 'RETURN' ? (
          <span className="flex flex-col items-start gap-0.5">
            Return
            {row.original.returnFlags.map((f) => (
              <Badge key={f} variant="warning" title={RETURN_FLAG_INFO[f].help} className="whitespace-nowrap">
                {RETURN_FLAG_INFO[f].label}
              </Badge>
            ))}
          </span>
        ) : (
          'Purchase'
        ),
    }),
    helper.accessor('occurredAt', {
      id: 'occurredAt',
      meta: { label: 'Time' },
      header: ({ column }) => <DataTableColumnHeader column={column} title="Time" />,
      cell: ({ row }) =>
        row.original.occurredAt ? (
          <time
            dateTime={new Date(row.original.occurredAt).toISOString()}
            title={formatUtc(new Date(row.original.occurredAt))}
            className="whitespace-nowrap"
          >
            {formatInZone(new Date(row.original.occurredAt), row.original.timeZone, row.original.locale)}
          </time>
        ) : (
          <span className="text-destructive">No time</span>
        ),
    }),
    helper.accessor('customerId', {
      id: 'customer',
      meta: { label: 'Customer', className: 'max-w-40 truncate' },
      header: 'Customer',
      enableSorting: false,
      cell: (info) => info.getValue() ?? <span className="text-muted-foreground">—</span>,
    }),
    helper.accessor('itemCount', {
      id: 'items',
      meta: { label: 'Items', align: 'end' },
      header: 'Items',
      enableSorting: false,
    }),
    helper.accessor('revenue', {
      id: 'revenue',
      meta: { label: 'Amount', align: 'end' },
      header: ({ column }) => <DataTableColumnHeader column={column} title="Amount" />,
      // a return shows what it refunded, as a minus: purchases minus returns is the day's net sales
      cell: ({ row }) => (
        <span className="whitespace-nowrap" title={row.original.kind === 'RETURN' ? 'Refunded' : undefined}>
          {row.original.kind === 'RETURN' ? '−' : ''}
          {formatMoney(row.original.revenue, row.original.currency, row.original.locale)}
        </span>
      ),
    }),
    helper.accessor('status', {
      id: 'status',
      meta: { label: 'Status' },
      header: 'Status',
      enableSorting: false,
      cell: (info) => <SaleStatusBadge status={info.getValue()} />,
    }),
    helper.accessor('reason', {
      id: 'reason',
      meta: { label: 'Reason', className: 'max-w-72' },
      header: 'Reason',
      enableSorting: false,
      cell: ({ row }) =>
        row.original.reason ? (
          <span className="line-clamp-2 text-xs" title={row.original.reason}>
            {row.original.reason}
            {row.original.issueCount > 1 ? (
              <span className="text-muted-foreground"> (+{row.original.issueCount - 1} more)</span>
            ) : null}
          </span>
        ) : null,
    }),
    helper.accessor('uploadName', {
      id: 'upload',
      meta: { label: 'Upload', className: 'max-w-40 truncate' },
      header: 'Upload',
      enableSorting: false,
      cell: ({ row }) =>
        row.original.uploadId ? (
          <Link
            href={`/uploads/${row.original.uploadId}`}
            className="text-xs underline-offset-2 hover:underline"
            title={row.original.uploadName ?? undefined}
          >
            {row.original.uploadName}
          </Link>
        ) : (
          <span className="text-xs text-muted-foreground">By hand</span>
        ),
    }),
    helper.accessor('batchId', {
      id: 'batch',
      meta: { label: 'Batch' },
      header: 'Batch',
      enableSorting: false,
      cell: ({ row }) =>
        row.original.batchId ? (
          <Link
            href={`/batches/${row.original.batchId}`}
            className="font-mono text-xs underline-offset-2 hover:underline"
            aria-label={`Batch ${row.original.batchId.slice(-8)}`}
          >
            …{row.original.batchId.slice(-8)}
          </Link>
        ) : null,
    }),
  ])
}
