import 'server-only'
import { db, Prisma } from '@/lib/db'
import { getPipelineHealth } from '@/lib/operations/queries'
import type { Metric } from './prometheus'

// Every figure comes from PostgreSQL, so any web instance answers the same for the whole product: scrape
// one (or all: the values agree). Totals count rows, so they only grow, as Prometheus counters must.

const EVENT_STATUSES = ['INVALID', 'READY', 'QUEUED', 'SUBMITTED', 'FAILED', 'EXCLUDED'] as const
const ATTEMPT_OUTCOMES = [
  'ACCEPTED',
  'REJECTED',
  'UNAUTHORIZED',
  'RATE_LIMITED',
  'TRANSIENT',
  'LOST',
] as const
/** seconds from a batch's creation to its end: queueing, retries and sending together */
export const BATCH_LATENCY_BUCKETS = [1, 5, 15, 30, 60, 300, 900, 3600, 21_600, 86_400]
export const ATTEMPT_DURATION_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

const sql = Prisma.sql

/** a histogram of the values one query returns: a count per upper bound, the count and the sum */
async function histogram(values: Prisma.Sql, buckets: number[]) {
  const counts = Prisma.join(buckets.map((b) => sql`count(*) FILTER (WHERE v <= ${b})::int`))
  const rows = await db.$queryRaw<{ counts: number[]; n: number; s: number }[]>(sql`
    SELECT ARRAY[${counts}] AS counts, count(*)::int AS n, coalesce(sum(v), 0)::float8 AS s
    FROM (${values}) AS x(v) WHERE v IS NOT NULL`)
  const r = rows[0]
  return { counts: buckets.map((_, i) => r?.counts[i] ?? 0), count: r?.n ?? 0, sum: r?.s ?? 0 }
}

export async function collectMetrics(): Promise<Metric[]> {
  const [events, outcomes, attempts, batches, connections, health, latency, durations] = await Promise.all([
    db.$queryRaw<{ status: string; n: number }[]>(sql`
      SELECT status::text, count(*)::int AS n FROM "SaleEvent" GROUP BY 1`),
    db.$queryRaw<{ outcome: string; n: number }[]>(sql`
      SELECT outcome::text, count(*)::int AS n FROM "BatchEvent" WHERE outcome IN ('SUBMITTED', 'FAILED') GROUP BY 1`),
    db.$queryRaw<{ outcome: string; n: number }[]>(sql`
      SELECT outcome::text, count(*)::int AS n FROM "BatchAttempt" WHERE outcome IS NOT NULL GROUP BY 1`),
    db.$queryRaw<{ status: string; n: number }[]>(sql`
      SELECT status::text, count(*)::int AS n FROM "Batch" GROUP BY 1`),
    db.constructorConnection.findMany({
      orderBy: { createdAt: 'asc' },
      select: { name: true, paused: true, pace: { select: { rate: true, holdUntil: true } } },
    }),
    getPipelineHealth(),
    histogram(
      sql`SELECT extract(epoch FROM "finishedAt" - "createdAt")::float8 FROM "Batch"
       WHERE status IN ('SUCCEEDED', 'FAILED') AND "finishedAt" IS NOT NULL`,
      BATCH_LATENCY_BUCKETS,
    ),
    histogram(
      sql`SELECT "durationMs" / 1000.0 FROM "BatchAttempt" WHERE "durationMs" IS NOT NULL`,
      ATTEMPT_DURATION_BUCKETS,
    ),
  ])
  const count = <T extends { n: number }>(rows: T[], pick: (r: T) => boolean) =>
    rows.filter(pick).reduce((n, r) => n + r.n, 0)
  const now = Date.now()
  return [
    {
      name: 'storefront_events_ingested_total',
      help: 'Sale events stored (uploads and hand entry), every status.',
      type: 'counter',
      samples: [{ value: count(events, () => true) }],
    },
    {
      name: 'storefront_events_submitted_total',
      help: 'Events Constructor accepted, each resubmission counted again.',
      type: 'counter',
      samples: [{ value: count(outcomes, (r) => r.outcome === 'SUBMITTED') }],
    },
    {
      name: 'storefront_events_failed_total',
      help: 'Events a batch gave up on (rejected by Constructor or out of retries).',
      type: 'counter',
      samples: [{ value: count(outcomes, (r) => r.outcome === 'FAILED') }],
    },
    {
      name: 'storefront_events',
      help: 'Sale events by current status.',
      type: 'gauge',
      samples: EVENT_STATUSES.map((status) => ({
        labels: { status },
        value: count(events, (r) => r.status === status),
      })),
    },
    {
      name: 'storefront_batch_attempts_total',
      help: 'Requests sent to Constructor, by outcome.',
      type: 'counter',
      samples: ATTEMPT_OUTCOMES.map((outcome) => ({
        labels: { outcome },
        value: count(attempts, (r) => r.outcome === outcome),
      })),
    },
    {
      name: 'storefront_batches',
      help: 'Batches by status.',
      type: 'gauge',
      samples: ['QUEUED', 'SENDING', 'RETRY_WAIT', 'SUCCEEDED', 'FAILED', 'CANCELLED'].map((status) => ({
        labels: { status },
        value: count(batches, (r) => r.status === status),
      })),
    },
    {
      name: 'storefront_batch_latency_seconds',
      help: 'Time from a batch being queued to its end (succeeded or failed), retries included.',
      type: 'histogram',
      buckets: BATCH_LATENCY_BUCKETS,
      ...latency,
    },
    {
      name: 'storefront_attempt_duration_seconds',
      help: 'Duration of one request to Constructor.',
      type: 'histogram',
      buckets: ATTEMPT_DURATION_BUCKETS,
      ...durations,
    },
    {
      name: 'storefront_queue_jobs',
      help: 'Send jobs in the queue, by state.',
      type: 'gauge',
      samples: [
        { labels: { state: 'all' }, value: health.queue.depth },
        { labels: { state: 'ready' }, value: health.queue.ready },
        { labels: { state: 'running' }, value: health.queue.running },
      ],
    },
    {
      name: 'storefront_queue_oldest_ready_age_seconds',
      help: 'How long the oldest runnable job has waited past its run time (0 when none waits).',
      type: 'gauge',
      samples: [{ value: health.queue.oldestReadyAgeSeconds ?? 0 }],
    },
    {
      name: 'storefront_workers',
      help: 'Worker processes by heartbeat state.',
      type: 'gauge',
      samples: [
        { labels: { state: 'alive' }, value: health.workers.alive },
        { labels: { state: 'stale' }, value: health.workers.stale },
      ],
    },
    {
      name: 'storefront_connection_paused',
      help: '1 when sending to Constructor is paused (401/403 until an admin fixes it).',
      type: 'gauge',
      samples: connections.map((c) => ({ labels: { connection: c.name }, value: c.paused ? 1 : 0 })),
    },
    {
      name: 'storefront_connection_rate_limited',
      help: '1 while every worker holds off after a 429 (Retry-After).',
      type: 'gauge',
      samples: connections.map((c) => ({
        labels: { connection: c.name },
        value: c.pace?.holdUntil && c.pace.holdUntil.getTime() > now ? 1 : 0,
      })),
    },
    {
      name: 'storefront_connection_rate_per_second',
      help: 'Requests per second the shared pace currently allows.',
      type: 'gauge',
      samples: connections
        .filter((c) => c.pace)
        .map((c) => ({ labels: { connection: c.name }, value: c.pace?.rate ?? 0 })),
    },
  ]
}
