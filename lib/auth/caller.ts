import 'server-only'
import { notFound, redirect } from 'next/navigation'
import { cache } from 'react'
import { isSessionFresh, readClaims, type SessionClaims } from '@/lib/auth/session-policy'
import { currentTestRequest } from '@/lib/auth/testing'
import { db } from '@/lib/db'
import { isDatabaseUnavailable, ServiceUnavailableError } from '@/lib/db/unavailable'

/** who is asking, as the database says right now (never as the cookie remembers) */
export type Caller = {
  userId: string
  email: string
  name: string
  role: 'ADMIN' | 'MANAGER'
  /** the active stores a manager is assigned to; every store for an admin */
  storeIds: string[]
  /** true for admins: queries skip the store filter */
  allStores: boolean
  /** signed in with a temporary password: only the password change is allowed */
  mustChangePassword: boolean
}

async function sessionClaims(): Promise<SessionClaims | null> {
  const simulated = currentTestRequest()
  if (simulated) return simulated.session
  const { auth } = await import('@/lib/auth/auth')
  return readClaims(await auth())
}

/**
 * Re-reads the user on every request: deactivation, a role or store change and a password reset
 * bump sessionVersion (or clear active), so the very next request of an older session gets null.
 */
export async function loadCaller(claims: SessionClaims, now = Date.now()): Promise<Caller | null> {
  if (!isSessionFresh(claims, now)) return null
  const user = await db.user.findUnique({
    where: { id: claims.userId },
    select: {
      id: true,
      email: true,
      name: true,
      role: true,
      active: true,
      sessionVersion: true,
      mustChangePassword: true,
      memberships: { where: { store: { active: true } }, select: { storeId: true } },
    },
  })
  if (!user?.active || user.sessionVersion !== claims.sessionVersion) return null
  const allStores = user.role === 'ADMIN'
  const storeIds = allStores
    ? (await db.store.findMany({ select: { id: true } })).map((s) => s.id)
    : user.memberships.map((m) => m.storeId)
  return {
    userId: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    storeIds,
    allStores,
    mustChangePassword: user.mustChangePassword,
  }
}

/** the signed-in caller, or null; memoised per request */
export const getCaller = cache(async (): Promise<Caller | null> => {
  const claims = await sessionClaims()
  if (!claims) return null
  try {
    return await loadCaller(claims)
  } catch (error) {
    // the first read of every page: an outage gets a digest the error boundary can explain
    if (isDatabaseUnavailable(error)) throw new ServiceUnavailableError(error)
    throw error
  }
})

/** for pages: an anonymous or revoked visitor is sent to sign in (the layout does the same) */
export async function requirePageCaller(): Promise<Caller> {
  const caller = await getCaller()
  if (!caller) redirect('/login')
  return caller
}

/** for admin-only pages: anyone else gets the not-found page, which says nothing about what is here */
export async function requireAdminPage(): Promise<Caller> {
  const caller = await requirePageCaller()
  if (caller.role !== 'ADMIN') notFound()
  return caller
}
