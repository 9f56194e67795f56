import { env } from '@/lib/env'
import { metricsAccess } from '@/lib/metrics/access'
import { collectMetrics } from '@/lib/metrics/collect'
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from '@/lib/metrics/prometheus'

export const dynamic = 'force-dynamic'

// Prometheus scrape endpoint: a bearer METRICS_TOKEN or an admin session (lib/metrics/access.ts).
export async function GET(req: Request) {
  const access = await metricsAccess(req, env().METRICS_TOKEN)
  if (access === 'unauthenticated')
    return new Response('Metrics need a bearer token (METRICS_TOKEN) or an admin session.\n', {
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer realm="metrics"', 'Cache-Control': 'no-store' },
    })
  if (access === 'forbidden')
    return new Response('Only administrators can read metrics.\n', {
      status: 403,
      headers: { 'Cache-Control': 'no-store' },
    })
  return new Response(renderPrometheus(await collectMetrics()), {
    headers: { 'Content-Type': PROMETHEUS_CONTENT_TYPE, 'Cache-Control': 'no-store' },
  })
}
