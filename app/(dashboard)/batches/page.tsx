import { EmptyState, PageHeader } from '@/components/shell/app-shell'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { requirePageCaller } from '@/lib/auth/caller'
import { getRecentBatches } from '@/lib/batches/queries'
import { formatUtc } from '@/lib/utils/format'

export const metadata = { title: 'Batches' }

export default async function BatchesPage() {
  const batches = await getRecentBatches(await requirePageCaller())
  return (
    <>
      <PageHeader
        title="Batches"
        description="Requests of up to 100 events sent to Constructor, and every attempt."
      />
      {batches.length === 0 ? (
        <EmptyState title="No batches yet">
          Submit ready sales from the Sales page; each batch appears here.
        </EmptyState>
      ) : (
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Created</TableHead>
              <TableHead>Status</TableHead>
              <TableHead className="text-right">Events</TableHead>
              <TableHead className="text-right">Attempts</TableHead>
              <TableHead>Last HTTP status</TableHead>
              <TableHead>Last error</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {batches.map((b) => (
              <TableRow key={b.id}>
                <TableCell>{formatUtc(b.createdAt)}</TableCell>
                <TableCell>{b.status}</TableCell>
                <TableCell className="text-right">{b.eventCount}</TableCell>
                <TableCell className="text-right">{b.attempts}</TableCell>
                <TableCell>{b.lastHttpStatus ?? '—'}</TableCell>
                <TableCell className="max-w-md truncate">{b.lastError ?? ''}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  )
}
