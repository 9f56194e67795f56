// Prometheus text exposition format (version 0.0.4), just what our metrics need: counters, gauges and
// cumulative histograms, with label values escaped.

export type Sample = { labels?: Record<string, string>; value: number }
export type Metric =
  | { name: string; help: string; type: 'counter' | 'gauge'; samples: Sample[] }
  | {
      name: string
      help: string
      type: 'histogram'
      /** upper bounds, ascending, without +Inf */
      buckets: number[]
      /** cumulative count of observations ≤ each bound, same order */
      counts: number[]
      count: number
      sum: number
    }

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')

function labels(l: Record<string, string> | undefined) {
  const entries = Object.entries(l ?? {})
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : ''
}

function num(v: number) {
  if (Number.isNaN(v)) return 'NaN'
  if (v === Number.POSITIVE_INFINITY) return '+Inf'
  if (v === Number.NEGATIVE_INFINITY) return '-Inf'
  return String(v)
}

export function renderPrometheus(metrics: Metric[]) {
  const lines: string[] = []
  for (const m of metrics) {
    lines.push(`# HELP ${m.name} ${escapeHelp(m.help)}`, `# TYPE ${m.name} ${m.type}`)
    if (m.type === 'histogram') {
      m.buckets.forEach((le, i) => {
        lines.push(`${m.name}_bucket${labels({ le: num(le) })} ${m.counts[i] ?? 0}`)
      })
      lines.push(
        `${m.name}_bucket{le="+Inf"} ${m.count}`,
        `${m.name}_sum ${num(m.sum)}`,
        `${m.name}_count ${m.count}`,
      )
    } else {
      for (const s of m.samples) lines.push(`${m.name}${labels(s.labels)} ${num(s.value)}`)
    }
  }
  return `${lines.join('\n')}\n`
}
