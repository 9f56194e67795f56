import Link from 'next/link'
import { Badge } from '@/components/ui/badge'
import type { Caller } from '@/lib/auth/caller'
import { getStoreSchedules } from '@/lib/feed/queries'
import { SCHEDULE_LABELS } from '@/lib/feed/schema'
import { formatInZone } from '@/lib/utils/format'

// The overview's answer to "when do my stores' sales go out by themselves, and did the last run work?"
export async function ScheduleCard({ caller, storeCode }: { caller: Caller; storeCode?: string }) {
  const all = await getStoreSchedules(caller)
  const rows = all.filter((s) => s.mode !== 'OFF' && (!storeCode || s.code === storeCode))
  return (
    <section aria-labelledby="schedules-heading" className="mt-8 rounded-lg border p-4">
      <h2 id="schedules-heading" className="mb-3 font-semibold">
        Scheduled submission
      </h2>
      {rows.length === 0 ? (
        <p className="text-sm text-muted-foreground">
          No store submits by itself: sales go to Constructor when someone submits them.
          {caller.allStores ? (
            <>
              {' '}
              Set a schedule in{' '}
              <Link className="underline" href="/settings/api-keys">
                Settings → API keys
              </Link>
              .
            </>
          ) : null}
        </p>
      ) : (
        <table className="w-full text-sm">
          <thead>
            <tr className="text-left text-muted-foreground">
              <th className="py-1 font-normal">Store</th>
              <th className="py-1 font-normal">Schedule</th>
              <th className="py-1 font-normal">Next run</th>
              <th className="py-1 font-normal">Last result</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.storeId} className="border-t">
                <td className="py-2 font-mono">{s.code}</td>
                <td className="py-2">
                  {s.mode === 'DAILY' ? `Daily at ${s.dailyAt} (${s.timeZone})` : SCHEDULE_LABELS[s.mode]}
                </td>
                <td className="py-2">
                  {s.mode === 'WHEN_READY'
                    ? 'Within a minute of sales being ready'
                    : formatInZone(s.nextRunAt, s.timeZone)}
                </td>
                <td className="py-2">
                  {s.lastRunAt ? (
                    <span className="flex flex-wrap items-center gap-2">
                      <Badge variant={s.lastOk ? 'success' : 'danger'}>{s.lastOk ? 'OK' : 'Failed'}</Badge>
                      {formatInZone(s.lastRunAt, s.timeZone)}: {s.lastResult}
                    </span>
                  ) : (
                    'Not run yet'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
