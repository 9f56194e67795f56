import Link from 'next/link'
import type { CalendarDay, CalendarState, OverviewStore, WindowTotals } from '@/lib/overview/queries'
import { salesSearchParamsToQuery } from '@/lib/sales/search-params'
import { cn } from '@/lib/utils/cn'
import { formatCount, formatMoney } from '@/lib/utils/format'

// The last 30 days of one store, one cell per local day: sales there or not, and how much of it is submitted.

const STATE: Record<CalendarState, { label: string; cell: string }> = {
  complete: { label: 'all submitted', cell: 'bg-emerald-100 text-emerald-900 border-emerald-300' },
  partial: { label: 'not all submitted', cell: 'bg-amber-100 text-amber-900 border-amber-300' },
  missing: { label: 'missing: no sales', cell: 'bg-red-100 text-red-800 border-red-400 border-dashed' },
  'before-first': { label: 'before the first sale', cell: 'bg-muted text-muted-foreground' },
  today: { label: 'today, still open', cell: 'bg-sky-50 text-sky-900 border-sky-300' },
}

export function calendarDayLabel(d: CalendarDay, store: Pick<OverviewStore, 'currency' | 'locale'>) {
  const events = `${formatCount(d.events)} ${d.events === 1 ? 'event' : 'events'}`
  const money = (v: string) => formatMoney(v, store.currency, store.locale)
  return `${d.day}: ${events}, ${formatCount(d.submitted)} submitted, ${money(d.submittedRevenue)} submitted revenue; ${money(
    d.net,
  )} net sales (${money(d.revenue)} revenue − ${money(d.refunds)} refunds), ${money(d.submittedNet)} net submitted (${
    STATE[d.state].label
  })`
}

/** the Sales table's query for one store's local day, the events the day's figures count (all but excluded) */
export function salesDayQuery(storeCode: string, day: string) {
  return salesSearchParamsToQuery({
    store: [storeCode],
    from: day,
    to: day,
    status: ['INVALID', 'READY', 'QUEUED', 'SUBMITTED', 'FAILED'],
  }).toString()
}

export function CompletenessCalendar({
  store,
  days,
  totals,
}: {
  store: OverviewStore
  days: CalendarDay[]
  totals: WindowTotals
}) {
  const missing = days.filter((d) => d.state === 'missing')
  return (
    <div className="flex flex-col gap-2" data-calendar={store.code}>
      <ol
        aria-label={`Completeness of ${store.code}, last ${days.length} days`}
        className="flex flex-wrap gap-1"
      >
        {days.map((d) => (
          <li
            key={d.day}
            aria-label={calendarDayLabel(d, store)}
            title={calendarDayLabel(d, store)}
            data-day={d.day}
            data-state={d.state}
            className={cn(
              'flex size-11 flex-col items-center justify-center rounded border text-[10px] leading-tight',
              STATE[d.state].cell,
            )}
          >
            {d.events > 0 ? (
              <Link
                href={`/sales?${salesDayQuery(store.code, d.day)}`}
                aria-label={`${calendarDayLabel(d, store)}. Open the sales of ${store.code} on that day`}
                className="flex size-full flex-col items-center justify-center rounded hover:ring-2 hover:ring-ring focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring"
              >
                <span className="font-semibold">{d.day.slice(8)}</span>
                <span>{`${d.submitted}/${d.events}`}</span>
              </Link>
            ) : (
              <>
                <span className="font-semibold">{d.day.slice(8)}</span>
                <span>{d.state === 'missing' ? '!' : ''}</span>
              </>
            )}
          </li>
        ))}
      </ol>
      <NetSummary store={store} totals={totals} />
      <p className="text-xs text-muted-foreground">
        {missing.length === 0
          ? 'No missing days.'
          : `Missing days (no sales uploaded): ${missing.map((d) => d.day).join(', ')}`}
      </p>
    </div>
  )
}

export function CalendarLegend() {
  return (
    <ul className="flex flex-wrap gap-3 text-xs text-muted-foreground" aria-label="Calendar legend">
      {(Object.keys(STATE) as CalendarState[]).map((s) => (
        <li key={s} className="flex items-center gap-1">
          <span className={cn('inline-block size-3 rounded border', STATE[s].cell)} aria-hidden />
          {STATE[s].label}
        </li>
      ))}
      <li>cell: submitted / events</li>
    </ul>
  )
}

function NetSummary({ store, totals }: { store: OverviewStore; totals: WindowTotals }) {
  const money = (v: string) => formatMoney(v, store.currency, store.locale)
  return (
    <p className="text-xs" data-net={store.code}>
      <span className="text-muted-foreground">Last {totals.days} days: net sales </span>
      <span className="font-medium tabular-nums">{money(totals.net)}</span>
      <span className="text-muted-foreground">
        {' '}
        ({money(totals.revenue)} revenue − {money(totals.refunds)} refunds) · submitted{' '}
      </span>
      <span className="font-medium tabular-nums">{money(totals.submittedNet)}</span>
    </p>
  )
}
