import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { GET } from '@/app/api/metrics/route'
import { makeStore, makeUser, uniq } from '@/lib/auth/test-fixtures'
import { runAs, sessionFor } from '@/lib/auth/testing'
import { db } from '@/lib/db'
import { bearerMatches, metricsAccess } from '@/lib/metrics/access'
import { collectMetrics } from '@/lib/metrics/collect'
import { renderPrometheus } from '@/lib/metrics/prometheus'

vi.mock('server-only', () => ({}))

const TOKEN = `metrics-${randomUUID()}-${randomUUID()}`
let admin: Awaited<ReturnType<typeof makeUser>>
let manager: Awaited<ReturnType<typeof makeUser>>

function sample(text: string, line: string) {
  const m = text.split('\n').find((l) => l.startsWith(`${line} `))
  return m === undefined ? undefined : Number(m.slice(line.length + 1))
}

beforeAll(async () => {
  const store = await makeStore({ code: `MET-${uniq()}` })
  admin = await makeUser({ role: 'ADMIN' })
  manager = await makeUser({ storeIds: [store.id] })
  // one finished batch of 2 events that took 42 s from queue to end, with an accepted 0.3 s request
  const connection = await db.constructorConnection.create({
    data: { name: `metrics ${uniq()}`, baseUrl: 'http://127.0.0.1:9', apiKey: 'k' },
  })
  const created = new Date(Date.now() - 60_000)
  const batch = await db.batch.create({
    data: {
      connectionId: connection.id,
      status: 'SUCCEEDED',
      eventCount: 2,
      createdAt: created,
      finishedAt: new Date(created.getTime() + 42_000),
    },
  })
  for (const n of [1, 2]) {
    const e = await db.saleEvent.create({
      data: {
        kind: 'PURCHASE',
        storeId: store.id,
        orderId: `MET-${n}`,
        occurredAt: created,
        status: 'SUBMITTED',
      },
    })
    await db.batchEvent.create({
      data: { batchId: batch.id, eventId: e.id, position: n - 1, outcome: 'SUBMITTED' },
    })
  }
  await db.batchAttempt.create({
    data: {
      batchId: batch.id,
      number: 1,
      startedAt: created,
      durationMs: 300,
      outcome: 'ACCEPTED',
      httpStatus: 204,
    },
  })
})

describe('Prometheus text', () => {
  it('renders counters, labelled gauges with escaped values, and cumulative histograms', () => {
    const text = renderPrometheus([
      { name: 'a_total', help: 'A.', type: 'counter', samples: [{ value: 3 }] },
      { name: 'g', help: 'G.', type: 'gauge', samples: [{ labels: { c: 'say "hi"\\\n' }, value: 1 }] },
      { name: 'h', help: 'H.', type: 'histogram', buckets: [1, 5], counts: [1, 2], count: 3, sum: 9.5 },
    ])
    expect(text).toBe(
      [
        '# HELP a_total A.',
        '# TYPE a_total counter',
        'a_total 3',
        '# HELP g G.',
        '# TYPE g gauge',
        'g{c="say \\"hi\\"\\\\\\n"} 1',
        '# HELP h H.',
        '# TYPE h histogram',
        'h_bucket{le="1"} 1',
        'h_bucket{le="5"} 2',
        'h_bucket{le="+Inf"} 3',
        'h_sum 9.5',
        'h_count 3',
        '',
      ].join('\n'),
    )
  })
})

describe('GET /api/metrics', () => {
  it('refuses anyone without the token or an admin session', async () => {
    const anon = await runAs(null, () => GET(new Request('http://x/api/metrics')))
    expect(anon.status).toBe(401)
    expect(anon.headers.get('www-authenticate')).toContain('Bearer')
    const asManager = await runAs(sessionFor(manager), () => GET(new Request('http://x/api/metrics')))
    expect(asManager.status).toBe(403)
  })

  it('accepts METRICS_TOKEN as a bearer token, and only that exact token', async () => {
    const req = (auth: string) => new Request('http://x/api/metrics', { headers: { authorization: auth } })
    expect(await runAs(null, () => metricsAccess(req(`Bearer ${TOKEN}`), TOKEN))).toBe('ok')
    expect(await runAs(null, () => metricsAccess(req(`Bearer ${TOKEN}x`), TOKEN))).toBe('unauthenticated')
    expect(await runAs(null, () => metricsAccess(req(`Basic ${TOKEN}`), TOKEN))).toBe('unauthenticated')
    // no token configured: a bearer header proves nothing
    expect(bearerMatches(`Bearer ${TOKEN}`, undefined)).toBe(false)
    expect(bearerMatches('Bearer ', '')).toBe(false)
  })

  it('serves an admin the metrics, consistent with the database', async () => {
    const before = {
      events: await db.saleEvent.count(),
      submitted: await db.batchEvent.count({ where: { outcome: 'SUBMITTED' } }),
      accepted: await db.batchAttempt.count({ where: { outcome: 'ACCEPTED' } }),
    }
    const res = await runAs(sessionFor(admin), () => GET(new Request('http://x/api/metrics')))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/plain; version=0.0.4')
    const text = await res.text()
    const after = {
      events: await db.saleEvent.count(),
      submitted: await db.batchEvent.count({ where: { outcome: 'SUBMITTED' } }),
      accepted: await db.batchAttempt.count({ where: { outcome: 'ACCEPTED' } }),
    }
    // other test files write concurrently: each figure lies between a count taken before and one after
    const within = (v: number | undefined, lo: number, hi: number) => {
      expect(v).toBeGreaterThanOrEqual(lo)
      expect(v).toBeLessThanOrEqual(hi)
    }
    within(sample(text, 'storefront_events_ingested_total'), before.events, after.events)
    within(sample(text, 'storefront_events_submitted_total'), before.submitted, after.submitted)
    within(
      sample(text, 'storefront_batch_attempts_total{outcome="ACCEPTED"}'),
      before.accepted,
      after.accepted,
    )
    for (const name of [
      'storefront_events_failed_total',
      'storefront_batch_latency_seconds_count',
      'storefront_queue_oldest_ready_age_seconds',
      'storefront_workers{state="alive"}',
    ])
      expect(sample(text, name), name).toBeGreaterThanOrEqual(0)
    expect(text).not.toContain('NaN')
  })

  it('puts a 42 s batch in the 60 s latency bucket, not the 30 s one', async () => {
    const m = await collectMetrics()
    const latency = m.find((x) => x.name === 'storefront_batch_latency_seconds')
    if (latency?.type !== 'histogram') throw new Error('no latency histogram')
    const at = (le: number) => latency.counts[latency.buckets.indexOf(le)] ?? 0
    expect(at(60) - at(30)).toBeGreaterThanOrEqual(1)
    expect(latency.count).toBeGreaterThanOrEqual(at(86_400))
  })
})
