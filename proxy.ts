import { NextResponse } from 'next/server'
import NextAuth from 'next-auth'
import { authConfig } from '@/lib/auth/config'
import { env } from '@/lib/env'
import { contentSecurityPolicy, newNonce, strictTransportSecurity } from '@/lib/http/security-headers'

// Comfort only: sends anonymous visitors of dashboard pages to the sign-in page, and refreshes the
// session cookie's last-activity time. It is never the check: pages, queries and actions call
// getCaller themselves, which re-reads the user from the database.
// It also sets the per-request security headers: a nonce CSP (Next reads the policy from the request
// and puts the nonce on its own scripts) and HSTS when the app is served over https.
const { auth } = NextAuth(authConfig)

const PUBLIC_PREFIXES = ['/login', '/logout', '/change-password', '/api/']

export const proxy = auth((req) => {
  const { pathname, search } = req.nextUrl
  const nonce = newNonce()
  const csp = contentSecurityPolicy({ nonce, dev: env().NODE_ENV === 'development' })
  const hsts = strictTransportSecurity(env().APP_URL)

  const isPage = (req.method === 'GET' || req.method === 'HEAD') && !req.headers.has('next-action')
  let res: NextResponse
  if (req.auth || !isPage || PUBLIC_PREFIXES.some((p) => pathname.startsWith(p))) {
    const requestHeaders = new Headers(req.headers)
    requestHeaders.set('content-security-policy', csp)
    requestHeaders.set('x-nonce', nonce)
    res = NextResponse.next({ request: { headers: requestHeaders } })
  } else {
    const login = new URL('/login', req.nextUrl)
    if (pathname !== '/') login.searchParams.set('next', `${pathname}${search}`)
    res = NextResponse.redirect(login)
  }
  res.headers.set('content-security-policy', csp)
  if (hsts) res.headers.set('strict-transport-security', hsts)
  return res
})

// /api/uploads is left out: Next buffers (and cuts at 10 MB) the body of every request the proxy sees,
// and an upload must stream to disk. Its route handlers check the caller themselves; next.config.js gives
// its answers a policy under which nothing runs.
export const config = {
  matcher: [
    '/((?!_next/static|_next/image|favicon.ico|api/uploads|.*\\.(?:png|svg|ico|jpg|jpeg|webp|css|js|map)$).*)',
  ],
}
