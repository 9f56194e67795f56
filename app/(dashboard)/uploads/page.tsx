import Link from 'next/link'
import { EmptyState, PageHeader } from '@/components/shell/app-shell'
import { Badge } from '@/components/ui/badge'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { requirePageCaller } from '@/lib/auth/caller'
import { getRecentUploads, getStoreChoices } from '@/lib/uploads/queries'
import { formatBytes, uploadMaxBytes } from '@/lib/uploads/storage/files'
import { formatCount, formatUtc } from '@/lib/utils/format'
import { UploadForm } from './upload-form'
import { STATUS_LABELS, statusVariant } from './upload-status'

export const metadata = { title: 'Uploads' }

export default async function UploadsPage() {
  const caller = await requirePageCaller()
  const [uploads, stores] = await Promise.all([getRecentUploads(caller), getStoreChoices(caller)])
  const maxBytes = uploadMaxBytes()
  return (
    <>
      <PageHeader title="Uploads" description="Sales files from your tills, and what became of every row." />
      <UploadForm
        stores={stores.map((s) => ({ id: s.id, label: `${s.code} — ${s.name}` }))}
        maxBytes={maxBytes}
        maxLabel={formatBytes(maxBytes)}
      />
      <h2 className="mt-8 mb-3 text-lg font-semibold">Recent uploads</h2>
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
              <TableHead>Uploaded by</TableHead>
              <TableHead>Uploaded</TableHead>
              <TableHead>Status</TableHead>
              <TableHead className="text-right">Rows</TableHead>
              <TableHead className="text-right">Events</TableHead>
              <TableHead className="text-right">Invalid rows</TableHead>
              <TableHead className="text-right">Unchanged</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {uploads.map((u) => (
              <TableRow key={u.id}>
                <TableCell>
                  <Link className="font-medium underline-offset-4 hover:underline" href={`/uploads/${u.id}`}>
                    {u.fileName}
                  </Link>
                </TableCell>
                <TableCell>{u.store?.code ?? 'From the file'}</TableCell>
                <TableCell>{u.uploaderName}</TableCell>
                <TableCell>{formatUtc(u.createdAt)}</TableCell>
                <TableCell>
                  <Badge variant={statusVariant(u.status)}>{STATUS_LABELS[u.status]}</Badge>
                </TableCell>
                <TableCell className="text-right">{formatCount(u.rowCount)}</TableCell>
                <TableCell className="text-right">{formatCount(u.eventCount)}</TableCell>
                <TableCell className="text-right">{formatCount(u.invalidRowCount)}</TableCell>
                <TableCell className="text-right">{formatCount(u.duplicateCount)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  )
}
