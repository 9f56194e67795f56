import { notFound } from 'next/navigation'
import { Suspense } from 'react'
import { OverviewSkeleton } from '@/components/overview/overview-skeleton'
import { OverviewView } from '@/components/overview/overview-view'
import { EmptyState, PageHeader } from '@/components/shell/app-shell'
import { type Caller, requirePageCaller } from '@/lib/auth/caller'
import { getOverview } from '@/lib/overview/queries'
import { getStores } from '@/lib/stores/queries'
import { ScheduleCard } from './schedule-card'

export const metadata = { title: 'Overview' }

// Whether the page exists is decided before anything streams, so "not found" answers 404; the figures
// then stream in behind a skeleton.
export default async function OverviewPage({
  searchParams,
}: {
  searchParams: Promise<{ store?: string | string[] }>
}) {
  const caller = await requirePageCaller()
  const raw = (await searchParams).store
  const storeCode = typeof raw === 'string' && raw.length > 0 ? raw : undefined
  const stores = await getStores(caller)
  // a store that is not one of the caller's looks exactly like one that does not exist
  if (storeCode && !stores.some((s) => s.code === storeCode)) notFound()
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
      {stores.length === 0 ? (
        <EmptyState title="No stores yet">
          {caller.allStores
            ? 'Add a store in Settings; its sales appear here.'
            : 'You are not assigned to a store yet. Ask an administrator.'}
        </EmptyState>
      ) : (
        <Suspense key={storeCode ?? ''} fallback={<OverviewSkeleton />}>
          <OverviewFigures caller={caller} storeCode={storeCode} storeCodes={stores.map((s) => s.code)} />
        </Suspense>
      )}
      {stores.length > 0 ? (
        <Suspense fallback={null}>
          <ScheduleCard caller={caller} storeCode={storeCode} />
        </Suspense>
      ) : null}
    </>
  )
}

async function OverviewFigures(props: { caller: Caller; storeCode?: string; storeCodes: string[] }) {
  const overview = await getOverview(props.caller, { storeCode: props.storeCode })
  if (!overview) notFound()
  return <OverviewView overview={overview} selected={props.storeCode} storeCodes={props.storeCodes} />
}
