// Session lifetimes. The JWT carries when the person signed in and when they were last active;
// both limits are checked on every request (in the JWT callback and again in getCaller).

/** signed out after this long without a request */
export const IDLE_TIMEOUT_MS = 30 * 60 * 1000
/** signed out this long after signing in, however active */
export const ABSOLUTE_TIMEOUT_MS = 12 * 60 * 60 * 1000

/** what the session token says about the person; everything else is re-read from the database */
export type SessionClaims = {
  userId: string
  sessionVersion: number
  /** epoch milliseconds */
  signedInAt: number
  /** epoch milliseconds */
  lastActiveAt: number
}

export function isSessionFresh(claims: Pick<SessionClaims, 'signedInAt' | 'lastActiveAt'>, now = Date.now()) {
  if (!Number.isFinite(claims.signedInAt) || !Number.isFinite(claims.lastActiveAt)) return false
  return now - claims.signedInAt < ABSOLUTE_TIMEOUT_MS && now - claims.lastActiveAt < IDLE_TIMEOUT_MS
}

export function readClaims(raw: unknown): SessionClaims | null {
  if (!raw || typeof raw !== 'object') return null
  const r = raw as Record<string, unknown>
  const { uid, sv, sat, lat } = r
  if (typeof uid !== 'string' || typeof sv !== 'number' || typeof sat !== 'number' || typeof lat !== 'number')
    return null
  return { userId: uid, sessionVersion: sv, signedInAt: sat, lastActiveAt: lat }
}
