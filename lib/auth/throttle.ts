import 'server-only'
import { db } from '@/lib/db'

// Growing delays after repeated sign-in failures, per account and per client address. An attempt
// while a key is blocked is refused unchecked and not counted, so an attacker gets one guess per
// delay; a blocked account waits at most ACCOUNT.maxDelayMs, so a real user is never locked out long.
export type ThrottleRule = {
  /** failures allowed before any delay */
  freeFailures: number
  baseDelayMs: number
  maxDelayMs: number
  /** a quiet period after which failures are forgotten */
  forgetAfterMs: number
}

export const ACCOUNT_RULE: ThrottleRule = {
  freeFailures: 3,
  baseDelayMs: 1000,
  maxDelayMs: 60_000,
  forgetAfterMs: 15 * 60_000,
}
// an office shares one address, so more free failures; a guessing address is held back far longer
export const ADDRESS_RULE: ThrottleRule = {
  freeFailures: 10,
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
}

export const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`.slice(0, 400)
export const addressKey = (ip: string) => `ip:${ip}`.slice(0, 400)

export function delayAfter(failures: number, rule: ThrottleRule) {
  if (failures <= rule.freeFailures) return 0
  return Math.min(rule.maxDelayMs, rule.baseDelayMs * 2 ** (failures - rule.freeFailures - 1))
}

export type Gate = { allowed: true } | { allowed: false; retryAfterMs: number }

/**
 * May an attempt on this key go ahead now? When the next failure would start a delay, the attempt
 * reserves that delay up front (compare-and-set), so a burst of parallel guesses gets only one through.
 */
export async function passGate(key: string, rule: ThrottleRule, now = new Date()): Promise<Gate> {
  const row = await db.signInThrottle.findUnique({ where: { key } })
  if (!row || now.getTime() - row.lastFailureAt.getTime() > rule.forgetAfterMs) return { allowed: true }
  if (row.blockedUntil && row.blockedUntil > now)
    return { allowed: false, retryAfterMs: row.blockedUntil.getTime() - now.getTime() }
  const delay = delayAfter(row.failures + 1, rule)
  if (delay === 0) return { allowed: true }
  const reserved = await db.signInThrottle.updateMany({
    where: { key, failures: row.failures, OR: [{ blockedUntil: null }, { blockedUntil: { lte: now } }] },
    data: { blockedUntil: new Date(now.getTime() + delay) },
  })
  return reserved.count === 1 ? { allowed: true } : { allowed: false, retryAfterMs: delay }
}

export async function recordFailure(key: string, rule: ThrottleRule, now = new Date()) {
  const forgetBefore = new Date(now.getTime() - rule.forgetAfterMs)
  // one statement, so concurrent failures all count
  const rows = await db.$queryRaw<{ failures: number }[]>`
    INSERT INTO "SignInThrottle" ("key", "failures", "lastFailureAt", "blockedUntil")
    VALUES (${key}, 1, ${now}, NULL)
    ON CONFLICT ("key") DO UPDATE SET
      "failures" = CASE WHEN "SignInThrottle"."lastFailureAt" < ${forgetBefore} THEN 1
                        ELSE "SignInThrottle"."failures" + 1 END,
      "lastFailureAt" = ${now}
    RETURNING "failures"`
  const failures = rows[0]?.failures ?? 1
  const delay = delayAfter(failures, rule)
  if (delay > 0) {
    await db.signInThrottle.update({
      where: { key },
      data: { blockedUntil: new Date(now.getTime() + delay) },
    })
  }
  return { failures, delayMs: delay }
}

export async function clearThrottle(key: string) {
  await db.signInThrottle.deleteMany({ where: { key } })
}

/** rows nobody has failed on for a day: keeps guessed-email rows from piling up */
export async function pruneThrottles(now = new Date()) {
  await db.signInThrottle.deleteMany({
    where: { lastFailureAt: { lt: new Date(now.getTime() - 86_400_000) } },
  })
}
