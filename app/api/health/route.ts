import { db } from '@/lib/db'

export const dynamic = 'force-dynamic'

// Public liveness/readiness: reports whether the database answers, never any data.
export async function GET() {
  const started = performance.now()
  try {
    await db.$queryRaw`SELECT 1`
    return Response.json({
      status: 'ok',
      database: { status: 'up', latencyMs: Math.round(performance.now() - started) },
    })
  } catch {
    return Response.json({ status: 'error', database: { status: 'down' } }, { status: 503 })
  }
}
