import Link from 'next/link'
import { PageHeader } from '@/components/shell/app-shell'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { requirePageCaller } from '@/lib/auth/caller'
import { getStatusCounts } from '@/lib/sales/queries'
import { formatCount } from '@/lib/utils/format'

export const metadata = { title: 'Overview' }

const STATUSES = ['INVALID', 'READY', 'QUEUED', 'SUBMITTED', 'FAILED'] as const

export default async function OverviewPage() {
  const caller = await requirePageCaller()
  const counts = await getStatusCounts(caller)
  return (
    <>
      <PageHeader
        title="Overview"
        description={
          caller.allStores
            ? "Whether every store's sales are reaching Constructor."
            : "Whether your stores' sales are reaching Constructor."
        }
      />
      <div className="grid grid-cols-2 gap-4 md:grid-cols-5">
        {STATUSES.map((s) => (
          <Card key={s}>
            <CardHeader>
              <CardTitle className="text-muted-foreground">
                {s.charAt(0) + s.slice(1).toLowerCase()}
              </CardTitle>
            </CardHeader>
            <CardContent>
              <Link href={`/sales?status=${s}`} className="text-2xl font-semibold hover:underline">
                {formatCount(counts[s] ?? 0)}
              </Link>
            </CardContent>
          </Card>
        ))}
      </div>
    </>
  )
}
