import { EmptyState, PageHeader } from '@/components/shell/app-shell'
import { Badge } from '@/components/ui/badge'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { requireAdminPage } from '@/lib/auth/caller'
import { getOperations } from '@/lib/operations/queries'
import { formatBytes } from '@/lib/uploads/storage/format-bytes'
import { formatCount, formatDuration, formatUtc } from '@/lib/utils/format'

export const metadata = { title: 'Operations' }

const age = (d: Date | null | undefined) => (d ? formatDuration(Math.max(0, Date.now() - d.getTime())) : '—')

function Figure({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div data-figure={label}>
      <div className="text-xs text-muted-foreground">{label}</div>
      <div className="text-xl font-semibold tabular-nums">{value}</div>
      {hint ? <div className="text-xs text-muted-foreground">{hint}</div> : null}
    </div>
  )
}

export default async function OperationsPage() {
  const ops = await getOperations(await requireAdminPage())
  if (!ops) return null
  const alive = ops.workers.filter((w) => w.alive).length
  return (
    <>
      <PageHeader
        title="Operations"
        description="The Constructor connection, the send queue, the workers and recent failures, as every instance sees them."
      />
      <div className="grid gap-4 lg:grid-cols-2">
        <Card>
          <CardHeader>
            <CardTitle>Connection</CardTitle>
            <CardDescription>
              Sending pauses itself on 401/403 until an admin fixes the settings.
            </CardDescription>
          </CardHeader>
          <CardContent className="flex flex-col gap-3">
            {ops.connections.length === 0 ? (
              <p className="text-sm text-muted-foreground">No connection is set up yet.</p>
            ) : (
              ops.connections.map((c) => (
                <div key={c.id} className="flex flex-col gap-1 text-sm" data-connection={c.name}>
                  <div className="flex items-center gap-2">
                    <span className="font-medium">{c.name}</span>
                    {c.paused ? (
                      <Badge variant="danger">Paused</Badge>
                    ) : (
                      <Badge variant="success">Active</Badge>
                    )}
                    {c.rateLimited ? <Badge variant="warning">Rate limited</Badge> : null}
                  </div>
                  <div className="text-xs text-muted-foreground">{c.baseUrl}</div>
                  {c.paused ? (
                    <p className="text-red-800">
                      Paused {c.pausedAt ? `${age(c.pausedAt)} ago` : ''}:{' '}
                      {c.pausedReason ?? 'no reason recorded'}
                    </p>
                  ) : null}
                  <p className="text-xs text-muted-foreground">
                    Last test:{' '}
                    {c.lastTestedAt
                      ? `${c.lastTestOk ? 'passed' : 'failed'} ${age(c.lastTestedAt)} ago${c.lastTestMessage ? ` (${c.lastTestMessage})` : ''}`
                      : 'never'}
                  </p>
                  <div className="grid grid-cols-2 gap-3 pt-1 sm:grid-cols-4" data-section="rate-limit">
                    <Figure
                      label="Rate now"
                      value={c.pace ? `${c.pace.rate.toFixed(1)}/s` : '—'}
                      hint={`max ${c.maxRequestsPerSecond}/s`}
                    />
                    <Figure
                      label="Concurrency"
                      value={String(c.maxConcurrency)}
                      hint="requests at once, all workers"
                    />
                    <Figure
                      label="Held until"
                      value={
                        c.rateLimited && c.pace?.holdUntil
                          ? formatUtc(c.pace.holdUntil).slice(11)
                          : 'not held'
                      }
                      hint="after a 429 Retry-After"
                    />
                    <Figure label="Pace updated" value={c.pace ? `${age(c.pace.updatedAt)} ago` : '—'} />
                  </div>
                </div>
              ))
            )}
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>Queue</CardTitle>
            <CardDescription>One send job per batch, in PostgreSQL (graphile-worker).</CardDescription>
          </CardHeader>
          <CardContent className="grid grid-cols-2 gap-4 sm:grid-cols-3">
            <Figure label="Queue depth" value={formatCount(ops.queue.depth)} />
            <Figure label="Ready to run" value={formatCount(ops.queue.ready)} />
            <Figure label="Running" value={formatCount(ops.queue.running)} />
            <Figure
              label="Oldest job"
              value={age(ops.queue.oldestCreatedAt)}
              hint={ops.queue.oldestCreatedAt ? formatUtc(ops.queue.oldestCreatedAt) : 'queue empty'}
            />
            <Figure
              label="Longest wait past run time"
              value={
                ops.queue.oldestReadyAgeSeconds === null
                  ? '—'
                  : formatDuration(Math.round(ops.queue.oldestReadyAgeSeconds * 1000))
              }
            />
            <Figure label="Stuck jobs" value={formatCount(ops.queue.stuck)} />
            {(['QUEUED', 'SENDING', 'RETRY_WAIT', 'FAILED'] as const).map((s) => (
              <Figure
                key={s}
                label={`Batches ${s.toLowerCase().replace('_', ' ')}`}
                value={formatCount(ops.batches[s]?.count ?? 0)}
                hint={ops.batches[s]?.oldest ? `oldest ${age(ops.batches[s]?.oldest)}` : undefined}
              />
            ))}
          </CardContent>
        </Card>
        <Card>
          <CardHeader>
            <CardTitle>Uploads</CardTitle>
            <CardDescription>
              Files being checked or stored by the workers: large ones two at a time per worker
              (UPLOAD_JOB_CONCURRENCY), small ones in a lane of their own.
            </CardDescription>
          </CardHeader>
          <CardContent className="grid grid-cols-2 gap-4 sm:grid-cols-3">
            {(['large', 'small'] as const).map((lane) => (
              <Figure
                key={lane}
                label={`${lane === 'large' ? 'Large' : 'Small'} uploads running`}
                value={formatCount(ops.uploads[lane].running)}
                hint={`${formatCount(ops.uploads[lane].waiting)} waiting${ops.uploads[lane].oldestWaiting ? `, oldest ${age(ops.uploads[lane].oldestWaiting)}` : ''}`}
              />
            ))}
            <Figure
              label="Files waiting in the database"
              value={formatCount(ops.uploads.filesWaiting)}
              hint={formatBytes(ops.uploads.fileBytes)}
            />
          </CardContent>
        </Card>
      </div>

      <Card className="mt-4">
        <CardHeader>
          <CardTitle>Workers</CardTitle>
          <CardDescription>
            {alive} alive. A worker silent for longer than WORKER_STALE_MS is presumed dead; another takes its
            batches back.
          </CardDescription>
        </CardHeader>
        <CardContent>
          {ops.workers.length === 0 ? (
            <EmptyState title="No worker is running">
              Nothing will be sent until one starts (scripts/worker.ts).
            </EmptyState>
          ) : (
            <Table aria-label="Workers">
              <TableHeader>
                <TableRow>
                  <TableHead>Worker</TableHead>
                  <TableHead>Host</TableHead>
                  <TableHead className="text-right">PID</TableHead>
                  <TableHead>Started</TableHead>
                  <TableHead>Last heartbeat</TableHead>
                  <TableHead>State</TableHead>
                </TableRow>
              </TableHeader>
              <TableBody>
                {ops.workers.map((w) => (
                  <TableRow key={w.id}>
                    <TableCell className="font-mono text-xs">{w.id}</TableCell>
                    <TableCell>{w.host}</TableCell>
                    <TableCell className="text-right">{w.pid}</TableCell>
                    <TableCell>{formatUtc(w.startedAt)}</TableCell>
                    <TableCell>{formatDuration(Math.round(w.ageSeconds * 1000))} ago</TableCell>
                    <TableCell>
                      {w.alive ? (
                        <Badge variant="success">Alive</Badge>
                      ) : (
                        <Badge variant="danger">Stale</Badge>
                      )}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          )}
        </CardContent>
      </Card>

      <div className="mt-4 grid gap-4 lg:grid-cols-3">
        <Card>
          <CardHeader>
            <CardTitle>Attempts, last 24 hours</CardTitle>
          </CardHeader>
          <CardContent>
            {ops.attempts24h.length === 0 ? (
              <p className="text-sm text-muted-foreground">No requests in the last 24 hours.</p>
            ) : (
              <dl className="grid grid-cols-2 gap-1 text-sm">
                {ops.attempts24h.map((a) => (
                  <div key={a.outcome} className="contents">
                    <dt>{a.outcome.toLowerCase().replace('_', ' ')}</dt>
                    <dd className="text-right tabular-nums">{formatCount(a.n)}</dd>
                  </div>
                ))}
              </dl>
            )}
          </CardContent>
        </Card>
        <Card className="lg:col-span-2">
          <CardHeader>
            <CardTitle>Recent errors</CardTitle>
            <CardDescription>
              The last requests Constructor did not accept, and batches that gave up.
            </CardDescription>
          </CardHeader>
          <CardContent className="flex flex-col gap-4">
            {ops.recentErrors.length === 0 && ops.failedBatches.length === 0 ? (
              <p className="text-sm text-muted-foreground">No errors.</p>
            ) : null}
            {ops.recentErrors.length > 0 ? (
              <Table aria-label="Recent errors">
                <TableHeader>
                  <TableRow>
                    <TableHead>When</TableHead>
                    <TableHead>Outcome</TableHead>
                    <TableHead>HTTP</TableHead>
                    <TableHead>Batch</TableHead>
                    <TableHead>Response</TableHead>
                  </TableRow>
                </TableHeader>
                <TableBody>
                  {ops.recentErrors.map((e) => (
                    <TableRow key={e.id}>
                      <TableCell className="whitespace-nowrap text-xs">{formatUtc(e.startedAt)}</TableCell>
                      <TableCell className="text-xs">{e.outcome}</TableCell>
                      <TableCell className="text-xs">{e.httpStatus ?? '—'}</TableCell>
                      <TableCell className="font-mono text-xs">
                        {e.batchId.slice(0, 8)} #{e.number}
                      </TableCell>
                      <TableCell className="max-w-sm truncate text-xs" title={e.responseExcerpt ?? ''}>
                        {e.responseExcerpt ?? ''}
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            ) : null}
            {ops.failedBatches.length > 0 ? (
              <ul className="flex flex-col gap-1 text-xs" aria-label="Failed batches">
                {ops.failedBatches.map((b) => (
                  <li key={b.id}>
                    <span className="font-mono">{b.id.slice(0, 8)}</span> · {b.eventCount} events ·{' '}
                    {b.attempts} attempts · {b.lastHttpStatus ?? '—'} · {b.lastError ?? ''}
                  </li>
                ))}
              </ul>
            ) : null}
          </CardContent>
        </Card>
      </div>
    </>
  )
}
