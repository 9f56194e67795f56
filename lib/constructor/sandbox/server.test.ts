import fs from 'node:fs/promises'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { OfflineBehavioralAction } from '../schema'
import { postActions, startTestSandbox, type TestSandbox } from '../testing/sandbox'
import { readReceivedRecords } from './server'

function purchase(orderId: string, itemId = 'SKU-1'): OfflineBehavioralAction {
  return { action: 'purchase', data: { _dt: 1_741_964_966, order_id: orderId, items: [{ item_id: itemId }] } }
}

const body = (...actions: OfflineBehavioralAction[]) => ({ behavioral_actions: actions })

let sandbox: TestSandbox

beforeAll(async () => {
  sandbox = await startTestSandbox({ forbiddenTokens: ['tok-forbidden'], fsync: true })
})

afterAll(async () => {
  await sandbox.dispose()
})

beforeEach(async () => {
  await sandbox.reset({ faults: true })
})

describe('recording', () => {
  it('writes every accepted action to disk before answering 204', async () => {
    const before = Date.now()
    const response = await postActions(sandbox, body(purchase('D-1'), purchase('D-2')))
    expect(response.status).toBe(204)
    const records = await readReceivedRecords(sandbox.dataDir)
    expect(records.map((r) => [r.seq, r.index, (r.action as OfflineBehavioralAction).data.order_id])).toEqual(
      [
        [0, 0, 'D-1'],
        [1, 1, 'D-2'],
      ],
    )
    const receivedAt = Date.parse(records[0]?.receivedAt ?? '')
    expect(receivedAt).toBeGreaterThanOrEqual(before - 1)
    expect(receivedAt).toBeLessThanOrEqual(Date.now())
    expect(records[0]?.requestId).toBe(records[1]?.requestId)
  })

  it('keeps what it recorded across a restart and cuts off a torn last line', async () => {
    const dir = await fs.mkdtemp(`${sandbox.dataDir}-restart-`)
    const first = await startTestSandbox({ dataDir: dir })
    await postActions(first, body(purchase('P-1'), purchase('P-2')))
    await first.close()
    await fs.appendFile(`${dir}/received.jsonl`, '{"seq":2,"receivedAt":"20')
    const second = await startTestSandbox({ dataDir: dir })
    expect((await second.received()).total).toBe(2)
    await postActions(second, body(purchase('P-3')))
    const records = await readReceivedRecords(dir)
    expect(records.map((r) => r.seq)).toEqual([0, 1, 2])
    expect((await second.received({ orderId: 'P-3' })).records[0]?.seq).toBe(2)
    await second.dispose()
  })

  it('serves received actions newest first, paged and filtered by order id', async () => {
    for (let i = 0; i < 5; i++) await postActions(sandbox, body(purchase(`Q-${i}`), purchase('Q-shared')))
    const page = (await (await sandbox.control('/_sandbox/received?limit=3&offset=1')).json()) as {
      total: number
      records: { action: OfflineBehavioralAction; seq: number }[]
    }
    expect(page.total).toBe(10)
    expect(page.records.map((r) => r.seq)).toEqual([8, 7, 6])
    const shared = (await (await sandbox.control('/_sandbox/received?order_id=Q-shared&limit=2')).json()) as {
      total: number
      records: { seq: number }[]
    }
    expect(shared.total).toBe(5)
    expect(shared.records.map((r) => r.seq)).toEqual([9, 7])
  })

  it('records many events quickly: 25,000 actions from 8 concurrent clients', async () => {
    const actions = Array.from({ length: 100 }, (_, i) => purchase(`B-${i}`, `SKU-${i}`))
    const started = performance.now()
    const workers = Array.from({ length: 8 }, async (_, w) => {
      for (let r = w; r < 250; r += 8) expect((await postActions(sandbox, body(...actions))).status).toBe(204)
    })
    await Promise.all(workers)
    const seconds = (performance.now() - started) / 1000
    expect(sandbox.stats().recordedActions).toBe(25_000)
    expect((await readReceivedRecords(sandbox.dataDir)).length).toBe(25_000)
    expect(seconds).toBeLessThan(15)
  })
})

describe('control endpoints', () => {
  it('require the control token', async () => {
    for (const path of ['/_sandbox/received', '/_sandbox/stats', '/_sandbox/requests', '/_sandbox/faults']) {
      expect((await fetch(`${sandbox.url}${path}`)).status).toBe(401)
      const wrong = await fetch(`${sandbox.url}${path}`, { headers: { 'x-sandbox-control-token': 'nope' } })
      expect(wrong.status).toBe(401)
    }
    expect((await fetch(`${sandbox.url}/_sandbox/health`)).status).toBe(200)
  })

  it('count requests by status and clear everything on reset', async () => {
    await postActions(sandbox, body(purchase('S-1')))
    await postActions(sandbox, { behavioral_actions: [] })
    await postActions(sandbox, body(purchase('S-2')), { token: 'wrong' })
    const stats = (await (await sandbox.control('/_sandbox/stats')).json()) as Record<string, unknown>
    expect(stats).toMatchObject({
      requests: { total: 3, byStatus: { '204': 1, '400': 1, '401': 1 }, aborted: 0 },
      acceptedRequests: 1,
      acceptedActions: 1,
      recordedActions: 1,
      inFlight: 0,
    })
    expect((await sandbox.control('/_sandbox/reset', { body: {} })).status).toBe(200)
    expect(sandbox.stats()).toMatchObject({ requests: { total: 0 }, recordedActions: 0 })
    expect(await readReceivedRecords(sandbox.dataDir)).toEqual([])
  })

  it('change faults at run time, refuse invalid ones and restore the start-up faults', async () => {
    const set = await sandbox.control('/_sandbox/faults', { body: { errorRate: 1, errorStatuses: [502] } })
    expect(await set.json()).toMatchObject({ errorRate: 1, errorStatuses: [502] })
    expect((await postActions(sandbox, body(purchase('F-1')))).status).toBe(502)
    expect((await sandbox.control('/_sandbox/faults', { body: { errorRate: 2 } })).status).toBe(400)
    expect((await sandbox.control('/_sandbox/faults', { body: { explode: true } })).status).toBe(400)
    const reset = await sandbox.control('/_sandbox/faults', { body: { reset: true } })
    expect(await reset.json()).toMatchObject({ errorRate: 0 })
    expect((await postActions(sandbox, body(purchase('F-2')))).status).toBe(204)
  })
})

describe('the API endpoint', () => {
  it('checks Basic auth: missing, wrong, with a password, forbidden, revoked', async () => {
    const url = `${sandbox.url}/v1/offline_behavioral_actions?key=k`
    const json = JSON.stringify(body(purchase('A-1')))
    expect((await fetch(url, { method: 'POST', body: json })).status).toBe(401)
    const withPassword = Buffer.from(`${sandbox.token}:secret`).toString('base64')
    expect(
      (await fetch(url, { method: 'POST', body: json, headers: { authorization: `Basic ${withPassword}` } }))
        .status,
    ).toBe(401)
    expect((await postActions(sandbox, body(purchase('A-1')), { token: 'wrong' })).status).toBe(401)
    expect((await postActions(sandbox, body(purchase('A-1')), { token: 'tok-forbidden' })).status).toBe(403)
    sandbox.setFaults({ revoked: true })
    expect((await postActions(sandbox, body(purchase('A-1')))).status).toBe(401)
  })

  it('requires key and bounds key and section lengths', async () => {
    const cases: [string, number, (string | number)[] | null][] = [
      ['', 400, ['query', 'key']],
      ['?key=', 400, ['query', 'key']],
      [`?key=${'k'.repeat(101)}`, 400, ['query', 'key']],
      [`?key=${'k'.repeat(100)}`, 204, null],
      ['?key=k&section=', 400, ['query', 'section']],
      [`?key=k&section=${'s'.repeat(101)}`, 400, ['query', 'section']],
      ['?key=k&section=Search%20Suggestions', 204, null],
    ]
    for (const [query, status, loc] of cases) {
      const response = await postActions(sandbox, body(purchase('Q-1')), { query })
      expect(response.status, query).toBe(status)
      if (loc) expect(((await response.json()) as { detail: { loc: unknown }[] }).detail[0]?.loc).toEqual(loc)
    }
  })

  it('answers 405 to other methods, 404 elsewhere and 413 to huge bodies', async () => {
    expect((await fetch(`${sandbox.url}/v1/offline_behavioral_actions?key=k`)).status).toBe(405)
    expect((await fetch(`${sandbox.url}/v2/anything`)).status).toBe(404)
    const small = await startTestSandbox({ maxBodyBytes: 1_000 })
    const big = body(...Array.from({ length: 50 }, (_, i) => purchase(`BIG-${i}`)))
    expect((await postActions(small, big)).status).toBe(413)
    await small.dispose()
  })

  it('refuses an action holding a poison value at its index, wherever the value sits', async () => {
    sandbox.setFaults({ poison: ['POISON'] })
    const response = await postActions(
      sandbox,
      body(purchase('OK-0'), purchase('OK-1'), purchase('OK-2', 'POISON')),
    )
    expect(response.status).toBe(400)
    const answer = (await response.json()) as { detail: { loc: unknown[] }[] }
    expect(answer.detail.map((d) => d.loc)).toEqual([
      ['body', 'behavioral_actions', 2, 'data', 'items', 0, 'item_id'],
    ])
    expect(sandbox.requests().at(-1)?.fault).toBe('poison')
  })
})

describe('faults', () => {
  let other: TestSandbox | undefined

  afterEach(async () => {
    await other?.dispose()
    other = undefined
  })

  async function statuses(target: TestSandbox, count: number): Promise<number[]> {
    const seen: number[] = []
    for (let i = 0; i < count; i++) seen.push((await postActions(target, body(purchase(`R-${i}`)))).status)
    return seen
  }

  it('replay the same way under the same seed', async () => {
    sandbox.setFaults({ seed: 42, errorRate: 0.5 })
    other = await startTestSandbox({ seed: 42, faults: { errorRate: 0.5 } })
    const a = await statuses(sandbox, 40)
    const b = await statuses(other, 40)
    expect(a).toEqual(b)
    expect(new Set(a).size).toBeGreaterThan(1)
    sandbox.setFaults({ seed: 7 })
    expect(await statuses(sandbox, 40)).not.toEqual(a)
  })

  it('add a fixed or uniformly spread latency', async () => {
    sandbox.setFaults({ latency: { fixedMs: 150 } })
    let started = performance.now()
    await postActions(sandbox, body(purchase('LAT-1')))
    expect(performance.now() - started).toBeGreaterThanOrEqual(145)
    sandbox.setFaults({ latency: { minMs: 50, maxMs: 120 } })
    started = performance.now()
    await postActions(sandbox, body(purchase('LAT-2')))
    const elapsed = performance.now() - started
    expect(elapsed).toBeGreaterThanOrEqual(45)
  })

  it('track the most requests in flight at once', async () => {
    sandbox.setFaults({ latency: { fixedMs: 300 } })
    await Promise.all(Array.from({ length: 8 }, (_, i) => postActions(sandbox, body(purchase(`C-${i}`)))))
    expect(sandbox.stats()).toMatchObject({ maxInFlight: 8, inFlight: 0 })
  })

  it('rate limit with Retry-After and log when each request arrived', async () => {
    sandbox.setFaults({ rateLimit: { requests: 2, windowMs: 1_000 } })
    expect((await postActions(sandbox, body(purchase('RL-1')))).status).toBe(204)
    expect((await postActions(sandbox, body(purchase('RL-2')))).status).toBe(204)
    const limited = await postActions(sandbox, body(purchase('RL-3')))
    expect(limited.status).toBe(429)
    const retryAfter = Number(limited.headers.get('retry-after'))
    expect(retryAfter).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000))
    expect((await postActions(sandbox, body(purchase('RL-3')))).status).toBe(204)
    const log = (await (await sandbox.control('/_sandbox/requests')).json()) as {
      requests: { arrivedAt: number; status: number; retryAfter?: string; retryAfterMs?: number }[]
    }
    expect(log.requests.map((r) => r.status)).toEqual([204, 204, 429, 204])
    const [, , refused, next] = log.requests
    expect(refused?.retryAfter).toBe('1')
    expect((next?.arrivedAt ?? 0) - (refused?.arrivedAt ?? 0)).toBeGreaterThanOrEqual(
      refused?.retryAfterMs ?? 0,
    )
  })

  it('send Retry-After as an HTTP-date when configured', async () => {
    sandbox.setFaults({ rateLimit: { requests: 1, windowMs: 2_000 }, retryAfterFormat: 'http-date' })
    await postActions(sandbox, body(purchase('HD-1')))
    const limited = await postActions(sandbox, body(purchase('HD-2')))
    const header = limited.headers.get('retry-after') ?? ''
    expect(header).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/)
    expect(Date.parse(header) - Date.now()).toBeGreaterThan(0)
    expect(Date.parse(header) - Date.now()).toBeLessThanOrEqual(3_000)
  })

  it('hang until the client gives up, or answer 504 after hangMaxMs', async () => {
    sandbox.setFaults({ hangRate: 1, hangMaxMs: 200 })
    const started = performance.now()
    const response = await postActions(sandbox, body(purchase('H-1')))
    expect(response.status).toBe(504)
    expect(performance.now() - started).toBeGreaterThanOrEqual(195)
    expect(sandbox.stats().recordedActions).toBe(0)
  })
})
