import { NextResponse } from 'next/server'
import NextAuth from 'next-auth'
import { authConfig } from '@/lib/auth/config'

// Comfort only: sends anonymous visitors of dashboard pages to the sign-in page, and refreshes the
// session cookie's last-activity time. It is never the check: pages, queries and actions call
// getCaller themselves, which re-reads the user from the database.
const { auth } = NextAuth(authConfig)

const PUBLIC_PREFIXES = ['/login', '/logout', '/change-password', '/api/']

export const proxy = auth((req) => {
  const { pathname, search } = req.nextUrl
  const isPage = (req.method === 'GET' || req.method === 'HEAD') && !req.headers.has('next-action')
  if (req.auth || !isPage || PUBLIC_PREFIXES.some((p) => pathname.startsWith(p))) return NextResponse.next()
  const login = new URL('/login', req.nextUrl)
  if (pathname !== '/') login.searchParams.set('next', `${pathname}${search}`)
  return NextResponse.redirect(login)
})

// /api/uploads is left out: Next buffers (and cuts at 10 MB) the body of every request the proxy sees,
// and an upload must stream to disk. Its route handlers check the caller themselves.
export const config = {
  matcher: [
    '/((?!_next/static|_next/image|favicon.ico|api/uploads|.*\\.(?:png|svg|ico|jpg|jpeg|webp|css|js|map)$).*)',
  ],
}
