import { db } from '@/lib/db'
import { getPipelineHealth } from '@/lib/operations/queries'

export const dynamic = 'force-dynamic'

// Public liveness/readiness. 200 while the database answers (this web instance can serve); the queue and
// workers are reported, not judged by the status code, so a load balancer never drops a healthy web
// instance because a worker elsewhere stopped. Counts and ages only, never any data.
export async function GET() {
  const started = performance.now()
  try {
    await db.$queryRaw`SELECT 1`
  } catch {
    return Response.json({ status: 'error', database: { status: 'down' } }, { status: 503 })
  }
  const latencyMs = Math.round(performance.now() - started)
  const pipeline = await getPipelineHealth().catch(() => null)
  const problems: string[] = []
  if (!pipeline) problems.push('queue unreadable')
  else {
    if (pipeline.workers.alive === 0) problems.push('no live worker')
    if ((pipeline.queue.oldestReadyAgeSeconds ?? 0) > 300) problems.push('jobs waiting over 5 minutes')
  }
  return Response.json(
    {
      status: problems.length ? 'degraded' : 'ok',
      problems,
      database: { status: 'up', latencyMs },
      queue: pipeline?.queue ?? null,
      workers: pipeline?.workers ?? null,
    },
    { headers: { 'Cache-Control': 'no-store' } },
  )
}
