'use client'

import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts'

// Charts of the last 30 days (recharts). The figures arrive computed on the server; these only draw them.

const PALETTE = ['#1d4ed8', '#059669', '#d97706', '#7c3aed', '#db2777', '#0891b2', '#65a30d', '#dc2626']

export type EventsChartData = {
  series: { key: string; label: string }[]
  points: ({ day: string } & Record<string, number | string>)[]
}

export type RevenueChartData = {
  currency: string
  locale: string
  points: { day: string; revenue: number; net: number }[]
}

const shortDay = (day: string) => day.slice(5)

export function EventsPerDayChart({ data }: { data: EventsChartData }) {
  return (
    <figure aria-label="Sales events per day" data-chart="events-per-day" className="flex flex-col gap-2">
      <figcaption className="text-sm font-semibold">Sales events per day</figcaption>
      <BarChart responsive style={{ width: '100%', height: 260 }} data={data.points} margin={{ left: -12 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="day" tickFormatter={shortDay} fontSize={11} minTickGap={12} />
        <YAxis allowDecimals={false} fontSize={11} />
        <Tooltip />
        {data.series.length > 1 ? <Legend wrapperStyle={{ fontSize: 12 }} /> : null}
        {data.series.map((s, i) => (
          <Bar
            key={s.key}
            dataKey={s.key}
            name={s.label}
            stackId="events"
            fill={PALETTE[i % PALETTE.length]}
            isAnimationActive={false}
          />
        ))}
      </BarChart>
    </figure>
  )
}

export function RevenuePerDayChart({ data }: { data: RevenueChartData }) {
  const money = new Intl.NumberFormat(data.locale, { style: 'currency', currency: data.currency })
  const compact = new Intl.NumberFormat(data.locale, {
    style: 'currency',
    currency: data.currency,
    notation: 'compact',
  })
  return (
    <figure
      aria-label={`Revenue per day (${data.currency})`}
      data-chart="revenue-per-day"
      className="flex flex-col gap-2"
    >
      <figcaption className="text-sm font-semibold">Revenue per day ({data.currency})</figcaption>
      <LineChart responsive style={{ width: '100%', height: 260 }} data={data.points} margin={{ left: 4 }}>
        <CartesianGrid strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="day" tickFormatter={shortDay} fontSize={11} minTickGap={12} />
        <YAxis fontSize={11} tickFormatter={(v: number) => compact.format(v)} width={64} />
        <Tooltip formatter={(v) => money.format(Number(v))} />
        <Line
          type="monotone"
          dataKey="revenue"
          name="Revenue"
          stroke="#1d4ed8"
          strokeWidth={2}
          dot={false}
          isAnimationActive={false}
        />
        <Line
          type="monotone"
          dataKey="net"
          name="Net sales (after refunds)"
          stroke="#059669"
          strokeWidth={2}
          strokeDasharray="4 3"
          dot={false}
          isAnimationActive={false}
        />
        <Legend wrapperStyle={{ fontSize: 12 }} />
      </LineChart>
    </figure>
  )
}
