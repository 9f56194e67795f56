import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  CLIENT_ADDRESS_HEADER,
  clientAddress,
  parseTrustedProxies,
  resolveClientAddress,
  stampClientAddress,
} from '@/lib/auth/client-address'
import { verifyCredentials } from '@/lib/auth/credentials'
import { uniq } from '@/lib/auth/test-fixtures'
import { ADDRESS_RULE, addressKey } from '@/lib/auth/throttle'
import { db } from '@/lib/db'
import { parseEnv } from '@/lib/env'

vi.mock('server-only', () => ({}))

describe('the client address', () => {
  it('without TRUSTED_PROXIES is the socket address, whatever X-Forwarded-For says', () => {
    const none = parseTrustedProxies(undefined)
    expect(resolveClientAddress('127.0.0.1', '203.0.113.9', none)).toBe('127.0.0.1')
    expect(resolveClientAddress('::ffff:198.51.100.4', '203.0.113.9, 10.0.0.1', none)).toBe('198.51.100.4')
  })

  it('with a hop count takes the entry that many hops from the socket', () => {
    const one = parseTrustedProxies('1')
    // the client forged the first entry; the proxy appended the address it saw
    expect(resolveClientAddress('10.0.0.2', '203.0.113.9, 198.51.100.4', one)).toBe('198.51.100.4')
    expect(resolveClientAddress('10.0.0.2', undefined, one)).toBe('10.0.0.2')
    expect(resolveClientAddress('10.0.0.2', '198.51.100.4', parseTrustedProxies('2'))).toBe('198.51.100.4')
  })

  it('with CIDRs walks back over trusted proxies only, and never takes a non-address', () => {
    const cidrs = parseTrustedProxies('10.0.0.0/8, 192.168.1.5')
    expect(resolveClientAddress('10.0.0.2', '203.0.113.9, 198.51.100.4, 192.168.1.5', cidrs)).toBe(
      '198.51.100.4',
    )
    // a peer outside the list is the client itself
    expect(resolveClientAddress('198.51.100.7', '203.0.113.9', cidrs)).toBe('198.51.100.7')
    expect(resolveClientAddress('10.0.0.2', 'not-an-address', cidrs)).toBe('10.0.0.2')
  })

  it('refuses a malformed setting, naming it at start-up', () => {
    expect(() => parseTrustedProxies('ten')).toThrow(/TRUSTED_PROXIES/)
    expect(() => parseTrustedProxies('10.0.0.0/40')).toThrow(/TRUSTED_PROXIES/)
    expect(() => parseEnv({ TRUSTED_PROXIES: 'ten' })).toThrow(/TRUSTED_PROXIES/)
    expect(parseEnv({ TRUSTED_PROXIES: '2' }).TRUSTED_PROXIES).toEqual({ hops: 2 })
    expect(parseEnv({}).TRUSTED_PROXIES).toEqual({ hops: 0 })
  })
})

describe('a forged X-Forwarded-For against the sign-in throttle and audit', () => {
  // the web server's first step (scripts/web-server.ts), then what authorize() does with the headers
  let server: http.Server
  let url = ''
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      stampClientAddress(req, parseTrustedProxies(undefined))
      let body = ''
      req.on('data', (c) => {
        body += c
      })
      req.on('end', async () => {
        const { email, password } = JSON.parse(body) as { email: string; password: string }
        const headers = new Headers(req.headers as Record<string, string>)
        const outcome = await verifyCredentials({ email, password, ip: clientAddress(headers) })
        res.end(JSON.stringify(outcome))
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))

  const attempt = async (email: string, headers: Record<string, string>) =>
    (await (
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ email, password: 'a-wrong-guess' }),
      })
    ).json()) as { ok: boolean; reason?: string }

  it('neither escapes the per-address throttle nor throttles a chosen address, and the audit has the real one', async () => {
    await db.signInThrottle.deleteMany({ where: { key: addressKey('127.0.0.1') } })
    const victim = `203.0.113.${Math.floor(Math.random() * 250)}`
    const since = new Date()
    const forgedAll = [victim]
    const outcomes: (string | undefined)[] = []
    for (let i = 0; i < ADDRESS_RULE.freeFailures + 2; i++) {
      const email = `spray-${uniq()}@test.store`
      const forged = i === 0 ? victim : `198.51.100.${i}`
      forgedAll.push(forged)
      outcomes.push(
        (
          await attempt(email, {
            'x-forwarded-for': forged,
            'x-real-ip': forged,
            [CLIENT_ADDRESS_HEADER]: forged,
          })
        ).reason,
      )
    }
    // the failures all counted on the socket address, so the address throttle caught the spray
    expect(outcomes.at(-1)).toBe('throttled')
    expect(await db.signInThrottle.findUnique({ where: { key: addressKey(victim) } })).toBeNull()
    const trail = await db.auditLog.findMany({
      where: { action: { startsWith: 'auth.sign_in' }, at: { gte: since } },
    })
    expect(trail.filter((t) => t.ip === '127.0.0.1').length).toBeGreaterThan(0)
    expect(trail.filter((t) => forgedAll.includes(t.ip ?? ''))).toEqual([])
    await db.signInThrottle.deleteMany({ where: { key: addressKey('127.0.0.1') } })
  })
})
