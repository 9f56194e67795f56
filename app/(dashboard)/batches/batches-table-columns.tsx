'use client'

import { createColumnHelper } from '@tanstack/react-table'
import Link from 'next/link'
import type { DataTableFeatures } from '@/components/data-table/data-table-features'
import type { BatchRow } from '@/lib/batches/queries'
import { formatDuration, formatUtc } from '@/lib/utils/format'
import { BatchStatusBadge } from './batch-status-badge'

const helper = createColumnHelper<DataTableFeatures, BatchRow>()

// a batch can hold several stores' sales: its times are shown in UTC, the same on the server and in the browser
const utc = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })
const when = (d: Date | null) => (d ? `${utc.format(new Date(d))} UTC` : '—')

export function getBatchesTableColumns() {
  return helper.columns([
    helper.accessor('id', {
      id: 'batch',
      meta: { label: 'Batch' },
      header: 'Batch',
      enableSorting: false,
      cell: ({ row }) => (
        <Link
          href={`/batches/${row.original.id}`}
          className="font-mono text-xs underline-offset-2 hover:underline"
        >
          …{row.original.id.slice(-8)}
        </Link>
      ),
    }),
    helper.accessor('createdAt', {
      id: 'created',
      meta: { label: 'Created' },
      header: 'Created',
      enableSorting: false,
      cell: ({ row }) => (
        <time title={formatUtc(new Date(row.original.createdAt))} className="whitespace-nowrap">
          {when(row.original.createdAt)}
        </time>
      ),
    }),
    helper.accessor('status', {
      id: 'status',
      meta: { label: 'Status' },
      header: 'Status',
      enableSorting: false,
      cell: (info) => <BatchStatusBadge status={info.getValue()} />,
    }),
    helper.accessor('events', {
      id: 'events',
      meta: { label: 'Events', align: 'end' },
      header: 'Events',
      enableSorting: false,
    }),
    helper.display({
      id: 'outcomes',
      meta: { label: 'Outcomes' },
      header: 'Outcomes',
      cell: ({ row: { original: b } }) => (
        <span className="flex flex-wrap gap-x-2 text-xs">
          {b.submitted ? <span className="text-emerald-700">{b.submitted} submitted</span> : null}
          {b.failed ? <span className="text-destructive">{b.failed} failed</span> : null}
          {b.pending ? <span>{b.pending} pending</span> : null}
          {b.split ? <span className="text-muted-foreground">{b.split} split</span> : null}
          {b.cancelled ? <span className="text-muted-foreground">{b.cancelled} cancelled</span> : null}
        </span>
      ),
    }),
    helper.accessor('attempts', {
      id: 'attempts',
      meta: { label: 'Attempts', align: 'end' },
      header: 'Attempts',
      enableSorting: false,
    }),
    helper.accessor('lastHttpStatus', {
      id: 'http',
      meta: { label: 'Last HTTP status' },
      header: 'HTTP',
      enableSorting: false,
      cell: (info) => info.getValue() ?? '—',
    }),
    helper.accessor('lastError', {
      id: 'message',
      meta: { label: 'Last message', className: 'max-w-64' },
      header: 'Last message',
      enableSorting: false,
      cell: (info) => (
        <span className="line-clamp-2 text-xs" title={info.getValue() ?? undefined}>
          {info.getValue() ?? ''}
        </span>
      ),
    }),
    helper.display({
      id: 'took',
      meta: { label: 'Took', align: 'end' },
      header: 'Took',
      cell: ({ row: { original: b } }) =>
        b.startedAt && b.finishedAt
          ? formatDuration(new Date(b.finishedAt).getTime() - new Date(b.startedAt).getTime())
          : '—',
    }),
    helper.display({
      id: 'family',
      meta: { label: 'Split' },
      header: 'Split',
      cell: ({ row: { original: b } }) => (
        <span className="text-xs">
          {b.parentBatchId ? (
            <Link href={`/batches/${b.parentBatchId}`} className="underline-offset-2 hover:underline">
              from …{b.parentBatchId.slice(-8)}
            </Link>
          ) : null}
          {b.children ? (
            <span>
              {b.parentBatchId ? ' · ' : ''}
              {b.children} parts
            </span>
          ) : null}
        </span>
      ),
    }),
  ])
}
