import { EmptyState } from '@/components/shell/app-shell'
import { Badge } from '@/components/ui/badge'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { requireAdminPage } from '@/lib/auth/caller'
import { getStoresForSettings } from '@/lib/stores/queries'
import { StoreActiveButton, StoreFormDialog } from './store-forms'
import { StoreNamesDialog } from './store-names-dialog'

export const metadata = { title: 'Stores · Settings' }

export default async function StoresSettingsPage() {
  const caller = await requireAdminPage()
  const stores = await getStoresForSettings(caller)
  return (
    <section aria-labelledby="stores-heading" className="flex flex-col gap-4">
      <div className="flex items-center justify-between">
        <h2 id="stores-heading" className="text-lg font-semibold">
          Stores
        </h2>
        <StoreFormDialog />
      </div>
      {stores.length === 0 ? (
        <EmptyState title="No stores yet">
          Add the first store: its code is the store id sent to Constructor.
        </EmptyState>
      ) : (
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Code</TableHead>
              <TableHead>Name</TableHead>
              <TableHead>Time zone</TableHead>
              <TableHead>Coordinates</TableHead>
              <TableHead>Currency · locale</TableHead>
              <TableHead>Managers</TableHead>
              <TableHead>Status</TableHead>
              <TableHead>
                <span className="sr-only">Actions</span>
              </TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {stores.map((s) => (
              <TableRow key={s.id}>
                <TableCell className="font-mono">{s.code}</TableCell>
                <TableCell>{s.name}</TableCell>
                <TableCell>{s.timeZone}</TableCell>
                <TableCell>{s.latitude && s.longitude ? `${s.latitude}, ${s.longitude}` : '—'}</TableCell>
                <TableCell>
                  {s.currency} · {s.locale}
                </TableCell>
                <TableCell>{s._count.memberships}</TableCell>
                <TableCell>
                  <Badge variant={s.active ? 'success' : 'muted'}>
                    {s.active ? 'Active' : 'Deactivated'}
                  </Badge>
                </TableCell>
                <TableCell className="flex justify-end gap-2">
                  <StoreFormDialog
                    store={{
                      storeId: s.id,
                      code: s.code,
                      name: s.name,
                      latitude: s.latitude ?? '',
                      longitude: s.longitude ?? '',
                      timeZone: s.timeZone,
                      currency: s.currency,
                      locale: s.locale,
                    }}
                  />
                  <StoreNamesDialog
                    storeId={s.id}
                    code={s.code}
                    names={s.aliases.map((a) => ({ id: a.id, name: a.name }))}
                  />
                  <StoreActiveButton storeId={s.id} code={s.code} active={s.active} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </section>
  )
}
