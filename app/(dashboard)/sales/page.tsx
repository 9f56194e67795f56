import { EmptyState, PageHeader } from '@/components/shell/app-shell'
import { Badge } from '@/components/ui/badge'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { requirePageCaller } from '@/lib/auth/caller'
import { getRecentSaleEvents } from '@/lib/sales/queries'
import { formatInZone, formatMoney, formatUtc } from '@/lib/utils/format'

export const metadata = { title: 'Sales' }

export default async function SalesPage() {
  const events = await getRecentSaleEvents(await requirePageCaller())
  return (
    <>
      <PageHeader title="Sales" description="Every sale event, its status and why it is not submitted yet." />
      {events.length === 0 ? (
        <EmptyState title="No sales yet">
          Upload the day's sales from the Uploads page, or enter a sale by hand.
        </EmptyState>
      ) : (
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Store</TableHead>
              <TableHead>Order</TableHead>
              <TableHead>Kind</TableHead>
              <TableHead>Time</TableHead>
              <TableHead className="text-right">Items</TableHead>
              <TableHead className="text-right">Total</TableHead>
              <TableHead>Status</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {events.map((e) => (
              <TableRow key={e.id}>
                <TableCell>{e.store.code}</TableCell>
                <TableCell className="font-mono text-xs">{e.orderId}</TableCell>
                <TableCell>{e.kind === 'PURCHASE' ? 'Purchase' : 'Return'}</TableCell>
                <TableCell title={formatUtc(e.occurredAt)}>
                  {formatInZone(e.occurredAt, e.store.timeZone, e.store.locale)}
                </TableCell>
                <TableCell className="text-right">{e.itemCount}</TableCell>
                <TableCell className="text-right">
                  {formatMoney(e.itemsTotal, e.store.currency, e.store.locale)}
                </TableCell>
                <TableCell>
                  <Badge variant={e.status === 'INVALID' || e.status === 'FAILED' ? 'danger' : 'muted'}>
                    {e.status}
                  </Badge>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  )
}
