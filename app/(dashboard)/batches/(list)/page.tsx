import { LiveRefresh } from '@/components/data-table/live-refresh'
import { PageHeader } from '@/components/shell/app-shell'
import { requirePageCaller } from '@/lib/auth/caller'
import { getBatches } from '@/lib/batches/queries'
import { OPEN_BATCH_STATUSES, parseBatchesSearchParams } from '@/lib/batches/schema'
import { BatchesTable } from '../batches-table'

export const metadata = { title: 'Batches' }

export default async function BatchesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>
}) {
  const caller = await requirePageCaller()
  const params = parseBatchesSearchParams(await searchParams)
  const { rows, rowCount } = await getBatches(caller, params)
  const live = rows.some((b) => OPEN_BATCH_STATUSES.includes(b.status))
  return (
    <>
      <PageHeader
        title="Batches"
        description="Requests of up to 100 events sent to Constructor, and every attempt."
        actions={<LiveRefresh active={live} />}
      />
      <BatchesTable rows={rows} rowCount={rowCount} params={params} />
    </>
  )
}
