import { connection } from 'next/server'
import { AppShell } from '@/components/shell/app-shell'

export default async function DashboardLayout({ children }: { children: React.ReactNode }) {
  await connection()
  return <AppShell user={null}>{children}</AppShell>
}
