import { notFound } from 'next/navigation'
import { OverviewView } from '@/components/overview/overview-view'
import { EmptyState, PageHeader } from '@/components/shell/app-shell'
import { requirePageCaller } from '@/lib/auth/caller'
import { getOverview } from '@/lib/overview/queries'
import { getStores } from '@/lib/stores/queries'

export const metadata = { title: 'Overview' }

export default async function OverviewPage({
  searchParams,
}: {
  searchParams: Promise<{ store?: string | string[] }>
}) {
  const caller = await requirePageCaller()
  const raw = (await searchParams).store
  const storeCode = typeof raw === 'string' && raw.length > 0 ? raw : undefined
  const [overview, stores] = await Promise.all([getOverview(caller, { storeCode }), getStores(caller)])
  // a store that is not one of the caller's looks exactly like one that does not exist
  if (!overview) notFound()
  return (
    <>
      <PageHeader
        title="Overview"
        description={
          storeCode
            ? `Whether ${storeCode}'s sales are reaching Constructor.`
            : caller.allStores
              ? "Whether every store's sales are reaching Constructor."
              : "Whether your stores' sales are reaching Constructor."
        }
      />
      {overview.stores.length === 0 ? (
        <EmptyState title="No stores yet">
          {caller.allStores
            ? 'Add a store in Settings; its sales appear here.'
            : 'You are not assigned to a store yet. Ask an administrator.'}
        </EmptyState>
      ) : (
        <OverviewView overview={overview} selected={storeCode} storeCodes={stores.map((s) => s.code)} />
      )}
    </>
  )
}
