import 'server-only'
import { audit } from '@/lib/audit/log'
import {
  ACCOUNT_RULE,
  ADDRESS_RULE,
  accountKey,
  addressKey,
  clearThrottle,
  passGate,
  pruneThrottles,
  recordFailure,
} from '@/lib/auth/throttle'
import { db } from '@/lib/db'
import { hashPassword, verifyPassword } from '@/lib/users/password'

export type SignInOutcome =
  | { ok: true; user: { id: string; email: string; name: string; sessionVersion: number } }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number }

// verified against when the email is unknown, so a wrong email takes as long as a wrong password
let dummyHash: Promise<string> | undefined

/** the one place a password is checked at sign-in: throttle, verify, record, audit */
export async function verifyCredentials(input: {
  email: string
  password: string
  ip: string
}): Promise<SignInOutcome> {
  const email = input.email.trim().toLowerCase()
  const keys = [
    { key: accountKey(email), rule: ACCOUNT_RULE },
    { key: addressKey(input.ip), rule: ADDRESS_RULE },
  ]
  const user = await db.user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, passwordHash: true, active: true, sessionVersion: true },
  })
  const actor = { userId: user?.id ?? null, email }

  for (const { key, rule } of keys) {
    const gate = await passGate(key, rule)
    if (!gate.allowed) {
      const retryAfterSeconds = Math.max(1, Math.ceil(gate.retryAfterMs / 1000))
      await audit(db, {
        actor,
        action: 'auth.sign_in_throttled',
        entity: 'User',
        entityId: user?.id,
        details: { retryAfterSeconds, by: key.startsWith('ip:') ? 'address' : 'account' },
        ip: input.ip,
      })
      return { ok: false, reason: 'throttled', retryAfterSeconds }
    }
  }

  dummyHash ??= hashPassword('not-a-real-password-only-for-timing')
  const passwordOk = await verifyPassword(user?.passwordHash ?? (await dummyHash), input.password)
  if (!user || !passwordOk || !user.active) {
    for (const { key, rule } of keys) await recordFailure(key, rule)
    await audit(db, {
      actor,
      action: 'auth.sign_in_failed',
      entity: 'User',
      entityId: user?.id,
      details: { reason: !user ? 'unknown email' : !passwordOk ? 'wrong password' : 'deactivated user' },
      ip: input.ip,
    })
    return { ok: false, reason: 'invalid' }
  }

  // success forgets the account's failures; the address keeps its own (a guesser's own valid
  // account must not reset the counter for the address it guesses from)
  await clearThrottle(accountKey(email))
  await pruneThrottles()
  await db.user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } })
  await audit(db, { actor, action: 'auth.sign_in', entity: 'User', entityId: user.id, ip: input.ip })
  return {
    ok: true,
    user: { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion },
  }
}
