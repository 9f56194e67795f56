import { EmptyState, PageHeader } from '@/components/shell/app-shell'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { requirePageCaller } from '@/lib/auth/caller'
import { getRecentUploads } from '@/lib/uploads/queries'
import { formatCount, formatUtc } from '@/lib/utils/format'

export const metadata = { title: 'Uploads' }

export default async function UploadsPage() {
  const uploads = await getRecentUploads(await requirePageCaller())
  return (
    <>
      <PageHeader title="Uploads" description="Sales files from your tills, and what became of every row." />
      {uploads.length === 0 ? (
        <EmptyState title="No uploads yet">
          Export the day's sales from your till as CSV and upload the file here.
        </EmptyState>
      ) : (
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>File</TableHead>
              <TableHead>Store</TableHead>
              <TableHead>Uploaded</TableHead>
              <TableHead>Status</TableHead>
              <TableHead className="text-right">Rows</TableHead>
              <TableHead className="text-right">Events</TableHead>
              <TableHead className="text-right">Invalid rows</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {uploads.map((u) => (
              <TableRow key={u.id}>
                <TableCell>{u.fileName}</TableCell>
                <TableCell>{u.store?.code ?? 'From the file'}</TableCell>
                <TableCell>{formatUtc(u.createdAt)}</TableCell>
                <TableCell>{u.status}</TableCell>
                <TableCell className="text-right">{formatCount(u.rowCount)}</TableCell>
                <TableCell className="text-right">{formatCount(u.eventCount)}</TableCell>
                <TableCell className="text-right">{formatCount(u.invalidRowCount)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  )
}
