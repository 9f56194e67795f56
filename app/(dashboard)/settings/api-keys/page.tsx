import { headers } from 'next/headers'
import Link from 'next/link'
import { EmptyState } from '@/components/shell/app-shell'
import { Badge } from '@/components/ui/badge'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { requireAdminPage } from '@/lib/auth/caller'
import { env } from '@/lib/env'
import { feedOpenApiDocument } from '@/lib/feed/openapi'
import { getApiKeysForSettings, getStoreSchedules } from '@/lib/feed/queries'
import { FEED_LIMITS } from '@/lib/feed/schema'
import { formatInZone, formatUtc } from '@/lib/utils/format'
import { CopyButton, CreateApiKeyDialog, RevokeApiKeyButton, ScheduleForm } from './api-key-forms'

export const metadata = { title: 'API keys · Settings' }

/** the app's own address, as the till will call it */
async function appOrigin() {
  const configured = env().APP_URL
  if (configured) return new URL(configured).origin
  const h = await headers()
  return `${h.get('x-forwarded-proto') ?? 'http'}://${h.get('host') ?? 'localhost:3000'}`
}

export default async function ApiKeysSettingsPage() {
  const caller = await requireAdminPage()
  const [keys, schedules, origin] = await Promise.all([
    getApiKeysForSettings(caller),
    getStoreSchedules(caller),
    appOrigin(),
  ])
  const exampleCode = schedules[0]?.code ?? 'BER-01'
  const contract = feedOpenApiDocument(origin)
  const fieldsOf = (id: 'Sale' | 'SaleItem') =>
    Object.entries(
      (contract.components.schemas[id] as { properties: Record<string, { description?: string }> })
        .properties,
    ).map(([name, p]) => ({ name, description: p.description ?? '' }))
  const curl = `curl -sS -X POST '${origin}/api/v1/sales' \\
  -H "Authorization: Bearer $STOREFRONT_SYNC_KEY" \\
  -H 'Content-Type: application/json' \\
  --data-binary '[{"order_id":"1001","occurred_at":"2026-03-02 14:05","store_code":"${exampleCode}","kind":"purchase","customer_id":"C-42","items":[{"item_id":"MUG-BLUE","item_name":"Blue mug","unit_price":"12.50","quantity":2}]}]'`
  return (
    <div className="flex flex-col gap-10">
      <section aria-labelledby="keys-heading" className="flex flex-col gap-4">
        <div className="flex items-center justify-between">
          <div>
            <h2 id="keys-heading" className="text-lg font-semibold">
              API keys
            </h2>
            <p className="text-sm text-muted-foreground">
              Tills and POS systems push sales with these keys. Each key writes only its stores.
            </p>
          </div>
          <CreateApiKeyDialog
            stores={schedules.map((s) => ({ id: s.storeId, code: s.code, name: s.name }))}
          />
        </div>
        {keys.length === 0 ? (
          <EmptyState title="No API keys yet">
            Create one for each till or system that should push sales by itself.
          </EmptyState>
        ) : (
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>Name</TableHead>
                <TableHead>Key</TableHead>
                <TableHead>Stores</TableHead>
                <TableHead>Created</TableHead>
                <TableHead>Last used</TableHead>
                <TableHead>Status</TableHead>
                <TableHead>
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {keys.map((k) => (
                <TableRow key={k.id}>
                  <TableCell>{k.name}</TableCell>
                  <TableCell className="font-mono text-xs">{k.prefix}…</TableCell>
                  <TableCell>{k.storeCodes.join(', ') || '—'}</TableCell>
                  <TableCell>{formatUtc(k.createdAt)}</TableCell>
                  <TableCell>{k.lastUsedAt ? formatUtc(k.lastUsedAt) : 'Never'}</TableCell>
                  <TableCell>
                    <Badge variant={k.revokedAt ? 'muted' : 'success'}>
                      {k.revokedAt ? 'Revoked' : 'Active'}
                    </Badge>
                  </TableCell>
                  <TableCell className="text-right">
                    {k.revokedAt ? null : <RevokeApiKeyButton keyId={k.id} name={k.name} prefix={k.prefix} />}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </section>

      <section aria-labelledby="schedule-heading" className="flex flex-col gap-4">
        <div>
          <h2 id="schedule-heading" className="text-lg font-semibold">
            Scheduled submission
          </h2>
          <p className="text-sm text-muted-foreground">
            Ready sales go to Constructor without anyone clicking. Invalid sales wait in Failures for a
            manager.
          </p>
        </div>
        {schedules.length === 0 ? (
          <EmptyState title="No active stores">Add a store first.</EmptyState>
        ) : (
          <ul className="flex flex-col divide-y rounded-md border">
            {schedules.map((s) => (
              <li key={s.storeId} className="flex flex-wrap items-end justify-between gap-4 p-4">
                <ScheduleForm storeId={s.storeId} code={s.code} mode={s.mode} dailyAt={s.dailyAt} />
                <p className="text-sm text-muted-foreground">
                  Next run:{' '}
                  {s.mode === 'OFF'
                    ? 'none'
                    : s.mode === 'WHEN_READY'
                      ? 'within a minute of sales being ready'
                      : formatInZone(s.nextRunAt, s.timeZone)}
                  <br />
                  Last run:{' '}
                  {s.lastRunAt ? `${formatInZone(s.lastRunAt, s.timeZone)} — ${s.lastResult ?? ''}` : 'never'}
                </p>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="api-heading" className="flex flex-col gap-3">
        <h2 id="api-heading" className="text-lg font-semibold">
          Pushing sales
        </h2>
        <p className="text-sm text-muted-foreground">
          POST up to {FEED_LIMITS.maxSales.toLocaleString('en-US')} sales per request as JSON (below) or as a
          CSV file in a layout the store has uploaded before (Content-Type: text/csv, ?store=&lt;code&gt;).
          Each sale is answered: stored, unchanged, corrected, invalid (with reasons) or busy. Sending the
          same sales again changes nothing. The full contract:{' '}
          <Link className="underline" href="/api/v1/openapi.json">
            /api/v1/openapi.json
          </Link>{' '}
          (OpenAPI 3.1).
        </p>
        <figure>
          <figcaption className="mb-1 text-sm font-medium">Example: push one sale with curl</figcaption>
          <pre className="overflow-x-auto rounded-md border bg-muted p-3 text-xs">{curl}</pre>
        </figure>
        <div>
          <CopyButton text={curl} label="Copy curl example" />
        </div>
        <h3 className="mt-2 font-medium">Fields of a sale</h3>
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Field</TableHead>
              <TableHead>Meaning</TableHead>
            </TableRow>
          </TableHeader>
          <TableBody>
            {[
              ...fieldsOf('Sale'),
              ...fieldsOf('SaleItem').map((f) => ({ ...f, name: `items[].${f.name}` })),
            ].map((f) => (
              <TableRow key={f.name}>
                <TableCell className="font-mono text-xs">{f.name}</TableCell>
                <TableCell className="text-sm">{f.description}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
        <details className="rounded-md border p-3">
          <summary className="cursor-pointer text-sm font-medium">The OpenAPI 3.1 document</summary>
          <pre className="mt-2 max-h-96 overflow-auto text-xs">{JSON.stringify(contract, null, 2)}</pre>
        </details>
      </section>
    </div>
  )
}
