import net from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { authorizedAction } from '@/lib/auth/action'
import { getCaller } from '@/lib/auth/caller'
import { authorizedRoute } from '@/lib/auth/route'
import { emptySchema, SIGN_IN_FAILED } from '@/lib/auth/schema'
import { signInAction } from '@/lib/auth/sign-in/actions'
import { FIXTURE_PASSWORD, makeUser, signedIn } from '@/lib/auth/test-fixtures'
import { runAs } from '@/lib/auth/testing'
import { closeDbPool } from '@/lib/db'
import { isDatabaseUnavailable, SERVICE_UNAVAILABLE, SERVICE_UNAVAILABLE_DIGEST } from '@/lib/db/unavailable'

vi.mock('server-only', () => ({}))

// The database goes away: the process's pool is pointed at a port nobody listens on.
async function closedPort() {
  const srv = net.createServer()
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  const port = (srv.address() as net.AddressInfo).port
  await new Promise<void>((r) => srv.close(() => r()))
  return port
}

describe('while the database is down', () => {
  const realUrl = process.env.DATABASE_URL
  let user: Awaited<ReturnType<typeof makeUser>>
  beforeAll(async () => {
    user = await makeUser()
    await closeDbPool()
    process.env.DATABASE_URL = `postgresql://postgres@127.0.0.1:${await closedPort()}/gone`
  })
  afterAll(async () => {
    await closeDbPool()
    process.env.DATABASE_URL = realUrl
  })

  it('sign-in with the right password says the service is unavailable, not that the password is wrong', async () => {
    const result = await runAs(null, () => signInAction({ email: user.email, password: FIXTURE_PASSWORD }), {
      ip: '198.51.100.20',
    })
    expect(result).toEqual({ ok: false, error: SERVICE_UNAVAILABLE })
    expect(result).not.toEqual({ ok: false, error: SIGN_IN_FAILED })
  })

  it('a signed-in page gets an error the error boundary recognises (no bare reference number)', async () => {
    const failure = await runAs(signedIn(user), () => getCaller()).then(
      () => null,
      (e: unknown) => e,
    )
    expect(failure).toMatchObject({ digest: SERVICE_UNAVAILABLE_DIGEST })
  })

  it('a signed-in action answers with the same message', async () => {
    const action = authorizedAction({
      name: 'test.noop',
      access: 'signed-in',
      schema: emptySchema,
      handler: async () => null,
    })
    expect(await runAs(signedIn(user), () => action({}))).toEqual({ ok: false, error: SERVICE_UNAVAILABLE })
  })

  it('a route handler answers 503 with Retry-After', async () => {
    const route = authorizedRoute({
      name: 'test.echo',
      access: 'signed-in',
      handler: async () => Response.json({}),
    })
    const res = await runAs(signedIn(user), () => route(new Request('http://127.0.0.1:3000/x')))
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBeTruthy()
    expect(await res.json()).toEqual({ error: SERVICE_UNAVAILABLE })
  })
})

describe('telling an outage from a fault', () => {
  it('does not call a failed query an outage', () => {
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false)
    expect(isDatabaseUnavailable({ code: 'P2002', meta: { target: ['email'] } })).toBe(false)
    expect(isDatabaseUnavailable({ code: '23505' })).toBe(false)
    expect(isDatabaseUnavailable({ code: '57P01' })).toBe(true)
    expect(isDatabaseUnavailable(new Error('wrapped', { cause: { code: 'ECONNRESET' } }))).toBe(true)
  })
})
