import { describe, expect, it, vi } from 'vitest'
import { MESSAGES } from '@/lib/auth/action'
import { authorizedRoute, CROSS_SITE, routeMeta } from '@/lib/auth/route'
import { makeUser, signedIn } from '@/lib/auth/test-fixtures'
import { runAs } from '@/lib/auth/testing'

vi.mock('server-only', () => ({}))

// The door in isolation; the authorization matrix drives every real route handler through it.
const echo = authorizedRoute({
  name: 'test.echo',
  access: ['ADMIN'],
  sameOrigin: true,
  handler: async (_req, caller) => Response.json({ email: caller.email }),
})
const failing = authorizedRoute({
  name: 'test.fail',
  access: 'signed-in',
  unexpected: 'Nothing was exported.',
  handler: async () => {
    throw new Error('boom')
  },
})
const post = (headers: Record<string, string> = {}) =>
  new Request('http://127.0.0.1:3000/x', { method: 'POST', headers })

describe('authorizedRoute', () => {
  it('answers every refusal as JSON { error } with 401 or 403', async () => {
    const anonymous = await runAs(null, () => echo(post()))
    expect(anonymous.status).toBe(401)
    expect(await anonymous.json()).toEqual({ error: MESSAGES.signedOut })
    const manager = await makeUser()
    const forbidden = await runAs(signedIn(manager), () => echo(post()))
    expect([forbidden.status, await forbidden.json()]).toEqual([403, { error: MESSAGES.forbidden }])
    const temporary = await makeUser({ role: 'ADMIN', mustChangePassword: true })
    const gated = await runAs(signedIn(temporary), () => echo(post()))
    expect([gated.status, await gated.json()]).toEqual([403, { error: MESSAGES.passwordChange }])
  })

  it('refuses a request from another site before it looks at the session', async () => {
    const admin = await makeUser({ role: 'ADMIN' })
    const crossSite = await runAs(signedIn(admin), () => echo(post({ origin: 'https://evil.example' })))
    expect([crossSite.status, await crossSite.json()]).toEqual([403, { error: CROSS_SITE }])
    const sameSite = await runAs(signedIn(admin), () => echo(post({ origin: 'http://127.0.0.1:3000' })))
    expect([sameSite.status, await sameSite.json()]).toEqual([200, { email: admin.email }])
  })

  it('accepts the address the request came to, or APP_URL, whatever URL the server built for it', async () => {
    const admin = await makeUser({ role: 'ADMIN' })
    // `npm start` prints http://127.0.0.1:3000 (APP_URL); the server may name itself localhost in req.url
    const at = (url: string, headers: Record<string, string>) =>
      runAs(signedIn(admin), () => echo(new Request(url, { method: 'POST', headers })))
    const before = process.env.APP_URL
    process.env.APP_URL = 'http://127.0.0.1:3000'
    try {
      const viaAppUrl = await at('http://localhost:3000/x', { origin: 'http://127.0.0.1:3000' })
      expect(viaAppUrl.status).toBe(200)
      const viaProxy = await at('http://localhost:3000/x', {
        origin: 'https://shop.example',
        'x-forwarded-host': 'shop.example',
        'x-forwarded-proto': 'https',
      })
      expect(viaProxy.status).toBe(200)
      const viaHost = await at('http://localhost:3000/x', {
        origin: 'http://10.0.0.5:3000',
        host: '10.0.0.5:3000',
      })
      expect(viaHost.status).toBe(200)
      const evil = await at('http://localhost:3000/x', {
        origin: 'https://evil.example',
        host: 'localhost:3000',
      })
      expect([evil.status, await evil.json()]).toEqual([403, { error: CROSS_SITE }])
      const evilPort = await at('http://localhost:3000/x', { origin: 'http://127.0.0.1:4000' })
      expect(evilPort.status).toBe(403)
    } finally {
      if (before === undefined) delete process.env.APP_URL
      else process.env.APP_URL = before
    }
  })

  it('turns an unexpected failure into a 500 with the message written for the person', async () => {
    const manager = await makeUser()
    const res = await runAs(signedIn(manager), () => failing(post()))
    expect([res.status, await res.json()]).toEqual([500, { error: 'Nothing was exported.' }])
  })

  it('carries its name and access for the authorization matrix', () => {
    expect(routeMeta(echo)).toEqual({ name: 'test.echo', access: ['ADMIN'], sameOrigin: true })
    expect(routeMeta(() => null)).toBeUndefined()
  })
})
