import type { CalendarDay, CalendarState, OverviewStore } from '@/lib/overview/queries'
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
  return `${d.day}: ${events}, ${formatCount(d.submitted)} submitted, ${formatMoney(
    d.submittedRevenue,
    store.currency,
    store.locale,
  )} submitted revenue (${STATE[d.state].label})`
}

export function CompletenessCalendar({ store, days }: { store: OverviewStore; days: CalendarDay[] }) {
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
            <span className="font-semibold">{d.day.slice(8)}</span>
            <span>{d.state === 'missing' ? '!' : d.events > 0 ? `${d.submitted}/${d.events}` : ''}</span>
          </li>
        ))}
      </ol>
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
