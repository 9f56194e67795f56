import { describe, expect, it, vi } from 'vitest'
import { verifyCredentials } from '@/lib/auth/credentials'
import { SIGN_IN_FAILED } from '@/lib/auth/schema'
import { signInAction } from '@/lib/auth/sign-in/actions'
import { FIXTURE_PASSWORD, makeUser, uniq } from '@/lib/auth/test-fixtures'
import { runAs } from '@/lib/auth/testing'
import {
  ACCOUNT_RULE,
  ADDRESS_RULE,
  accountKey,
  delayAfter,
  passGate,
  recordFailure,
} from '@/lib/auth/throttle'
import { db } from '@/lib/db'

vi.mock('server-only', () => ({}))

const ip = () =>
  `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`

describe('sign-in throttling', () => {
  it('grows the delay after the free failures and caps it for accounts', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => delayAfter(n, ACCOUNT_RULE))).toEqual([0, 0, 0, 1000, 2000, 4000])
    expect(delayAfter(50, ACCOUNT_RULE)).toBe(ACCOUNT_RULE.maxDelayMs)
    expect(delayAfter(10, ADDRESS_RULE)).toBe(0)
    expect(delayAfter(11, ADDRESS_RULE)).toBe(1000)
  })

  it('throttles repeated wrong passwords, refuses even the right one meanwhile, and lets it in after the delay', async () => {
    const user = await makeUser()
    const addr = ip()
    for (let i = 0; i < ACCOUNT_RULE.freeFailures + 1; i++)
      expect(
        await verifyCredentials({ email: user.email, password: 'wrong-password-guess', ip: addr }),
      ).toEqual({
        ok: false,
        reason: 'invalid',
      })
    const blocked = await verifyCredentials({ email: user.email, password: FIXTURE_PASSWORD, ip: addr })
    expect(blocked).toMatchObject({ ok: false, reason: 'throttled', retryAfterSeconds: 1 })
    // a blocked attempt is not counted: the delay does not grow while an attacker hammers
    const row = await db.signInThrottle.findUniqueOrThrow({ where: { key: accountKey(user.email) } })
    expect(row.failures).toBe(ACCOUNT_RULE.freeFailures + 1)

    await new Promise((r) => setTimeout(r, 1100))
    const ok = await verifyCredentials({ email: user.email, password: FIXTURE_PASSWORD, ip: addr })
    expect(ok).toMatchObject({ ok: true, user: { id: user.id } })
    expect(await db.signInThrottle.findUnique({ where: { key: accountKey(user.email) } })).toBeNull()

    const trail = await db.auditLog.findMany({ where: { entityId: user.id }, orderBy: { at: 'asc' } })
    // failures from one address in one window are one row with their count (issue 18.5)
    expect(trail.map((t) => [t.action, (t.details as { count?: number } | null)?.count])).toEqual([
      ['auth.sign_in_failed', ACCOUNT_RULE.freeFailures + 1],
      ['auth.sign_in_throttled', 1],
      ['auth.sign_in', undefined],
    ])
    expect(JSON.stringify(trail)).not.toContain(FIXTURE_PASSWORD)
  })

  it('lets only one of a burst of parallel guesses through once a delay applies', async () => {
    const key = accountKey(`burst-${uniq()}@test.store`)
    for (let i = 0; i < ACCOUNT_RULE.freeFailures; i++) await recordFailure(key, ACCOUNT_RULE)
    const gates = await Promise.all(Array.from({ length: 8 }, () => passGate(key, ACCOUNT_RULE)))
    expect(gates.filter((g) => g.allowed)).toHaveLength(1)
  })

  it('treats unknown emails and deactivated users like wrong passwords', async () => {
    const addr = ip()
    expect(
      await verifyCredentials({ email: `nobody-${uniq()}@test.store`, password: 'x', ip: addr }),
    ).toEqual({
      ok: false,
      reason: 'invalid',
    })
    const gone = await makeUser({ active: false })
    expect(await verifyCredentials({ email: gone.email, password: FIXTURE_PASSWORD, ip: addr })).toEqual({
      ok: false,
      reason: 'invalid',
    })
  })

  it('throttles a guessing address across accounts', async () => {
    const addr = ip()
    for (let i = 0; i < ADDRESS_RULE.freeFailures; i++)
      await verifyCredentials({ email: `spray-${uniq()}@test.store`, password: 'guess', ip: addr })
    const user = await makeUser()
    // the 11th failure from the address starts its delay
    await verifyCredentials({ email: user.email, password: 'guess', ip: addr })
    const r = await verifyCredentials({ email: user.email, password: FIXTURE_PASSWORD, ip: addr })
    expect(r).toMatchObject({ ok: false, reason: 'throttled' })
    // the real user, from their own address, is not locked out by it
    expect(
      await verifyCredentials({ email: user.email, password: FIXTURE_PASSWORD, ip: ip() }),
    ).toMatchObject({
      ok: true,
    })
  })

  it('the sign-in action answers with one generic message, or the wait', async () => {
    const user = await makeUser()
    const addr = ip()
    const attempt = (password: string) =>
      runAs(null, () => signInAction({ email: user.email, password }), { ip: addr })
    expect(await attempt('wrong-one')).toEqual({ ok: false, error: SIGN_IN_FAILED })
    for (let i = 0; i < ACCOUNT_RULE.freeFailures; i++) await attempt('wrong-again')
    expect(await attempt(FIXTURE_PASSWORD)).toEqual({
      ok: false,
      error: expect.stringMatching(/^Too many attempts, try again in \d+ seconds\.$/),
    })
  })
})
