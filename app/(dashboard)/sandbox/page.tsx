import Link from 'next/link'
import { EmptyState, PageHeader } from '@/components/shell/app-shell'
import { Badge } from '@/components/ui/badge'
import { Button } from '@/components/ui/button'
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card'
import { Input, Label } from '@/components/ui/input'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { requireAdminPage } from '@/lib/auth/caller'
import { getSandboxView, summariseAction } from '@/lib/constructor/sandbox-status'
import { formatCount, formatUtc } from '@/lib/utils/format'

export const metadata = { title: 'Sandbox' }

const PAGE_SIZE = 50

export default async function SandboxPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>
}) {
  const caller = await requireAdminPage()
  const params = await searchParams
  const offset = Math.max(0, Number.parseInt(params.offset ?? '0', 10) || 0)
  const orderId = params.order?.trim() || undefined
  const view = await getSandboxView(caller, { offset, limit: PAGE_SIZE, orderId })

  return (
    <>
      <PageHeader
        title="Sandbox"
        description="The local stand-in for Constructor: every action it accepted, exactly as Constructor would have received it."
      />
      {!view.available ? (
        <EmptyState title="The sandbox cannot be read">{view.reason}</EmptyState>
      ) : (
        <div className="flex flex-col gap-6">
          <div className="grid grid-cols-2 gap-4 md:grid-cols-4">
            <Stat label="Actions received" value={formatCount(view.stats.recordedActions)} />
            <Stat label="Requests" value={formatCount(view.stats.requests.total)} />
            <Stat
              label="Rejected or failed requests"
              value={formatCount(view.stats.requests.total - view.stats.acceptedRequests)}
            />
            <Stat label="Most requests at once" value={formatCount(view.stats.maxInFlight)} />
          </div>
          <form className="flex items-end gap-2" action="/sandbox">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="order">Find an order id</Label>
              <Input id="order" name="order" defaultValue={orderId ?? ''} className="w-64" />
            </div>
            <Button type="submit" variant="outline">
              Search
            </Button>
            {orderId ? (
              <Button asChild variant="ghost">
                <Link href="/sandbox">Clear</Link>
              </Button>
            ) : null}
          </form>
          {view.page.records.length === 0 ? (
            <EmptyState title={orderId ? 'No action with this order id' : 'Nothing received yet'}>
              Submit ready sales from the Sales page; what the sandbox accepts appears here.
            </EmptyState>
          ) : (
            <>
              <Table>
                <TableHeader>
                  <TableRow>
                    <TableHead>Received</TableHead>
                    <TableHead>Action</TableHead>
                    <TableHead>Order id</TableHead>
                    <TableHead>Store</TableHead>
                    <TableHead>Sale time (_dt)</TableHead>
                    <TableHead className="text-right">Items</TableHead>
                    <TableHead>As sent</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {view.page.records.map((r) => {
                    const s = summariseAction(r.action)
                    return (
                      <TableRow key={r.seq}>
                        <TableCell className="whitespace-nowrap">
                          {formatUtc(new Date(r.receivedAt))}
                        </TableCell>
                        <TableCell>
                          <Badge variant={s.kind === 'Return' ? 'warning' : 'info'}>{s.kind}</Badge>
                        </TableCell>
                        <TableCell className="font-mono text-xs">{s.orderId ?? '—'}</TableCell>
                        <TableCell>{s.storeId ?? '—'}</TableCell>
                        <TableCell className="whitespace-nowrap">{formatUtc(s.occurredAt)}</TableCell>
                        <TableCell className="text-right">{s.itemCount}</TableCell>
                        <TableCell>
                          <details>
                            <summary className="cursor-pointer text-xs text-primary">JSON</summary>
                            <pre className="mt-2 max-w-xl overflow-auto rounded bg-muted p-2 text-xs">
                              {JSON.stringify(r.action, null, 2)}
                            </pre>
                          </details>
                        </TableCell>
                      </TableRow>
                    )
                  })}
                </TableBody>
              </Table>
              <nav aria-label="Pages" className="flex items-center justify-between text-sm">
                <span className="text-muted-foreground">
                  {formatCount(offset + 1)}–{formatCount(offset + view.page.records.length)} of{' '}
                  {formatCount(view.page.total)}
                </span>
                <div className="flex gap-2">
                  <PageLink
                    offset={offset - PAGE_SIZE}
                    orderId={orderId}
                    disabled={offset === 0}
                    label="Newer"
                  />
                  <PageLink
                    offset={offset + PAGE_SIZE}
                    orderId={orderId}
                    disabled={offset + PAGE_SIZE >= view.page.total}
                    label="Older"
                  />
                </div>
              </nav>
            </>
          )}
        </div>
      )}
    </>
  )
}

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle className="text-muted-foreground">{label}</CardTitle>
      </CardHeader>
      <CardContent className="text-2xl font-semibold">{value}</CardContent>
    </Card>
  )
}

function PageLink({
  offset,
  orderId,
  disabled,
  label,
}: {
  offset: number
  orderId?: string
  disabled: boolean
  label: string
}) {
  if (disabled) {
    return (
      <Button variant="outline" size="sm" disabled>
        {label}
      </Button>
    )
  }
  const q = new URLSearchParams({ offset: String(Math.max(0, offset)) })
  if (orderId) q.set('order', orderId)
  return (
    <Button asChild variant="outline" size="sm">
      <Link href={`/sandbox?${q}`}>{label}</Link>
    </Button>
  )
}
