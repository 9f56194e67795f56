import Link from 'next/link'
import { LiveRefresh } from '@/components/data-table/live-refresh'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Progress } from '@/components/ui/progress'
import { requirePageCaller } from '@/lib/auth/caller'
import { countReadyInUpload, getUploadSubmission } from '@/lib/uploads/queries'
import { formatCount } from '@/lib/utils/format'
import { BatchStatusBadge } from '../../batches/batch-status-badge'
import { SubmitUpload } from './submit-upload'

const salesOf = (n: number) => `${formatCount(n)} ${n === 1 ? 'sale' : 'sales'}`

// After storing: the file's ready sales go out with one click, and what was sent from it shows here, live.
export async function SubmissionCard({ uploadId }: { uploadId: string }) {
  const caller = await requirePageCaller()
  const [ready, progress] = await Promise.all([
    countReadyInUpload(caller, uploadId),
    getUploadSubmission(caller, uploadId),
  ])
  const c = progress.counts
  const sent = c.SUBMITTED ?? 0
  const waiting = c.QUEUED ?? 0
  const refused = c.FAILED ?? 0
  const invalid = c.INVALID ?? 0
  const submitted = sent + waiting + refused
  const open = progress.batches.some((b) => ['QUEUED', 'SENDING', 'RETRY_WAIT'].includes(b.status))
  return (
    <Card>
      <CardHeader>
        <div className="flex items-start justify-between gap-3">
          <CardTitle>Send to Constructor</CardTitle>
          <LiveRefresh active={waiting > 0 || open} />
        </div>
        <CardDescription>
          {ready > 0
            ? `${salesOf(ready)} from this file ${ready === 1 ? 'is' : 'are'} ready. They go out in batches of up to 100${invalid === 1 ? '; the 1 sale that needs fixing stays here until you fix it' : invalid > 1 ? `; the ${salesOf(invalid)} that need fixing stay here until you fix them` : ''}.`
            : submitted > 0
              ? 'Every ready sale from this file has been submitted.'
              : invalid > 0
                ? 'No sale from this file is ready to submit: fix the ones that need attention first.'
                : 'No sale from this file is ready to submit.'}
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <SubmitUpload uploadId={uploadId} ready={ready} />
        {submitted > 0 ? (
          <section aria-label="Sending progress" className="flex flex-col gap-2 text-sm">
            <Progress value={(sent / submitted) * 100} label="Sales from this file accepted by Constructor" />
            <p>
              {formatCount(sent)} of {salesOf(submitted)} accepted by Constructor
              {waiting > 0 ? ` · ${formatCount(waiting)} waiting to be sent` : ''}
              {refused > 0 ? (
                <>
                  {' · '}
                  <Link className="underline" href={`/sales?upload=${uploadId}&status=FAILED`}>
                    {formatCount(refused)} refused
                  </Link>
                </>
              ) : null}
            </p>
            <ul className="flex flex-col gap-1" aria-label="Batches with sales from this file">
              {progress.batches.map((b) => (
                <li key={b.id} className="flex flex-wrap items-center gap-2">
                  <BatchStatusBadge status={b.status} />
                  <Link className="font-mono text-xs underline" href={`/batches/${b.id}`}>
                    Batch …{b.id.slice(-8)}
                  </Link>
                  <span className="text-muted-foreground">{salesOf(b.eventCount)}</span>
                </li>
              ))}
            </ul>
            {progress.batchCount > progress.batches.length ? (
              <p className="text-muted-foreground">
                Showing the latest {formatCount(progress.batches.length)} of{' '}
                {formatCount(progress.batchCount)} batches.{' '}
                <Link className="underline" href="/batches">
                  All batches
                </Link>
              </p>
            ) : null}
          </section>
        ) : null}
      </CardContent>
    </Card>
  )
}

/** the action exactly as it will be sent (the customer id as the connection's policy sends it), and the stored id */
