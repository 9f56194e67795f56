import Link from 'next/link'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { requirePageCaller } from '@/lib/auth/caller'
import type { SaleIssue } from '@/lib/sales/schema'
import { getUploadAttentionCounts, getUploadInvalidEvents, getUploadRowIssues } from '@/lib/uploads/queries'
import type { UploadPreview } from '@/lib/uploads/storage/ingest'
import { formatCount, formatUtc } from '@/lib/utils/format'
import { CountsList, ProblemsTable } from './preview-view'

// A stored upload: what it stored, and the rows and sales from it that still need attention.
export async function StoredView({
  uploadId,
  preview,
  counts,
}: {
  uploadId: string
  preview: UploadPreview | null
  counts: {
    eventCount: number
    duplicateCount: number
    updatedCount: number
    correctionCount: number
    queuedSkipCount: number
    committedAt: Date | null
  }
}) {
  const caller = await requirePageCaller()
  const [invalid, rowIssues, totals] = await Promise.all([
    getUploadInvalidEvents(caller, uploadId),
    getUploadRowIssues(caller, uploadId),
    getUploadAttentionCounts(caller, uploadId),
  ])
  // the lists are capped (500 each): say so rather than let the heading count only what is shown
  const capped = totals.invalidEvents > invalid.length || totals.rowIssues > rowIssues.length
  const problems: { row: number | null; orderId: string | null; field: string; message: string }[] = []
  for (const e of invalid)
    for (const i of (e.issues ?? []) as unknown as SaleIssue[])
      problems.push({ row: i.row ?? null, orderId: e.orderId, field: i.field, message: i.message })
  for (const r of rowIssues)
    for (const reason of r.reasons as { field: string; message: string }[])
      problems.push({ row: r.rowNumber, orderId: null, field: reason.field, message: reason.message })
  problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0))
  const sameFile = Boolean(
    (preview as (UploadPreview & { committedAsSameFile?: boolean }) | null)?.committedAsSameFile,
  )
  return (
    <Card>
      <CardHeader>
        <CardTitle>Stored</CardTitle>
        <CardDescription>
          {sameFile
            ? 'This file had already been stored: nothing changed.'
            : `Stored ${counts.committedAt ? formatUtc(counts.committedAt) : ''}.`}
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-6">
        {preview && !sameFile ? <CountsList counts={preview.counts} /> : null}
        {counts.queuedSkipCount > 0 ? (
          <p className="text-sm text-amber-900">
            {formatCount(counts.queuedSkipCount)} changed sales were being sent to Constructor and were left
            as they were.
          </p>
        ) : null}
        <section>
          <h3 className="mb-2 font-medium">
            {problems.length === 0 && !capped
              ? 'No rows need attention'
              : `Needs attention: ${formatCount(totals.invalidEvents)} invalid ${totals.invalidEvents === 1 ? 'sale' : 'sales'}, ${formatCount(totals.rowIssues)} unreadable ${totals.rowIssues === 1 ? 'row' : 'rows'}`}
          </h3>
          {problems.length > 0 ? (
            <>
              <ProblemsTable rows={problems} caption="Rows that need attention" />
              {capped ? (
                <p className="mt-2 text-sm text-muted-foreground">
                  Showing the problems of the first {formatCount(invalid.length)} invalid sales and{' '}
                  {formatCount(rowIssues.length)} unreadable rows.
                </p>
              ) : null}
              <p className="mt-2 text-sm">
                <Link className="underline" href={`/sales?status=INVALID&upload=${uploadId}`}>
                  Fix this file's invalid sales in Sales
                </Link>
              </p>
            </>
          ) : null}
        </section>
      </CardContent>
    </Card>
  )
}
