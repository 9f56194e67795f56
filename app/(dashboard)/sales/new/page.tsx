import { PageHeader } from '@/components/shell/app-shell'
import { requirePageCaller } from '@/lib/auth/caller'
import { getStoreChoices } from '@/lib/uploads/queries'
import { HandEntryForm } from './hand-entry-form'

export const metadata = { title: 'Enter a sale' }

export default async function NewSalePage() {
  const caller = await requirePageCaller()
  const stores = await getStoreChoices(caller)
  return (
    <>
      <PageHeader
        title="Enter a sale"
        description="A purchase or a return the till missed. The time is the store's local time."
      />
      {stores.length === 0 ? (
        <p className="text-sm">You have no stores yet. Ask an administrator to add you to one.</p>
      ) : (
        <HandEntryForm stores={stores} />
      )}
    </>
  )
}
