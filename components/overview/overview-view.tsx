import Link from 'next/link'
import { CalendarLegend, CompletenessCalendar } from '@/components/overview/completeness-calendar'
import {
  type EventsChartData,
  EventsPerDayChart,
  type RevenueChartData,
  RevenuePerDayChart,
} from '@/components/overview/overview-charts'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { type Overview, PIPELINE_STATUSES, type StoreOverview } from '@/lib/overview/queries'
import { cn } from '@/lib/utils/cn'
import { formatCount, formatDuration, formatInZone, formatUtc } from '@/lib/utils/format'

// The overview as figures, charts and calendars. Synchronous and prop-driven, so a test can render it
// with the figures a query returned and compare them with its own.

export const statusLabel = (s: string) => s.charAt(0) + s.slice(1).toLowerCase()

export function formatRate(rate: number | null) {
  return rate === null
    ? '—'
    : new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 }).format(rate)
}

export function formatAge(since: Date | null, now: Date) {
  return since ? formatDuration(Math.max(0, now.getTime() - since.getTime())) : '—'
}

function eventsChart(overview: Overview, single: StoreOverview | undefined): EventsChartData {
  if (single)
    return {
      series: [{ key: 'events', label: 'Events' }],
      points: single.days.map((d) => ({ day: d.day, events: d.events })),
    }
  return {
    series: overview.stores.map((s) => ({ key: s.store.code, label: s.store.code })),
    points: overview.totals.days.map((day) => {
      const point: { day: string } & Record<string, number | string> = { day }
      for (const s of overview.stores) point[s.store.code] = s.days.find((d) => d.day === day)?.events ?? 0
      return point
    }),
  }
}

function revenueCharts(overview: Overview, single: StoreOverview | undefined): RevenueChartData[] {
  if (single)
    return [
      {
        currency: single.store.currency,
        locale: single.store.locale,
        points: single.days.map((d) => ({ day: d.day, revenue: Number(d.revenue), net: Number(d.net) })),
      },
    ]
  return overview.totals.revenueByCurrency.map((c) => ({
    currency: c.currency,
    locale: c.locale,
    points: c.days.map((d) => ({ day: d.day, revenue: Number(d.revenue), net: Number(d.net) })),
  }))
}

function Kpi({
  title,
  value,
  hint,
  href,
  tone,
}: {
  title: string
  value: string
  hint?: string
  href?: string
  tone?: 'danger'
}) {
  return (
    <Card data-kpi={title}>
      <CardHeader>
        <CardTitle className="text-muted-foreground">{title}</CardTitle>
      </CardHeader>
      <CardContent>
        {href ? (
          <Link
            href={href}
            className={cn('text-2xl font-semibold hover:underline', tone === 'danger' && 'text-red-700')}
          >
            {value}
          </Link>
        ) : (
          <div className={cn('text-2xl font-semibold', tone === 'danger' && 'text-red-700')}>{value}</div>
        )}
        {hint ? <p className="mt-1 text-xs text-muted-foreground">{hint}</p> : null}
      </CardContent>
    </Card>
  )
}

export function StorePicker({ codes, selected }: { codes: string[]; selected?: string }) {
  if (codes.length < 2 && !selected) return null
  const link = (href: string, label: string, current: boolean) => (
    <Link
      key={href}
      href={href}
      aria-current={current ? 'page' : undefined}
      className={cn(
        'rounded-md border px-3 py-1 text-sm hover:bg-muted',
        current && 'border-primary bg-primary text-primary-foreground hover:bg-primary',
      )}
    >
      {label}
    </Link>
  )
  return (
    <nav aria-label="Stores" className="mb-4 flex flex-wrap gap-2">
      {link('/', 'All stores', !selected)}
      {codes.map((code) => link(`/?store=${encodeURIComponent(code)}`, code, code === selected))}
    </nav>
  )
}

export function OverviewView({
  overview,
  selected,
  storeCodes,
}: {
  overview: Overview
  /** the store code when one store is shown */
  selected?: string
  /** every store the caller can see, for the picker (the overview itself may be one store) */
  storeCodes?: string[]
}) {
  const single = selected ? overview.stores[0] : undefined
  const { totals, generatedAt: now } = overview
  const status = (s: string) => `/sales?status=${s}${single ? `&store=${single.store.code}` : ''}`
  return (
    <div className="flex flex-col gap-6">
      <StorePicker codes={storeCodes ?? overview.stores.map((s) => s.store.code)} selected={selected} />
      <section aria-label="Pipeline" className="grid grid-cols-2 gap-4 md:grid-cols-4 xl:grid-cols-8">
        {PIPELINE_STATUSES.map((s) => (
          <Kpi
            key={s}
            title={statusLabel(s)}
            value={formatCount(totals.pipeline[s])}
            href={status(s)}
            tone={(s === 'FAILED' || s === 'INVALID') && totals.pipeline[s] > 0 ? 'danger' : undefined}
          />
        ))}
        <Kpi
          title="Success rate"
          value={formatRate(totals.successRate)}
          hint="submitted ÷ (submitted + failed)"
        />
        <Kpi
          title="Oldest unsubmitted"
          value={formatAge(totals.oldestUnsubmittedAt, now)}
          hint={
            totals.oldestUnsubmittedAt ? `sale at ${formatUtc(totals.oldestUnsubmittedAt)}` : 'none waiting'
          }
        />
        <Kpi
          title="Last successful submission"
          value={totals.lastSubmittedAt ? `${formatAge(totals.lastSubmittedAt, now)} ago` : 'never'}
          hint={totals.lastSubmittedAt ? formatUtc(totals.lastSubmittedAt) : undefined}
        />
      </section>

      <section aria-label="Last 30 days" className="grid gap-4 lg:grid-cols-2">
        <Card>
          <CardContent className="pt-4">
            <EventsPerDayChart data={eventsChart(overview, single)} />
          </CardContent>
        </Card>
        {revenueCharts(overview, single).map((r) => (
          <Card key={r.currency}>
            <CardContent className="pt-4">
              <RevenuePerDayChart data={r} />
            </CardContent>
          </Card>
        ))}
      </section>
      <p className="text-xs text-muted-foreground">
        Days are each store's own local day{single ? ` (${single.store.timeZone})` : ''}; "all stores" adds up
        each store's own local day of that date. Revenue is a purchase's revenue when the source gave one,
        otherwise the sum of its line items (price × quantity). Net sales are revenue minus what the day's
        returns refunded (the refund the till gave, else the return's revenue, else its items), the same
        amounts the Sales table shows per sale. Amounts in different currencies are never added together.
      </p>

      <Card>
        <CardHeader>
          <CardTitle>Stores</CardTitle>
          <CardDescription>Pipeline of every store, and when each last reached Constructor.</CardDescription>
        </CardHeader>
        <CardContent>
          <Table aria-label="Stores pipeline">
            <TableHeader>
              <TableRow>
                <TableHead>Store</TableHead>
                {PIPELINE_STATUSES.map((s) => (
                  <TableHead key={s} className="text-right">
                    {statusLabel(s)}
                  </TableHead>
                ))}
                <TableHead className="text-right">Success rate</TableHead>
                <TableHead>Oldest unsubmitted</TableHead>
                <TableHead>Last successful submission</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {overview.stores.map((s) => (
                <TableRow key={s.store.id} data-store={s.store.code}>
                  <TableCell>
                    <Link href={`/?store=${encodeURIComponent(s.store.code)}`} className="hover:underline">
                      {s.store.code}
                    </Link>
                    {s.store.active ? null : (
                      <span className="ml-2 text-xs text-muted-foreground">inactive</span>
                    )}
                  </TableCell>
                  {PIPELINE_STATUSES.map((k) => (
                    <TableCell key={k} className="text-right tabular-nums" data-figure={k}>
                      {formatCount(s.pipeline[k])}
                    </TableCell>
                  ))}
                  <TableCell className="text-right tabular-nums" data-figure="success-rate">
                    {formatRate(s.successRate)}
                  </TableCell>
                  <TableCell data-figure="oldest-unsubmitted" title={formatUtc(s.oldestUnsubmittedAt)}>
                    {formatAge(s.oldestUnsubmittedAt, now)}
                  </TableCell>
                  <TableCell data-figure="last-submitted" title={formatUtc(s.lastSubmittedAt)}>
                    {s.lastSubmittedAt
                      ? formatInZone(s.lastSubmittedAt, s.store.timeZone, s.store.locale)
                      : 'never'}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </CardContent>
      </Card>

      <Card>
        <CardHeader>
          <CardTitle>Completeness</CardTitle>
          <CardDescription>
            One cell per local day: were sales uploaded, and how many of them are submitted. Each day opens
            its sales; its net sales, and those of the submitted sales, show on hover and to screen readers.
          </CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-5">
          <CalendarLegend />
          {overview.stores.map((s) => (
            <div key={s.store.id} className="flex flex-col gap-1">
              <h3 className="text-sm font-medium">
                {s.store.code} <span className="font-normal text-muted-foreground">· {s.store.name}</span>
                <span className="ml-2 text-xs font-normal text-muted-foreground">{s.store.timeZone}</span>
              </h3>
              <CompletenessCalendar store={s.store} days={s.days} totals={s.window} />
            </div>
          ))}
        </CardContent>
      </Card>
    </div>
  )
}
