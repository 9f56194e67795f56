import { AsyncLocalStorage } from 'node:async_hooks'
import type { SessionClaims } from '@/lib/auth/session-policy'

// Tests call server actions directly, outside a request: they hand getCaller the session a cookie
// would have carried. Everything after that (the database re-read, role, scope, parsing) is real.
// Consulted only under Vitest or NODE_ENV=test, so production can never be steered by it.
type TestRequest = { session: SessionClaims | null; ip?: string; headers?: Record<string, string> }

const storage = new AsyncLocalStorage<TestRequest>()

export function testHooksEnabled() {
  return process.env.VITEST === 'true' || process.env.NODE_ENV === 'test'
}

/** runs fn as if a request carried this session (null: anonymous) */
export function runAs<T>(
  session: SessionClaims | null,
  fn: () => Promise<T>,
  extra: Omit<TestRequest, 'session'> = {},
) {
  if (!testHooksEnabled()) throw new Error('runAs is for tests only')
  return storage.run({ session, ...extra }, fn)
}

/** a fresh session for a user row, as signing in would issue it */
export function sessionFor(user: { id: string; sessionVersion: number }, now = Date.now()): SessionClaims {
  return { userId: user.id, sessionVersion: user.sessionVersion, signedInAt: now, lastActiveAt: now }
}

/** the simulated request, or undefined when not under a test hook */
export function currentTestRequest(): TestRequest | undefined {
  return testHooksEnabled() ? storage.getStore() : undefined
}
