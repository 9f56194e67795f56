import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  type ConstructorClientOptions,
  ConstructorConfigError,
  createConstructorClient,
  parseOffendingIndices,
  parseRetryAfter,
  type SubmitOutcome,
} from './client'
import type { OfflineBehavioralAction, OfflineBehavioralActionsBody } from './schema'
import { startTestSandbox, type TestSandbox } from './testing/sandbox'

const TOKEN = 'tok_Secr3t-Zx81qLm0'
const FORBIDDEN_TOKEN = 'tok_ReadOnly-Pq55Wd'
const SECRET_FORMS = [TOKEN, FORBIDDEN_TOKEN].flatMap((token) => [
  token,
  Buffer.from(`${token}:`).toString('base64'),
  Buffer.from(token).toString('base64'),
])

// Everything the client and the sandbox say during this file: outcomes, log lines, error messages.
const captured: string[] = []
const capture = (source: string) => (obj: object, msg?: string) =>
  captured.push(JSON.stringify({ source, obj, msg }))
const logger = { debug: capture('client'), info: capture('client'), warn: capture('client') }
const sandboxLogger = {
  debug: capture('sandbox'),
  info: capture('sandbox'),
  warn: capture('sandbox'),
  error: capture('sandbox'),
}

let sandbox: TestSandbox

beforeAll(async () => {
  sandbox = await startTestSandbox({
    token: TOKEN,
    forbiddenTokens: [FORBIDDEN_TOKEN],
    logger: sandboxLogger,
  })
})

afterAll(async () => {
  await sandbox.dispose()
})

beforeEach(async () => {
  await sandbox.reset({ faults: true })
})

function client(overrides: Partial<ConstructorClientOptions> = {}) {
  return createConstructorClient({
    baseUrl: sandbox.url,
    apiKey: 'test-key',
    section: 'Products',
    token: TOKEN,
    timeoutMs: 3_000,
    connectTimeoutMs: 1_000,
    logger,
    ...overrides,
  })
}

async function send(
  c: ReturnType<typeof client>,
  body: OfflineBehavioralActionsBody | string,
): Promise<SubmitOutcome> {
  const outcome = await (typeof body === 'string' ? c.submitJson(body) : c.submit(body))
  captured.push(JSON.stringify(outcome))
  return outcome
}

function purchase(orderId: string, itemId = 'SKU-1'): OfflineBehavioralAction {
  return {
    action: 'purchase',
    data: { _dt: 1_741_964_966, order_id: orderId, items: [{ item_id: itemId, price: 9.5, count: 2 }] },
  }
}

const body = (...actions: OfflineBehavioralAction[]): OfflineBehavioralActionsBody => ({
  behavioral_actions: actions,
})

async function closedPort(): Promise<number> {
  const server = http.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

async function until(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time')
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

describe('a 204', () => {
  it('is accepted, and the sandbox holds the actions', async () => {
    const c = client()
    const outcome = await send(c, body(purchase('A-1'), purchase('A-2'), purchase('A-3')))
    c.close()
    expect(outcome).toMatchObject({ kind: 'accepted', httpStatus: 204 })
    expect(outcome.durationMs).toBeGreaterThanOrEqual(0)
    expect(outcome.responseExcerpt).toBeUndefined()
    const page = await sandbox.received()
    expect(page.records.map((r) => (r.action as OfflineBehavioralAction).data.order_id)).toEqual([
      'A-3',
      'A-2',
      'A-1',
    ])
  })

  it('reuses one kept-alive connection for consecutive requests', async () => {
    const c = client()
    for (let i = 0; i < 5; i++) expect((await send(c, body(purchase(`K-${i}`)))).kind).toBe('accepted')
    c.close()
    expect(sandbox.stats().connectionsOpened).toBe(1)
  })
})

describe('a body over the limits', () => {
  it('is refused before anything is sent', async () => {
    const c = client()
    const tooManyItems = {
      action: 'purchase' as const,
      data: { _dt: 1, items: Array(501).fill({ item_id: 'A' }) },
    }
    await expect(c.submit(body(...Array(101).fill(purchase('X'))))).rejects.toMatchObject({
      code: 'too_many_actions',
    })
    await expect(c.submit(body(purchase('X'), tooManyItems))).rejects.toMatchObject({
      code: 'too_many_items',
      eventIndex: 1,
    })
    await expect(c.submit(body())).rejects.toMatchObject({ code: 'no_actions' })
    c.close()
    expect(sandbox.stats().requests.total).toBe(0)
  })
})

describe('a 400', () => {
  it('is rejected with the indices of the offending actions', async () => {
    sandbox.setFaults({ poison: ['POISON-ORDER'] })
    const actions: unknown[] = [
      purchase('R-0'),
      { action: 'purchase', data: { _dt: 1, items: [{ variation_id: 'V-only' }] } },
      purchase('R-2'),
      purchase('POISON-ORDER'),
      purchase('R-4'),
    ]
    const c = client()
    const outcome = await send(c, JSON.stringify({ behavioral_actions: actions }))
    c.close()
    expect(outcome.kind).toBe('rejected')
    if (outcome.kind !== 'rejected') return
    expect(outcome.httpStatus).toBe(400)
    expect(outcome.offendingIndices).toEqual([1, 3])
    expect(outcome.message).toMatch(/index 1, 3/)
    expect(outcome.issues.map((i) => i.index)).toEqual(expect.arrayContaining([1, 3]))
    expect(outcome.issues.every((i) => i.loc[0] === 'body')).toBe(true)
    expect((await sandbox.received()).total).toBe(0)
  })

  it('keeps the excerpt within 2 KB while reading every index from a large answer', async () => {
    const bad = { action: 'purchase', data: { _dt: 1.5, items: [] } }
    const c = client()
    const outcome = await send(c, JSON.stringify({ behavioral_actions: Array(100).fill(bad) }))
    c.close()
    expect(outcome.kind).toBe('rejected')
    if (outcome.kind !== 'rejected') return
    expect(Buffer.byteLength(outcome.responseExcerpt ?? '')).toBeLessThanOrEqual(2048)
    expect(Buffer.byteLength(outcome.responseExcerpt ?? '')).toBeGreaterThan(1000)
    expect(outcome.offendingIndices).toEqual(Array.from({ length: 100 }, (_, i) => i))
  })

  it('without action indices (e.g. too many actions) is rejected with none', async () => {
    const c = client()
    const outcome = await send(c, JSON.stringify({ behavioral_actions: Array(101).fill(purchase('X')) }))
    c.close()
    expect(outcome).toMatchObject({ kind: 'rejected', httpStatus: 400, offendingIndices: [] })
  })
})

describe('credentials', () => {
  it('a wrong token is unauthorized (401)', async () => {
    const c = client({ token: 'tok_wrong-0000' })
    const outcome = await send(c, body(purchase('U-1')))
    c.close()
    expect(outcome).toMatchObject({ kind: 'unauthorized', httpStatus: 401, reason: 'unauthenticated' })
  })

  it('a revoked token is unauthorized (401) for every request', async () => {
    sandbox.setFaults({ revoked: true })
    const c = client()
    const outcome = await send(c, body(purchase('U-2')))
    c.close()
    expect(outcome).toMatchObject({ kind: 'unauthorized', httpStatus: 401 })
  })

  it('a token without permission is unauthorized (403)', async () => {
    const c = client({ token: FORBIDDEN_TOKEN })
    const outcome = await send(c, body(purchase('U-3')))
    c.close()
    expect(outcome).toMatchObject({ kind: 'unauthorized', httpStatus: 403, reason: 'forbidden' })
  })

  it('a base URL that does not lead to the endpoint stops like bad credentials (404)', async () => {
    const c = client({ baseUrl: `${sandbox.url}/not-constructor/` })
    const outcome = await send(c, body(purchase('U-4')))
    c.close()
    expect(outcome).toMatchObject({ kind: 'unauthorized', httpStatus: 404, reason: 'endpoint' })
  })
})

describe('a 429', () => {
  it('is rate limited with Retry-After read as delta-seconds', async () => {
    sandbox.setFaults({ rateLimit: { requests: 1, windowMs: 3_000 }, retryAfterFormat: 'seconds' })
    const c = client()
    expect((await send(c, body(purchase('L-1')))).kind).toBe('accepted')
    const outcome = await send(c, body(purchase('L-2')))
    c.close()
    expect(outcome).toMatchObject({ kind: 'rate_limited', httpStatus: 429 })
    if (outcome.kind !== 'rate_limited') return
    const header = sandbox.requests().at(-1)?.retryAfter
    expect(header).toMatch(/^\d+$/)
    expect(outcome.retryAfterMs).toBe(Number(header) * 1000)
    expect(outcome.retryAfterMs).toBeGreaterThanOrEqual(1_000)
    expect(outcome.retryAfterMs).toBeLessThanOrEqual(3_000)
  })

  it('is rate limited with Retry-After read as an HTTP-date', async () => {
    sandbox.setFaults({ rateLimit: { requests: 1, windowMs: 3_000 }, retryAfterFormat: 'http-date' })
    const c = client()
    await send(c, body(purchase('L-3')))
    const before = Date.now()
    const outcome = await send(c, body(purchase('L-4')))
    c.close()
    expect(outcome.kind).toBe('rate_limited')
    if (outcome.kind !== 'rate_limited') return
    const header = sandbox.requests().at(-1)?.retryAfter ?? ''
    expect(header).toMatch(/GMT$/)
    const expected = Date.parse(header) - before
    expect(outcome.retryAfterMs).toBeGreaterThan(0)
    expect(Math.abs((outcome.retryAfterMs ?? 0) - expected)).toBeLessThan(500)
  })

  it('without Retry-After leaves retryAfterMs undefined', async () => {
    sandbox.setFaults({ rateLimit: { requests: 1, windowMs: 3_000 }, retryAfterFormat: 'none' })
    const c = client()
    await send(c, body(purchase('L-5')))
    const outcome = await send(c, body(purchase('L-6')))
    c.close()
    expect(outcome.kind).toBe('rate_limited')
    expect(outcome).not.toHaveProperty('retryAfterMs')
  })
})

describe('transient failures', () => {
  it('a 5xx is transient', async () => {
    sandbox.setFaults({ errorRate: 1 })
    const c = client()
    const outcome = await send(c, body(purchase('T-1')))
    c.close()
    expect(outcome).toMatchObject({ kind: 'transient', reason: 'server_error' })
    expect([500, 502, 503]).toContain(outcome.httpStatus)
  })

  it('a request that hangs times out, and the sandbox sees the client give up', async () => {
    sandbox.setFaults({ hangRate: 1, hangMaxMs: 60_000 })
    const c = client({ timeoutMs: 300 })
    const outcome = await send(c, body(purchase('T-2')))
    c.close()
    expect(outcome).toMatchObject({ kind: 'transient', reason: 'timeout' })
    expect(outcome.httpStatus).toBeUndefined()
    expect(outcome.durationMs).toBeGreaterThanOrEqual(290)
    expect(outcome.durationMs).toBeLessThan(2_000)
    await until(() => sandbox.stats().inFlight === 0)
    expect(sandbox.stats().requests.aborted).toBe(1)
  })

  it('a timed-out request the server kept can be resent safely under the same order id', async () => {
    sandbox.setFaults({ hangRate: 1, hangAfterRecording: true })
    const c = client({ timeoutMs: 300 })
    expect((await send(c, body(purchase('T-3')))).kind).toBe('transient')
    sandbox.setFaults({ hangRate: 0 })
    expect((await send(c, body(purchase('T-3')))).kind).toBe('accepted')
    c.close()
    const kept = await sandbox.received({ orderId: 'T-3' })
    expect(kept.total).toBe(2)
  })

  it('a refused connection is transient', async () => {
    const c = client({ baseUrl: `http://127.0.0.1:${await closedPort()}` })
    const outcome = await send(c, body(purchase('T-4')))
    c.close()
    expect(outcome).toMatchObject({ kind: 'transient', reason: 'connection_refused' })
    expect(outcome.httpStatus).toBeUndefined()
  })
})

describe('testConnection', () => {
  it('reports good credentials without recording a sale', async () => {
    const c = client()
    const result = await c.testConnection()
    c.close()
    captured.push(JSON.stringify(result))
    expect(result).toMatchObject({ ok: true, status: 'ok' })
    expect(result.outcome.httpStatus).toBe(400)
    expect(sandbox.stats().recordedActions).toBe(0)
  })

  it('reports a wrong token, a forbidden one and an unreachable server', async () => {
    for (const [options, status] of [
      [{ token: 'tok_wrong-1111' }, 'unauthorized'],
      [{ token: FORBIDDEN_TOKEN }, 'unauthorized'],
      [{ baseUrl: `http://127.0.0.1:${await closedPort()}` }, 'unreachable'],
    ] as const) {
      const c = client(options)
      const result = await c.testConnection()
      c.close()
      captured.push(JSON.stringify(result))
      expect(result).toMatchObject({ ok: false, status })
    }
  })
})

describe('configuration', () => {
  it('refuses credentials in the base URL and a token Basic auth cannot carry, without echoing them', () => {
    const attempts: Partial<ConstructorClientOptions>[] = [
      { baseUrl: `http://user:${TOKEN}@127.0.0.1:1` },
      { baseUrl: `http://${TOKEN}@127.0.0.1:1` },
      { baseUrl: `not a url ${TOKEN}` },
      { token: `${TOKEN}:x` },
      { token: `${TOKEN}\r\nx-injected: 1` },
      { apiKey: '' },
    ]
    for (const options of attempts) {
      let error: unknown
      try {
        client(options)
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(ConstructorConfigError)
      captured.push(String((error as Error).message), String((error as Error).stack))
    }
  })

  it('exposes an endpoint free of credentials', () => {
    const c = client()
    expect(c.endpoint).toBe(`${sandbox.url}/v1/offline_behavioral_actions?key=test-key&section=Products`)
    c.close()
  })
})

describe('a server that echoes the credentials back', () => {
  let echo: http.Server
  let echoUrl: string

  beforeAll(async () => {
    echo = http.createServer((req, res) => {
      const authorization = req.headers.authorization ?? ''
      const decoded = Buffer.from(authorization.replace(/^Basic /, ''), 'base64').toString()
      const status = req.url?.includes('key=five') ? 503 : 400
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          message: `bad request from ${decoded} (${authorization})`,
          detail: [
            { loc: ['body', 'behavioral_actions', 0, decoded], msg: `token ${decoded} rejected`, type: 'x' },
          ],
          padding: 'p'.repeat(3000),
        }),
      )
    })
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve))
    echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`
  })

  afterAll(async () => {
    await new Promise<void>((resolve) => echo.close(() => resolve()))
  })

  it('has the token removed from the message, issues and excerpt', async () => {
    for (const apiKey of ['four', 'five']) {
      const c = client({ baseUrl: echoUrl, apiKey })
      const outcome = await send(c, body(purchase('E-1')))
      c.close()
      expect(['rejected', 'transient']).toContain(outcome.kind)
      expect(JSON.stringify(outcome)).toContain('[redacted]')
    }
  })
})

describe('secrecy', () => {
  it('no outcome, log line or error message of this file holds the token in any form', () => {
    const kinds = new Set(
      captured.flatMap((line) => {
        const match = /"kind":"(\w+)"/.exec(line)
        return match?.[1] ? [match[1]] : []
      }),
    )
    expect(kinds).toEqual(new Set(['accepted', 'rejected', 'unauthorized', 'rate_limited', 'transient']))
    expect(captured.some((line) => line.includes('"source":"client"'))).toBe(true)
    expect(captured.some((line) => line.includes('"source":"sandbox"'))).toBe(true)
    for (const line of captured) {
      for (const secret of SECRET_FORMS) expect(line).not.toContain(secret)
    }
  })
})

describe('parsing helpers', () => {
  it('parseRetryAfter reads delta-seconds and HTTP-dates', () => {
    const now = Date.parse('2025-03-14T15:09:26Z')
    expect(parseRetryAfter('120', now)).toBe(120_000)
    expect(parseRetryAfter(' 0 ', now)).toBe(0)
    expect(parseRetryAfter('Fri, 14 Mar 2025 15:09:36 GMT', now)).toBe(10_000)
    expect(parseRetryAfter('Fri, 14 Mar 2025 15:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter('-5', now)).toBeUndefined()
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
  })

  it('parseOffendingIndices reads FastAPI locations and ignores everything else', () => {
    const answer = {
      detail: [
        { loc: ['body', 'behavioral_actions', 4, 'data', '_dt'], msg: 'x' },
        { loc: ['body', 'behavioral_actions', 2], msg: 'x' },
        { loc: ['body', 'behavioral_actions', 4, 'data', 'items'], msg: 'x' },
        { loc: ['body', 'behavioral_actions'], msg: 'x' },
        { loc: ['query', 'key'], msg: 'x' },
        { loc: ['body', 'behavioral_actions', 'x'] },
        'not an entry',
      ],
    }
    expect(parseOffendingIndices(answer)).toEqual([2, 4])
    expect(parseOffendingIndices(answer, 3)).toEqual([2])
    expect(parseOffendingIndices({ message: 'bad' })).toEqual([])
    expect(parseOffendingIndices('text')).toEqual([])
  })
})
