import { randomUUID } from 'node:crypto'
import type { SessionClaims } from '@/lib/auth/session-policy'
import { sessionFor } from '@/lib/auth/testing'
import { db } from '@/lib/db'
import { hashPassword } from '@/lib/users/password'

// Test data with unique codes and emails: every test file shares one database per run.
export const uniq = () => randomUUID().slice(0, 8)

let cachedHash: Promise<string> | undefined
export const FIXTURE_PASSWORD = 'fixture-password-long-enough'

export async function makeStore(overrides: Partial<{ code: string; active: boolean }> = {}) {
  return db.store.create({
    data: {
      code: overrides.code ?? `T-${uniq()}`,
      name: 'Test store',
      timeZone: 'Europe/Berlin',
      latitude: '52.52',
      longitude: '13.405',
      active: overrides.active ?? true,
    },
  })
}

export async function makeUser(
  opts: {
    role?: 'ADMIN' | 'MANAGER'
    storeIds?: string[]
    active?: boolean
    mustChangePassword?: boolean
    password?: string
  } = {},
) {
  cachedHash ??= hashPassword(FIXTURE_PASSWORD)
  const passwordHash = opts.password ? await hashPassword(opts.password) : await cachedHash
  return db.user.create({
    data: {
      email: `u-${uniq()}@test.store`,
      name: 'Test user',
      role: opts.role ?? 'MANAGER',
      passwordHash,
      active: opts.active ?? true,
      mustChangePassword: opts.mustChangePassword ?? false,
      memberships: { create: (opts.storeIds ?? []).map((storeId) => ({ storeId })) },
    },
  })
}

/** a session as signing in would have issued it for this user */
export function signedIn(user: { id: string; sessionVersion: number }): SessionClaims {
  return sessionFor(user)
}
