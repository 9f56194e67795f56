import { redirect } from 'next/navigation'
import { connection } from 'next/server'
import { AppShell } from '@/components/shell/app-shell'
import { ConnectionBanner, SandboxBadge } from '@/components/shell/connection-banner'
import { SignOutButton } from '@/components/shell/sign-out-button'
import { getCaller } from '@/lib/auth/caller'
import { getConnectionStatus } from '@/lib/connection/status'

// Every dashboard page needs a signed-in, active user (re-read from the database on each request);
// the pages' queries scope by the same caller.
export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  await connection()
  const caller = await getCaller()
  if (!caller) redirect('/login')
  if (caller.mustChangePassword) redirect('/change-password')
  const connectionStatus = await getConnectionStatus(caller)
  return (
    <AppShell
      user={{ name: caller.name, email: caller.email, role: caller.role }}
      userMenu={<SignOutButton variant="outline" />}
      headerStart={connectionStatus.sandbox ? <SandboxBadge /> : null}
      banner={<ConnectionBanner status={connectionStatus} isAdmin={caller.role === 'ADMIN'} />}
    >
      {children}
    </AppShell>
  )
}
