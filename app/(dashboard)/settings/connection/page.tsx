import { requireAdminPage } from '@/lib/auth/caller'
import { getConnectionForSettings } from '@/lib/connection/queries'
import { formatUtc } from '@/lib/utils/format'
import { CatalogCheckForm } from './catalog-check-form'
import { ConnectionForm } from './connection-form'
import { CustomerIdPolicyForm } from './customer-id-policy-form'
import { PaceForm } from './pace-form'

export const metadata = { title: 'Constructor connection · Settings' }

export default async function ConnectionSettingsPage() {
  const caller = await requireAdminPage()
  const conn = await getConnectionForSettings(caller)
  return (
    <section aria-labelledby="connection-heading" className="flex max-w-2xl flex-col gap-4">
      <h2 id="connection-heading" className="text-lg font-semibold">
        Constructor connection
      </h2>
      {conn?.paused ? (
        <div
          role="status"
          className="rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900"
        >
          <p className="font-medium">
            Sending is paused{conn.pausedAt ? ` since ${formatUtc(conn.pausedAt)}` : ''}.
          </p>
          <p>
            {conn.pausedReason ?? 'Constructor refused the credentials.'} Save working credentials to resume.
          </p>
        </div>
      ) : null}
      {conn?.lastTestedAt ? (
        <p className="text-sm text-muted-foreground" data-testid="last-test">
          Last test {formatUtc(conn.lastTestedAt)}: {conn.lastTestOk ? 'worked' : 'failed'}
          {conn.lastTestMessage ? ` (${conn.lastTestMessage})` : ''}
        </p>
      ) : null}
      <ConnectionForm
        initial={{
          baseUrl: conn?.baseUrl ?? '',
          apiKey: conn?.apiKey ?? '',
          section: conn?.section ?? 'Products',
        }}
        tokenHint={conn?.tokenHint ?? null}
        connectionId={conn?.id ?? null}
      />
      {conn ? (
        <PaceForm
          connectionId={conn.id}
          initial={{ maxRequestsPerSecond: conn.maxRequestsPerSecond, maxConcurrency: conn.maxConcurrency }}
          effective={
            conn.pace
              ? {
                  rate: conn.pace.rate,
                  slowedUntil:
                    conn.pace.holdUntil && conn.pace.holdUntil.getTime() > Date.now()
                      ? formatUtc(conn.pace.holdUntil)
                      : null,
                }
              : null
          }
        />
      ) : null}
      {conn ? (
        <CustomerIdPolicyForm
          connectionId={conn.id}
          policy={conn.customerIdPolicy}
          secretSetAt={conn.customerIdSecretSetAt ? formatUtc(conn.customerIdSecretSetAt) : null}
        />
      ) : null}
      {conn ? <CatalogCheckForm connectionId={conn.id} hold={conn.holdUnknownItems} /> : null}
    </section>
  )
}
