import { redirect } from 'next/navigation'
import { connection } from 'next/server'
import { AppShell } from '@/components/shell/app-shell'
import { SignOutButton } from '@/components/shell/sign-out-button'
import { getCaller } from '@/lib/auth/caller'

// Every dashboard page needs a signed-in, active user (re-read from the database on each request);
// the pages' queries scope by the same caller.
export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  await connection()
  const caller = await getCaller()
  if (!caller) redirect('/login')
  if (caller.mustChangePassword) redirect('/change-password')
  return (
    <AppShell
      user={{ name: caller.name, email: caller.email, role: caller.role }}
      userMenu={<SignOutButton variant="outline" />}
    >
      {children}
    </AppShell>
  )
}
