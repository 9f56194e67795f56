import { PageHeader } from '@/components/shell/app-shell'
import { requireAdminPage } from '@/lib/auth/caller'
import { SettingsTabs } from './settings-tabs'

// Admins only: anyone else gets the not-found page (each page and action checks again).
export default async function SettingsLayout({ children }: { children: React.ReactNode }) {
  await requireAdminPage()
  return (
    <>
      <PageHeader title="Settings" description="Stores, users, the Constructor connection and API keys." />
      <SettingsTabs />
      {children}
    </>
  )
}
