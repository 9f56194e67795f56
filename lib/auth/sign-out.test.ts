import { encode } from 'next-auth/jwt'
import { describe, expect, it, vi } from 'vitest'
import { makeUser } from '@/lib/auth/test-fixtures'
import { db } from '@/lib/db'

vi.mock('server-only', () => ({}))
process.env.AUTH_SECRET ??= 'sign-out-test-secret-that-is-long-enough-0123456789'

// next-auth's own endpoints, called as the browser (or a script with a copied cookie) would.
const { GET, POST } = await import('@/app/api/auth/[...nextauth]/route')
const BASE = 'http://127.0.0.1:3000'
const COOKIE = 'authjs.session-token'

async function sessionCookieFor(user: { id: string; email: string; name: string; sessionVersion: number }) {
  const now = Date.now()
  const token = await encode({
    salt: COOKIE,
    secret: process.env.AUTH_SECRET as string,
    token: {
      sub: user.id,
      uid: user.id,
      email: user.email,
      name: user.name,
      sv: user.sessionVersion,
      sat: now,
      lat: now,
    },
  })
  return `${COOKIE}=${token}`
}

async function sessionOf(cookie: string) {
  const res = await GET(new Request(`${BASE}/api/auth/session`, { headers: { cookie } }) as never)
  return (await res.json()) as { user?: { email: string } } | null
}

/** next-auth's sign-out as its own client does it: a CSRF token from /csrf, then a form POST */
async function signOutThroughNextAuth(sessionCookie: string) {
  const csrf = await GET(
    new Request(`${BASE}/api/auth/csrf`, { headers: { cookie: sessionCookie } }) as never,
  )
  const { csrfToken } = (await csrf.json()) as { csrfToken: string }
  const csrfCookie = (csrf.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ')
  return POST(
    new Request(`${BASE}/api/auth/signout`, {
      method: 'POST',
      headers: {
        cookie: `${sessionCookie}; ${csrfCookie}`,
        'content-type': 'application/x-www-form-urlencoded',
        origin: BASE,
      },
      body: new URLSearchParams({ csrfToken, callbackUrl: `${BASE}/login` }).toString(),
    }) as never,
  )
}

describe("next-auth's own endpoints end with the session", () => {
  it('/api/auth/session reports nobody for a revoked user (deactivated or sessionVersion bumped)', async () => {
    const user = await makeUser()
    const cookie = await sessionCookieFor(user)
    expect((await sessionOf(cookie))?.user?.email).toBe(user.email)
    await db.user.update({ where: { id: user.id }, data: { sessionVersion: { increment: 1 } } })
    expect(await sessionOf(cookie)).toBeNull()

    const disabled = await makeUser()
    const disabledCookie = await sessionCookieFor(disabled)
    await db.user.update({ where: { id: disabled.id }, data: { active: false } })
    expect(await sessionOf(disabledCookie)).toBeNull()
  })

  it('POST /api/auth/signout ends the session: a copy of the cookie no longer works', async () => {
    const user = await makeUser()
    const cookie = await sessionCookieFor(user)
    const res = await signOutThroughNextAuth(cookie)
    expect(res.status).toBe(302)
    expect(res.headers.get('location') ?? '').not.toContain('error=')
    expect(await sessionOf(cookie)).toBeNull()
    const after = await db.user.findUniqueOrThrow({ where: { id: user.id } })
    expect(after.sessionVersion).toBe(user.sessionVersion + 1)
    expect(await db.auditLog.count({ where: { action: 'auth.sign_out', entityId: user.id } })).toBe(1)
  })

  it('a sign-out POST without the CSRF token changes nothing', async () => {
    const user = await makeUser()
    const cookie = await sessionCookieFor(user)
    const res = await POST(
      new Request(`${BASE}/api/auth/signout`, { method: 'POST', headers: { cookie, origin: BASE } }) as never,
    )
    expect(res.headers.get('location') ?? '').toContain('error=MissingCSRF')
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id } })).sessionVersion).toBe(
      user.sessionVersion,
    )
    expect((await sessionOf(cookie))?.user?.email).toBe(user.email)
  })
})
