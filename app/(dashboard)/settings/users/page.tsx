import { Badge } from '@/components/ui/badge'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { requireAdminPage } from '@/lib/auth/caller'
import { getStoresForSettings } from '@/lib/stores/queries'
import { getUsersForSettings } from '@/lib/users/queries'
import { formatUtc } from '@/lib/utils/format'
import { CreateUserDialog, EditAccessDialog, ResetPasswordDialog, UserActiveButton } from './user-forms'

export const metadata = { title: 'Users · Settings' }

export default async function UsersSettingsPage() {
  const caller = await requireAdminPage()
  const [users, stores] = await Promise.all([getUsersForSettings(caller), getStoresForSettings(caller)])
  const storeOptions = stores.map((s) => ({ id: s.id, code: s.code, name: s.name, active: s.active }))
  return (
    <section aria-labelledby="users-heading" className="flex flex-col gap-4">
      <div className="flex items-center justify-between">
        <h2 id="users-heading" className="text-lg font-semibold">
          Users
        </h2>
        <CreateUserDialog stores={storeOptions} />
      </div>
      <Table>
        <TableHeader>
          <TableRow>
            <TableHead>Name</TableHead>
            <TableHead>Email</TableHead>
            <TableHead>Role</TableHead>
            <TableHead>Stores</TableHead>
            <TableHead>Last sign-in</TableHead>
            <TableHead>Status</TableHead>
            <TableHead>
              <span className="sr-only">Actions</span>
            </TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {users.map((u) => {
            const self = u.id === caller.userId
            return (
              <TableRow key={u.id}>
                <TableCell>{u.name}</TableCell>
                <TableCell>{u.email}</TableCell>
                <TableCell>{u.role === 'ADMIN' ? 'Admin' : 'Store manager'}</TableCell>
                <TableCell>
                  {u.role === 'ADMIN'
                    ? 'All stores'
                    : u.memberships.map((m) => m.store.code).join(', ') || '—'}
                </TableCell>
                <TableCell>{u.lastSignInAt ? formatUtc(u.lastSignInAt) : 'Never'}</TableCell>
                <TableCell className="flex flex-wrap gap-1">
                  <Badge variant={u.active ? 'success' : 'muted'}>
                    {u.active ? 'Active' : 'Deactivated'}
                  </Badge>
                  {u.mustChangePassword ? <Badge variant="warning">Temporary password</Badge> : null}
                </TableCell>
                <TableCell>
                  {self ? (
                    <span className="text-xs text-muted-foreground">You</span>
                  ) : (
                    <div className="flex justify-end gap-2">
                      <EditAccessDialog
                        user={{
                          userId: u.id,
                          email: u.email,
                          role: u.role,
                          storeIds: u.memberships.map((m) => m.storeId),
                        }}
                        stores={storeOptions}
                      />
                      <ResetPasswordDialog userId={u.id} email={u.email} />
                      <UserActiveButton userId={u.id} email={u.email} active={u.active} />
                    </div>
                  )}
                </TableCell>
              </TableRow>
            )
          })}
        </TableBody>
      </Table>
    </section>
  )
}
