import { describe, expect, it } from 'vitest'
import { DEMO_CATALOG } from './catalog'
import { sandboxConfigFromEnv } from './config'
import { applyFaultsPatch, DEFAULT_FAULTS, FixedWindowLimiter, mulberry32, retryAfterHeader } from './faults'

describe('sandboxConfigFromEnv', () => {
  it('falls back to development defaults and says so', () => {
    expect(sandboxConfigFromEnv({})).toEqual({
      port: 4010,
      host: '127.0.0.1',
      token: 'sandbox-token',
      controlToken: 'sandbox-control',
      dataDir: '.data/sandbox',
      faults: {},
      catalog: DEMO_CATALOG,
      usesDefaultSecrets: true,
    })
  })

  it('reads every variable, fault variables included', () => {
    const config = sandboxConfigFromEnv({
      SANDBOX_PORT: '0',
      SANDBOX_TOKEN: 't',
      SANDBOX_CONTROL_TOKEN: 'c',
      SANDBOX_FORBIDDEN_TOKENS: 'ro-1, ro-2',
      DATA_DIR: '/var/data',
      SANDBOX_SEED: '9',
      SANDBOX_FSYNC: 'false',
      SANDBOX_FAULTS: '{"hangMaxMs":5000,"errorRate":0.9}',
      SANDBOX_RATE_LIMIT: '20/1000',
      SANDBOX_RETRY_AFTER_FORMAT: 'http-date',
      SANDBOX_ERROR_RATE: '0.1',
      SANDBOX_ERROR_STATUSES: '500,503',
      SANDBOX_LATENCY_MS: '10-50',
      SANDBOX_HANG_RATE: '0.01',
      SANDBOX_HANG_AFTER_RECORDING: '1',
      SANDBOX_POISON: 'BAD-SKU,BAD-ORDER',
      SANDBOX_REVOKED: 'true',
      SANDBOX_CATALOG: 'SKU-A, SKU-B',
      SANDBOX_CATALOG_MISSING: 'SKU-B',
    })
    expect(config).toEqual({
      port: 0,
      host: '127.0.0.1',
      token: 't',
      controlToken: 'c',
      forbiddenTokens: ['ro-1', 'ro-2'],
      dataDir: '/var/data/sandbox',
      fsync: false,
      usesDefaultSecrets: false,
      catalog: { known: ['SKU-A', 'SKU-B'], missing: ['SKU-B'] },
      faults: {
        seed: 9,
        hangMaxMs: 5000,
        errorRate: 0.1,
        rateLimit: { requests: 20, windowMs: 1000 },
        retryAfterFormat: 'http-date',
        errorStatuses: [500, 503],
        latency: { minMs: 10, maxMs: 50 },
        hangRate: 0.01,
        hangAfterRecording: true,
        poison: ['BAD-SKU', 'BAD-ORDER'],
        revoked: true,
      },
    })
    expect(sandboxConfigFromEnv({ SANDBOX_LATENCY_MS: '25', SANDBOX_DATA_DIR: '/tmp/x' })).toMatchObject({
      dataDir: '/tmp/x',
      faults: { latency: { fixedMs: 25 } },
    })
  })

  it('names the variables that are wrong', () => {
    expect(() => sandboxConfigFromEnv({ SANDBOX_PORT: 'abc', SANDBOX_RATE_LIMIT: 'fast' })).toThrow(
      /SANDBOX_PORT.*SANDBOX_RATE_LIMIT/,
    )
    expect(() => sandboxConfigFromEnv({ SANDBOX_ERROR_RATE: '3' })).toThrow(/errorRate/)
    expect(() => sandboxConfigFromEnv({ SANDBOX_FAULTS: '{' })).toThrow(/SANDBOX_FAULTS/)
  })
})

describe('fault helpers', () => {
  it('mulberry32 repeats under a seed and spreads over [0, 1)', () => {
    const a = mulberry32(42)
    const b = mulberry32(42)
    const draws = Array.from({ length: 1000 }, () => a())
    expect(draws).toEqual(Array.from({ length: 1000 }, () => b()))
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0)
    expect(Math.max(...draws)).toBeLessThan(1)
    expect(draws.filter((x) => x < 0.5).length).toBeGreaterThan(400)
  })

  it('the fixed window admits N per window and tells how long until the next', () => {
    const limiter = new FixedWindowLimiter()
    const limit = { requests: 2, windowMs: 1000 }
    expect(limiter.take(limit, 10_000)).toBeUndefined()
    expect(limiter.take(limit, 10_100)).toBeUndefined()
    expect(limiter.take(limit, 10_400)).toBe(600)
    expect(limiter.take(limit, 11_000)).toBeUndefined()
  })

  it('Retry-After rounds up, in seconds or as an HTTP-date', () => {
    const now = Date.parse('2025-03-14T15:09:26.200Z')
    expect(retryAfterHeader(600, 'seconds', now)).toBe('1')
    expect(retryAfterHeader(2001, 'seconds', now)).toBe('3')
    expect(retryAfterHeader(600, 'http-date', now)).toBe('Fri, 14 Mar 2025 15:09:27 GMT')
    expect(retryAfterHeader(600, 'none', now)).toBeUndefined()
  })

  it('patches merge, null clears and reset restores the start-up faults', () => {
    const initial = { ...DEFAULT_FAULTS, poison: ['X'] }
    const changed = applyFaultsPatch(initial, initial, {
      rateLimit: { requests: 1, windowMs: 10 },
      poison: [],
    })
    expect(changed).toMatchObject({ rateLimit: { requests: 1, windowMs: 10 }, poison: [] })
    expect(applyFaultsPatch(changed, initial, { rateLimit: null }).rateLimit).toBeNull()
    expect(applyFaultsPatch(changed, initial, { reset: true })).toEqual(initial)
    expect(() => applyFaultsPatch(changed, initial, { latency: { minMs: 5, maxMs: 1 } })).toThrow()
  })
})
