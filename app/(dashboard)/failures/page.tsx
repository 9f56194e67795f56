import Link from 'next/link'
import { EmptyState, PageHeader } from '@/components/shell/app-shell'
import { requirePageCaller } from '@/lib/auth/caller'
import { countFixedReady, getFailureGroups, getItemsMissingPrice } from '@/lib/sales/queries'
import { ExportButton } from '../sales/export-button'
import { FailureGroupCard, SubmitFixedButton } from './failures-inbox'

export const metadata = { title: 'Needs attention' }

// The store manager's landing place: what is invalid or was refused, grouped by reason, each group with a
// fix for all of its sales at once, then "Submit all fixed".
export default async function FailuresPage() {
  const caller = await requirePageCaller()
  const [groups, fixed] = await Promise.all([getFailureGroups(caller), countFixedReady(caller)])
  const items = groups.some((g) => g.fix === 'setPrice') ? await getItemsMissingPrice(caller) : []
  const total = groups.reduce((n, g) => n + g.events, 0)
  return (
    <>
      <PageHeader
        title="Needs attention"
        description="Sales that cannot be sent yet, grouped by what is wrong. Fix a group at once, or open a sale to correct it."
        actions={
          <>
            {total > 0 ? (
              <ExportButton
                variant="outline"
                size="sm"
                href="/sales/export?status=INVALID,FAILED&name=problems"
              >
                Export problems (CSV)
              </ExportButton>
            ) : null}
            <SubmitFixedButton count={fixed} />
          </>
        }
      />
      {groups.length === 0 ? (
        <EmptyState title="Nothing needs attention">
          Every sale is valid and nothing was refused. {fixed > 0 ? 'Submit the sales you fixed, or ' : ''}
          <Link href="/uploads" className="underline">
            upload today's sales
          </Link>{' '}
          or check the{' '}
          <Link href="/batches" className="underline">
            batches
          </Link>{' '}
          being sent.
        </EmptyState>
      ) : (
        <ul className="grid gap-4 lg:grid-cols-2" aria-label="Problems by reason">
          {groups.map((g) => (
            <li key={g.code}>
              <FailureGroupCard group={g} items={g.fix === 'setPrice' ? items : []} />
            </li>
          ))}
        </ul>
      )}
    </>
  )
}
