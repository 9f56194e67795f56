import { describe, expect, it, vi } from 'vitest'
import { FIXTURE_PASSWORD, makeUser } from '@/lib/auth/test-fixtures'

vi.mock('server-only', () => ({}))
process.env.AUTH_SECRET ??= 'secure-cookie-test-secret-that-is-long-enough-0123'
// served over https by a proxy that ends TLS: the requests reach the app as plain http
process.env.APP_URL = 'https://sync.example.com'
const { GET, POST } = await import('@/app/api/auth/[...nextauth]/route')
const BASE = 'http://127.0.0.1:3000'

const cookiesOf = (res: Response) => res.headers.getSetCookie()

describe('cookies when APP_URL is https', () => {
  it('the session cookie is Secure and __Secure- named, also when TLS ends at a proxy', async () => {
    const user = await makeUser()
    const csrf = await GET(new Request(`${BASE}/api/auth/csrf`) as never)
    const csrfCookies = cookiesOf(csrf)
    expect(csrfCookies.every((c) => /;\s*Secure/i.test(c))).toBe(true)
    const { csrfToken } = (await csrf.json()) as { csrfToken: string }
    const res = await POST(
      new Request(`${BASE}/api/auth/callback/credentials`, {
        method: 'POST',
        headers: {
          cookie: csrfCookies.map((c) => c.split(';')[0]).join('; '),
          'content-type': 'application/x-www-form-urlencoded',
          origin: BASE,
        },
        body: new URLSearchParams({ csrfToken, email: user.email, password: FIXTURE_PASSWORD }).toString(),
      }) as never,
    )
    const session = cookiesOf(res).find((c) => c.includes('session-token='))
    expect(session).toBeDefined()
    expect(session).toMatch(/^__Secure-authjs\.session-token=/)
    expect(session).toMatch(/;\s*Secure/i)
    expect(session).toMatch(/;\s*HttpOnly/i)
  })
})
