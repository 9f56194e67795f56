import 'server-only'
import { audit, redact } from '@/lib/audit/log'
import { issueDevice, verifiedDevice } from '@/lib/auth/device'
import {
  ACCOUNT_RULE,
  ADDRESS_RULE,
  accountKey,
  addressKey,
  clearThrottle,
  DEVICE_RULE,
  deviceKey,
  passGate,
  recordFailure,
  type ThrottleRule,
} from '@/lib/auth/throttle'
import { db } from '@/lib/db'
import type { Prisma } from '@/lib/generated/prisma/client'
import { hashPassword, verifyPassword } from '@/lib/users/password'

export type SignInOutcome =
  | {
      ok: true
      user: { id: string; email: string; name: string; sessionVersion: number }
      /** the device cookie to keep (or set) on this browser; null without AUTH_SECRET */
      device: string | null
    }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number }

/** failed and throttled attempts share one audit row per account (or unknown email), address and window */
export const SIGN_IN_AUDIT_WINDOW_MS = 15 * 60_000
/** an address the account signed in from this recently, without failures since, is known */
export const KNOWN_ADDRESS_MS = 30 * 24 * 60 * 60_000

// verified against when the email is unknown, so a wrong email takes as long as a wrong password
let dummyHash: Promise<string> | undefined

type User = {
  id: string
  email: string
  name: string
  passwordHash: string
  active: boolean
  sessionVersion: number
}

/** the one place a password is checked at sign-in: throttle, verify, record, audit */
export async function verifyCredentials(input: {
  email: string
  password: string
  ip: string
  /** the device cookie the browser sent, if any */
  device?: string | null
  now?: Date
}): Promise<SignInOutcome> {
  const now = input.now ?? new Date()
  const email = input.email.trim().toLowerCase()
  const user = await db.user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, passwordHash: true, active: true, sessionVersion: true },
  })
  const deviceId = verifiedDevice(user?.id, input.device)
  // a device the account issued answers for itself; otherwise the address does, and the account's
  // delay applies unless the address is one the account signed in from without failures since
  const keys: { key: string; rule: ThrottleRule }[] = deviceId
    ? [{ key: deviceKey(deviceId), rule: DEVICE_RULE }]
    : [{ key: addressKey(input.ip), rule: ADDRESS_RULE }]
  if (!deviceId && !(user && (await isKnownAddress(user.id, input.ip, now))))
    keys.push({ key: accountKey(email), rule: ACCOUNT_RULE })

  for (const { key, rule } of keys) {
    const gate = await passGate(key, rule, now)
    if (!gate.allowed) {
      const retryAfterSeconds = Math.max(1, Math.ceil(gate.retryAfterMs / 1000))
      const by = key.split(':')[0] === 'ip' ? 'address' : (key.split(':')[0] ?? 'account')
      await auditAttempt('auth.sign_in_throttled', { user, ip: input.ip, now, reason: by, retryAfterSeconds })
      return { ok: false, reason: 'throttled', retryAfterSeconds }
    }
  }

  dummyHash ??= hashPassword('not-a-real-password-only-for-timing')
  const passwordOk = await verifyPassword(user?.passwordHash ?? (await dummyHash), input.password)
  if (!user || !passwordOk || !user.active) {
    // a failure from a known address counts on the account too: the address is then no longer known
    const counted = deviceId
      ? keys
      : [
          { key: addressKey(input.ip), rule: ADDRESS_RULE },
          { key: accountKey(email), rule: ACCOUNT_RULE },
        ]
    for (const { key, rule } of counted) await recordFailure(key, rule, now)
    const reason = !user ? 'unknown email' : !passwordOk ? 'wrong password' : 'deactivated user'
    await auditAttempt('auth.sign_in_failed', { user, ip: input.ip, now, reason })
    return { ok: false, reason: 'invalid' }
  }

  if (deviceId) await clearThrottle(deviceKey(deviceId))
  // the account's failures are forgotten only if they all came from here: a success must not hand
  // an attacker at other addresses fresh guesses
  if (!(await failedElsewhere(user.id, input.ip, now))) await clearThrottle(accountKey(email))
  await db.user.update({ where: { id: user.id }, data: { lastSignInAt: now } })
  await audit(db, {
    actor: { userId: user.id, email },
    action: 'auth.sign_in',
    entity: 'User',
    entityId: user.id,
    details: { via: deviceId ? 'device' : 'address' },
    ip: input.ip,
    at: now,
  })
  return {
    ok: true,
    user: { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion },
    device: deviceId ? (input.device ?? null) : issueDevice(user.id),
  }
}

type Aggregate = {
  count: number
  reasons: Record<string, number>
  lastAtMs: number
  retryAfterSeconds?: number
}

/**
 * One audit row per action, account (unknown emails share one, their text is not kept), address and
 * 15-minute window, counting the attempts: a guessing run no longer writes a row per guess.
 */
async function auditAttempt(
  action: 'auth.sign_in_failed' | 'auth.sign_in_throttled',
  a: { user: User | null; ip: string; now: Date; reason: string; retryAfterSeconds?: number },
) {
  const entityId = a.user?.id ?? null
  await db.$transaction(async (tx) => {
    // serializes writers of one row; the lock ends with the transaction
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`${action}|${entityId ?? '-'}|${a.ip}`}))`
    const row = await tx.auditLog.findFirst({
      where: {
        action,
        entity: 'User',
        entityId,
        ip: a.ip,
        at: { gt: new Date(a.now.getTime() - SIGN_IN_AUDIT_WINDOW_MS), lte: a.now },
      },
      orderBy: { at: 'desc' },
    })
    const before = (row?.details ?? null) as Aggregate | null
    const details: Aggregate = {
      count: (before?.count ?? 0) + 1,
      reasons: { ...before?.reasons, [a.reason]: (before?.reasons?.[a.reason] ?? 0) + 1 },
      lastAtMs: a.now.getTime(),
      ...(a.retryAfterSeconds ? { retryAfterSeconds: a.retryAfterSeconds } : {}),
    }
    if (row)
      await tx.auditLog.update({
        where: { id: row.id },
        data: { details: redact(details) as Prisma.InputJsonValue },
      })
    else
      await audit(tx, {
        actor: a.user ? { userId: a.user.id, email: a.user.email } : null,
        action,
        entity: 'User',
        entityId,
        details,
        ip: a.ip,
        at: a.now,
      })
  })
}

/** the account signed in from this address within KNOWN_ADDRESS_MS, and nothing failed from it since */
async function isKnownAddress(userId: string, ip: string, now: Date) {
  if (ip === 'unknown') return false
  const success = await db.auditLog.findFirst({
    where: {
      action: 'auth.sign_in',
      entity: 'User',
      entityId: userId,
      ip,
      at: { gte: new Date(now.getTime() - KNOWN_ADDRESS_MS), lte: now },
    },
    orderBy: { at: 'desc' },
    select: { at: true },
  })
  if (!success) return false
  const failures = await db.auditLog.findMany({
    where: {
      action: 'auth.sign_in_failed',
      entity: 'User',
      entityId: userId,
      ip,
      at: { gt: new Date(success.at.getTime() - SIGN_IN_AUDIT_WINDOW_MS), lte: now },
    },
    select: { details: true },
  })
  return !failures.some((f) => ((f.details as Aggregate | null)?.lastAtMs ?? 0) >= success.at.getTime())
}

/** did this account fail from another address within the account rule's memory? */
async function failedElsewhere(userId: string, ip: string, now: Date) {
  const since = new Date(now.getTime() - ACCOUNT_RULE.forgetAfterMs - SIGN_IN_AUDIT_WINDOW_MS)
  const other = await db.auditLog.findFirst({
    where: {
      action: 'auth.sign_in_failed',
      entity: 'User',
      entityId: userId,
      ip: { not: ip },
      at: { gt: since, lte: now },
    },
    select: { id: true },
  })
  return other !== null
}
