import { Plus } from 'lucide-react'
import Link from 'next/link'
import { PageHeader } from '@/components/shell/app-shell'
import { Button } from '@/components/ui/button'
import { requirePageCaller } from '@/lib/auth/caller'
import { getSaleEvents, getSalesFilterOptions } from '@/lib/sales/queries'
import { parseSalesSearchParams } from '@/lib/sales/search-params'
import { SalesTable } from '../sales-table'

export const metadata = { title: 'Sales' }

// The URL is the view: filters, sort and page are read from it on the server, so a link reopens it.
export default async function SalesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>
}) {
  const caller = await requirePageCaller()
  const params = parseSalesSearchParams(await searchParams)
  const [page, options] = await Promise.all([getSaleEvents(caller, params), getSalesFilterOptions(caller)])
  return (
    <>
      <PageHeader
        title="Sales"
        description="Every sale event, its status and why it is not submitted yet."
        actions={
          <Button asChild size="sm">
            <Link href="/sales/new">
              <Plus aria-hidden />
              New sale
            </Link>
          </Button>
        }
      />
      <SalesTable
        rows={page.rows}
        rowCount={page.rowCount}
        countCapped={page.countCapped}
        params={params}
        stores={options.stores}
        uploads={options.uploads}
      />
    </>
  )
}
