import 'server-only'
import { createHash, timingSafeEqual } from 'node:crypto'
import { getCaller } from '@/lib/auth/caller'

// Who may read /api/metrics: a scraper presenting METRICS_TOKEN as a bearer token, or a signed-in admin
// (handy from a browser). Without METRICS_TOKEN only the admin session works.

const digest = (s: string) => createHash('sha256').update(s).digest()

export function bearerMatches(header: string | null, token: string | undefined) {
  if (!token || !header) return false
  const m = /^Bearer\s+(.+)$/i.exec(header.trim())
  if (!m?.[1]) return false
  // compare digests: equal length, constant time, and the token's length is not revealed
  return timingSafeEqual(digest(m[1]), digest(token))
}

export async function metricsAccess(
  req: Request,
  token: string | undefined,
): Promise<'ok' | 'unauthenticated' | 'forbidden'> {
  if (bearerMatches(req.headers.get('authorization'), token)) return 'ok'
  const caller = await getCaller()
  if (!caller) return 'unauthenticated'
  return caller.role === 'ADMIN' && !caller.mustChangePassword ? 'ok' : 'forbidden'
}
