import type { NextRequest } from 'next/server'
import { handlers } from '@/lib/auth/auth'
import { loadCaller } from '@/lib/auth/caller'
import { clientAddress } from '@/lib/auth/client-address'
import { readClaims } from '@/lib/auth/session-policy'
import { endEverySession } from '@/lib/auth/sign-out'

// next-auth's endpoints (session, csrf, sign-out, the Credentials callback); the callback is throttled in
// authorize. Two of them are made to agree with the rest of the app, which re-reads the user on every request:
// /session answers null for a revoked user, and sign-out ends every session as the sign-out button does.

const SESSION_COOKIE = /(?:^|;\s*)(?:__Secure-)?authjs\.session-token(?:\.\d+)?=/

/** who next-auth says the cookie belongs to, re-read from the database (null when revoked or signed out) */
async function callerOf(req: NextRequest) {
  const url = new URL('/api/auth/session', req.nextUrl ?? req.url)
  const res = await handlers.GET(new Request(url, { headers: req.headers }) as NextRequest)
  const claims = readClaims(await res.json().catch(() => null))
  return claims ? loadCaller(claims) : null
}

function endpoint(req: NextRequest) {
  return new URL(req.url).pathname.replace(/\/+$/, '').split('/').pop()
}

export async function GET(req: NextRequest) {
  if (endpoint(req) === 'session' && SESSION_COOKIE.test(req.headers.get('cookie') ?? '')) {
    if (!(await callerOf(req))) return Response.json(null, { headers: { 'cache-control': 'no-store' } })
  }
  return handlers.GET(req)
}

export async function POST(req: NextRequest) {
  if (endpoint(req) !== 'signout') return handlers.POST(req)
  const caller = SESSION_COOKIE.test(req.headers.get('cookie') ?? '') ? await callerOf(req) : null
  const res = await handlers.POST(req)
  // only once next-auth accepted the sign-out (its CSRF check passed): a forged POST changes nothing
  const refused = (res.headers.get('location') ?? '').includes('error=')
  if (caller && !refused && res.status < 400)
    await endEverySession(caller, clientAddress(req.headers), 'next-auth endpoint')
  return res
}
