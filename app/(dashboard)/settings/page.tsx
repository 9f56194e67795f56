import { redirect } from 'next/navigation'
import { requireAdminPage } from '@/lib/auth/caller'

export const metadata = { title: 'Settings' }

export default async function SettingsPage() {
  await requireAdminPage()
  redirect('/settings/stores')
}
