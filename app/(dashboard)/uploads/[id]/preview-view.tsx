import Link from 'next/link'
import { Badge } from '@/components/ui/badge'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import type { PreviewCatalog } from '@/lib/catalog/upload-check'
import { actionAsSent, type CustomerIdSettings } from '@/lib/customers/customer-id'
import { fieldLabel } from '@/lib/uploads/field-label'
import type { IngestCounts, UploadPreview } from '@/lib/uploads/storage/ingest'
import { formatCount, formatUtc } from '@/lib/utils/format'
import { UnknownCatalogItems } from './map-catalog-items'

// The preview of a checked file: its counts, the rows with problems, the catalog check and the first events
// exactly as they will be sent.
function ActionAsSent({
  action,
  customerIds,
  locale,
}: {
  action: { data: object }
  customerIds: CustomerIdSettings
  locale: string | undefined
}) {
  const shown = actionAsSent(action, customerIds, locale)
  return (
    <>
      <pre className="overflow-x-auto rounded bg-muted p-2 text-xs">
        {JSON.stringify(shown.action, null, 2)}
      </pre>
      {shown.stored !== null && shown.outgoing.sent !== shown.stored ? (
        <p className="mt-1 text-xs text-muted-foreground" data-testid="customer-id-note">
          Customer id stored as <code className="break-all">{shown.stored}</code>. {shown.outgoing.note}
        </p>
      ) : null}
    </>
  )
}

export function CountsList({ counts }: { counts: IngestCounts }) {
  const items: [string, number][] = [
    ['Rows', counts.rows],
    ['Sales (events)', counts.events],
    ['Valid', counts.validEvents],
    ['Invalid', counts.invalidEvents],
    ['Rows with problems', counts.invalidRows],
    ['Returns', counts.returns],
    ['New', counts.new],
    ['Duplicates (unchanged, skipped)', counts.unchanged],
    ['Changed (updated)', counts.updated],
    ['Corrections to resend', counts.corrections],
    ['Being sent (left as they are)', counts.queued],
  ]
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-6" aria-label="Counts">
      {items.map(([label, n]) => (
        <div key={label} className="rounded-md border p-3">
          <dt className="text-xs text-muted-foreground">{label}</dt>
          <dd className="text-lg font-semibold" data-testid={`count-${label}`}>
            {formatCount(n)}
          </dd>
        </div>
      ))}
    </dl>
  )
}

export function ProblemsTable({
  rows,
  caption,
}: {
  rows: { row: number | null; orderId: string | null; field: string; message: string }[]
  caption: string
}) {
  return (
    <Table aria-label={caption}>
      <TableHeader>
        <TableRow>
          <TableHead>Row</TableHead>
          <TableHead>Order</TableHead>
          <TableHead>Field</TableHead>
          <TableHead>Reason</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((p, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: problems have no id; their order is the file's
          <TableRow key={i}>
            <TableCell>{p.row ?? '—'}</TableCell>
            <TableCell>{p.orderId ?? '—'}</TableCell>
            <TableCell>{fieldLabel(p.field)}</TableCell>
            <TableCell>{p.message}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  )
}

// The catalog pre-flight of the file's item ids: which the Constructor catalog does not hold (their sales are held
// when submitted, or sent anyway, as the connection says), which the store already maps to a catalog id.
function CatalogCheck({
  uploadId,
  catalog,
  recheck,
}: {
  uploadId: string
  catalog: PreviewCatalog
  recheck: Record<string, unknown>
}) {
  return (
    <section aria-labelledby="catalog-check-title">
      <h3 id="catalog-check-title" className="mb-2 font-medium">
        {catalog.unknown.length === 0
          ? catalog.status === 'unavailable'
            ? 'Catalog check unavailable'
            : 'Every item is in your Constructor catalog'
          : `${formatCount(catalog.unknown.length)} ${catalog.unknown.length === 1 ? 'item is' : 'items are'} not in your Constructor catalog`}
      </h3>
      {catalog.status === 'unavailable' ? (
        <p role="status" className="mb-2 text-sm text-muted-foreground">
          {catalog.message ?? 'The catalog could not be checked.'} Sending is not affected.
        </p>
      ) : null}
      {catalog.unknown.length > 0 ? (
        <>
          <UnknownCatalogItems uploadId={uploadId} items={catalog.unknown} recheck={recheck} />
          <p className="mt-2 text-sm text-muted-foreground">
            {catalog.hold
              ? 'These sales are held when you submit them. Give the catalog’s id for each SKU now, or later in Needs attention: the store remembers it for later files.'
              : 'These sales are sent anyway (the connection’s setting), but they teach Constructor’s ranking nothing until their ids match the catalog.'}
          </p>
        </>
      ) : null}
      {catalog.mapped.length > 0 ? (
        <p className="mt-2 text-sm text-muted-foreground">
          Stored as the catalog’s ids, as your store mapped them:{' '}
          {catalog.mapped
            .slice(0, 10)
            .map((m) => `${m.itemId} → ${m.catalogItemId}`)
            .join(', ')}
          {catalog.mapped.length > 10 ? ', …' : ''}.
        </p>
      ) : null}
    </section>
  )
}

export function PreviewView({
  uploadId,
  preview,
  customerIds,
  localeOf,
}: {
  uploadId: string
  preview: UploadPreview
  customerIds: CustomerIdSettings
  localeOf: Map<string, string>
}) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Preview</CardTitle>
        <CardDescription>
          Nothing is stored yet. Check the counts and the problems, then store the sales.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-6">
        {preview.sameFileAs ? (
          <p role="status" className="rounded-md border border-sky-300 bg-sky-50 px-3 py-2 text-sm">
            This exact file was already stored
            {preview.sameFileAs.committedAt
              ? ` on ${formatUtc(new Date(preview.sameFileAs.committedAt))}`
              : ''}{' '}
            (
            <Link className="underline" href={`/uploads/${preview.sameFileAs.uploadId}`}>
              see that upload
            </Link>
            ). Storing it again changes nothing.
          </p>
        ) : null}
        <CountsList counts={preview.counts} />
        {preview.warnings.map((w) => (
          <p
            key={w}
            className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900"
          >
            {w}
          </p>
        ))}
        {preview.counts.queued > 0 ? (
          <p className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            {formatCount(preview.counts.queued)} changed{' '}
            {preview.counts.queued === 1 ? 'sale is' : 'sales are'} being sent to Constructor right now (
            {preview.queuedOrders.slice(0, 10).join(', ')}
            {preview.queuedOrders.length > 10 ? ', …' : ''}) and will be left as they are. Upload the file
            again once that batch has finished to send the change as a correction.
          </p>
        ) : null}
        <section>
          <h3 className="mb-2 font-medium">
            {preview.problemTotal === 0
              ? 'No problems found'
              : `${formatCount(preview.problemTotal)} ${preview.problemTotal === 1 ? 'problem' : 'problems'} to fix`}
          </h3>
          {preview.problemTotal > 0 ? (
            <>
              <ProblemsTable rows={preview.problems} caption="Problems found in the file" />
              {preview.problemTotal > preview.problems.length ? (
                <p className="mt-2 text-sm text-muted-foreground">
                  Showing the first {formatCount(preview.problems.length)}. Every one is kept with its reason
                  when you store the file, and listed on this page afterwards.
                </p>
              ) : (
                <p className="mt-2 text-sm text-muted-foreground">
                  These rows are kept with their reasons when you store the file; fix them in Sales
                  afterwards, or fix the file and upload it again.
                </p>
              )}
            </>
          ) : null}
        </section>
        {preview.catalog ? (
          <CatalogCheck uploadId={uploadId} catalog={preview.catalog} recheck={recheckInput(preview)} />
        ) : null}
        <section>
          <h3 className="mb-2 font-medium">First events exactly as they will be sent</h3>
          <ol className="flex flex-col gap-3">
            {preview.firstEvents.map((e) => (
              <li key={`${e.storeCode}-${e.kind}-${e.orderId}`} className="rounded-md border p-3 text-sm">
                <div className="mb-2 flex flex-wrap items-center gap-2">
                  <span className="font-medium">
                    {e.kind === 'RETURN' ? 'Return' : 'Purchase'} {e.orderId}
                  </span>
                  <span className="text-muted-foreground">
                    {e.storeCode} · row{e.rows.length > 1 ? 's' : ''} {e.rows.join(', ')}
                  </span>
                  <Badge variant={e.status === 'READY' ? 'success' : 'danger'}>
                    {e.status === 'READY' ? 'Valid' : 'Invalid'}
                  </Badge>
                  {e.disposition !== 'new' ? <Badge variant="muted">{e.disposition}</Badge> : null}
                </div>
                {e.action ? (
                  <ActionAsSent
                    action={e.action}
                    customerIds={customerIds}
                    locale={localeOf.get(e.storeCode)}
                  />
                ) : (
                  <ul className="list-disc pl-5 text-destructive">
                    {e.issues.map((i) => (
                      <li key={`${i.field}-${i.message}`}>
                        {fieldLabel(i.field)}: {i.message}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ol>
        </section>
      </CardContent>
    </Card>
  )
}

/** the preview route's input that reads the file again exactly as this preview did */
export function recheckInput(preview: UploadPreview) {
  const s = preview.settings
  return {
    ...(s.mapping !== undefined && { mapping: s.mapping }),
    ...(s.dateOrder !== undefined && { dateOrder: s.dateOrder }),
    ...(s.decimalSeparator !== undefined && { decimalSeparator: s.decimalSeparator }),
  }
}
