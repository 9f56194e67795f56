import { PageHeader } from '@/components/shell/app-shell'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { db } from '@/lib/db'

export const metadata = { title: 'Settings' }

export default async function SettingsPage() {
  const stores = await db.store.findMany({ orderBy: { code: 'asc' } })
  return (
    <>
      <PageHeader title="Settings" description="Stores, users and the Constructor connection." />
      <h2 className="mb-2 text-lg font-semibold">Stores</h2>
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Code</TableHead>
            <TableHead>Name</TableHead>
            <TableHead>Time zone</TableHead>
            <TableHead>Coordinates</TableHead>
            <TableHead>Active</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {stores.map((s) => (
            <TableRow key={s.id}>
              <TableCell className="font-mono">{s.code}</TableCell>
              <TableCell>{s.name}</TableCell>
              <TableCell>{s.timeZone}</TableCell>
              <TableCell>{s.latitude && s.longitude ? `${s.latitude}, ${s.longitude}` : '—'}</TableCell>
              <TableCell>{s.active ? 'Yes' : 'No'}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </>
  )
}
