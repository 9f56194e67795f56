import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  CATALOG_BATCH_MAX_IDS,
  CATALOG_URL_MAX_CHARS,
  type CatalogLookupOptions,
  catalogBatches,
  lookupCatalogItems,
} from './catalog'
import { DEMO_CATALOG } from './sandbox/catalog'
import { startTestSandbox, type TestSandbox } from './testing/sandbox'

// The catalog lookup over real HTTP against the sandbox's GET /v2/items: batches of at most 1,000 ids, 401/403 and
// unreadable or slow answers make the check "unavailable", 429 is waited out as Retry-After says.

let sandbox: TestSandbox
const known = Array.from({ length: 1800 }, (_, i) => `CAT-${i}`)

beforeAll(async () => {
  sandbox = await startTestSandbox({
    forbiddenTokens: ['read-nothing-token'],
    catalog: { known, missing: [] },
  })
})
afterAll(() => sandbox.dispose())
afterEach(() => sandbox.reset({ faults: true }))

const options = (extra: Partial<CatalogLookupOptions> = {}): CatalogLookupOptions => ({
  baseUrl: sandbox.url,
  apiKey: 'test-key',
  token: sandbox.token,
  ...extra,
})

const catalogRequests = () => sandbox.catalogRequests()

describe('looking item ids up in the catalog', () => {
  it('asks in batches of at most 1,000 ids and reports which the catalog holds', async () => {
    const asked = [...known, ...Array.from({ length: 700 }, (_, i) => `TILL-${i}`)]
    const r = await lookupCatalogItems(options(), asked)
    expect(r.unavailable).toBeUndefined()
    expect(r.requests).toBe(3)
    const sizes = catalogRequests().map((q) => q.actions)
    expect(sizes).toEqual([1000, 1000, 500])
    expect(sizes.every((n) => (n ?? 0) <= CATALOG_BATCH_MAX_IDS)).toBe(true)
    expect(r.found.size).toBe(1800)
    expect(r.checked.size).toBe(2500)
    expect(r.found.has('TILL-1')).toBe(false)
    expect(r.found.has('CAT-1799')).toBe(true)
  })

  it('splits long ids into more requests, so no request line outgrows the limit', async () => {
    const long = Array.from({ length: 1000 }, (_, i) => `${'L'.repeat(240)}-${String(i).padStart(6, '0')}`)
    const batches = catalogBatches(long)
    expect(batches.flat()).toEqual(long)
    for (const b of batches) {
      expect(b.length).toBeLessThanOrEqual(CATALOG_BATCH_MAX_IDS)
      expect(200 + b.reduce((n, id) => n + `&id=${encodeURIComponent(id)}`.length, 0)).toBeLessThanOrEqual(
        CATALOG_URL_MAX_CHARS,
      )
    }
    const r = await lookupCatalogItems(options(), long)
    expect(r.unavailable).toBeUndefined()
    expect(r.checked.size).toBe(1000)
    expect(catalogRequests()).toHaveLength(batches.length)
  })

  it('never sends an id over 250 characters', async () => {
    const long = 'L'.repeat(251)
    const r = await lookupCatalogItems(options(), ['CAT-1', long])
    expect(r.checked.has(long)).toBe(false)
    expect(r.found.has('CAT-1')).toBe(true)
    expect(catalogRequests().map((q) => q.actions)).toEqual([1])
  })

  it('is unavailable when the token is refused (401) or lacks catalog scope (403), after one request', async () => {
    sandbox.setFaults({ revoked: true })
    const revoked = await lookupCatalogItems(options(), ['CAT-1'])
    expect(revoked.unavailable?.reason).toBe('unauthorized')
    expect(revoked.unavailable?.message).toContain('401')
    expect(revoked.found.size).toBe(0)
    sandbox.setFaults({ revoked: false })
    const forbidden = await lookupCatalogItems(options({ token: 'read-nothing-token' }), ['CAT-1'])
    expect(forbidden.unavailable?.reason).toBe('unauthorized')
    expect(forbidden.unavailable?.message).toContain('403')
    expect(revoked.requests + forbidden.requests).toBe(2)
  })

  it('waits as long as Retry-After says after a 429, then asks again', async () => {
    sandbox.setFaults({ rateLimit: { requests: 1, windowMs: 20_000 }, retryAfterFormat: 'seconds' })
    const waits: number[] = []
    const sleep = async (ms: number) => {
      waits.push(ms)
      sandbox.setFaults({ rateLimit: null })
    }
    const r = await lookupCatalogItems(options({ sleep }), [...known.slice(0, 1500)])
    expect(r.unavailable).toBeUndefined()
    expect(r.found.size).toBe(1500)
    expect(waits).toEqual([20_000])
    expect(sandbox.catalogRequests().map((q) => q.status)).toEqual([200, 429, 200])
    expect(sandbox.requests()).toEqual([])
  })

  it("does not wait for a Retry-After beyond the check's time budget: unavailable at once", async () => {
    sandbox.setFaults({ rateLimit: { requests: 1, windowMs: 120_000 }, retryAfterFormat: 'seconds' })
    const waits: number[] = []
    const r = await lookupCatalogItems(
      options({
        sleep: async (ms) => {
          waits.push(ms)
        },
      }),
      [...known.slice(0, 1001)],
    )
    expect(r.unavailable?.reason).toBe('rate_limited')
    expect(waits).toEqual([])
    expect(r.found.size).toBe(1000)
  })

  it('backs off exponentially when a 429 has no Retry-After, and gives up as unavailable', async () => {
    sandbox.setFaults({ rateLimit: { requests: 1, windowMs: 60_000 }, retryAfterFormat: 'none' })
    const waits: number[] = []
    const r = await lookupCatalogItems(
      options({
        sleep: async (ms) => {
          waits.push(ms)
        },
      }),
      [...known.slice(0, 1001)],
    )
    expect(r.unavailable?.reason).toBe('rate_limited')
    expect(r.found.size).toBe(1000)
    expect(waits).toHaveLength(3)
    expect(waits[1]).toBeGreaterThan(waits[0] as number)
    expect(waits[2]).toBeGreaterThan(waits[1] as number)
  })

  it('treats an answer that is not JSON, too large, or too slow as unavailable', async () => {
    sandbox.setFaults({ catalogAnswer: 'not-json' })
    expect((await lookupCatalogItems(options(), ['CAT-1'])).unavailable?.message).toContain('not JSON')
    sandbox.setFaults({ catalogAnswer: 'huge' })
    expect((await lookupCatalogItems(options(), ['CAT-1'])).unavailable?.message).toContain('too large')
    sandbox.setFaults({ catalogAnswer: 'ok', latency: { fixedMs: 5_000 } })
    const slow = await lookupCatalogItems(options({ requestTimeoutMs: 200 }), ['CAT-1'])
    expect(slow.unavailable?.reason).toBe('timeout')
    sandbox.setFaults({ latency: null, hangRate: 1, hangMaxMs: 5_000 })
    const hung = await lookupCatalogItems(options({ requestTimeoutMs: 200 }), ['CAT-1'])
    expect(hung.unavailable?.reason).toBe('timeout')
  })

  it('retries a 5xx and is unavailable when it persists', async () => {
    sandbox.setFaults({ errorRate: 1, errorStatuses: [503] })
    const waits: number[] = []
    const r = await lookupCatalogItems(
      options({
        sleep: async (ms) => {
          waits.push(ms)
        },
      }),
      ['CAT-1'],
    )
    expect(r.unavailable?.reason).toBe('server_error')
    expect(r.requests).toBe(4)
  })
})

describe("the product sandbox's seeded catalog", () => {
  it('holds most of the demo items; the socks are under another id', async () => {
    const demo = await startTestSandbox({ catalog: DEMO_CATALOG })
    try {
      const tills = [
        'SKU-TEE-BLK',
        'SKU-TEE-WHT',
        'SKU-HOOD-GRY',
        'SKU-CAP-NVY',
        'SKU-SOCK-3P',
        'SKU-JEAN-32',
      ]
      const r = await lookupCatalogItems({ baseUrl: demo.url, apiKey: 'demo', token: demo.token }, tills)
      expect([...r.found].sort()).toEqual([
        'SKU-CAP-NVY',
        'SKU-HOOD-GRY',
        'SKU-JEAN-32',
        'SKU-TEE-BLK',
        'SKU-TEE-WHT',
      ])
      expect(r.checked.size).toBe(6)
    } finally {
      await demo.dispose()
    }
  })
})
