import 'server-only'
import { db } from '@/lib/db'

// Growing delays after repeated sign-in failures, per account and per client address. An attempt
// while a key is blocked is refused unchecked and not counted, so an attacker gets one guess per
// delay. The account's delay applies only to sources it does not know (lib/auth/credentials.ts): a
// device cookie it issued, or an address it signed in from without failures since, go past it.
export type ThrottleRule = {
  /** failures allowed before any delay */
  freeFailures: number
  baseDelayMs: number
  maxDelayMs: number
  /** a quiet period after which failures are forgotten */
  forgetAfterMs: number
}

// forgetting only after an hour's quiet keeps ACCOUNT_GUESSES_PER_HOUR true for an attacker who pauses
export const ACCOUNT_RULE: ThrottleRule = {
  freeFailures: 3,
  baseDelayMs: 1000,
  maxDelayMs: 5 * 60_000,
  forgetAfterMs: 60 * 60_000,
}
// an office shares one address, so more free failures; a guessing address is held back far longer
export const ADDRESS_RULE: ThrottleRule = {
  freeFailures: 10,
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
}
// a device cookie the account issued: its own count, so a stolen cookie does not skip the delays
export const DEVICE_RULE: ThrottleRule = ACCOUNT_RULE

/** the most guesses one rule lets through in `windowMs` when the attacker waits out every delay */
export function guessesWithin(rule: ThrottleRule, windowMs: number) {
  let failures = 0
  for (let t = 0; t < windowMs; failures++) t += delayAfter(failures + 1, rule)
  return failures
}

/**
 * Checked guesses at one account per hour, however many addresses the attacker rotates through
 * (23 with ACCOUNT_RULE; 12 an hour while an attack goes on). docs/operations.md states it.
 */
export const ACCOUNT_GUESSES_PER_HOUR = guessesWithin(ACCOUNT_RULE, 3_600_000)

/** throttle rows are deleted this long after their last failure: longer than any rule remembers */
export const THROTTLE_ROW_LIFETIME_MS = 2 * 60 * 60_000

export const accountKey = (email: string) => `account:${email.trim().toLowerCase()}`.slice(0, 400)
export const addressKey = (ip: string) => `ip:${ip}`.slice(0, 400)
export const deviceKey = (deviceId: string) => `device:${deviceId}`.slice(0, 400)

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
  await pruneThrottles(now)
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

/**
 * Pruning on write: every recorded failure deletes a bounded number of expired rows, so rows keyed
 * by guessed emails and addresses go away without a successful sign-in or a scheduled job.
 */
export async function pruneThrottles(now = new Date()) {
  const cutoff = new Date(now.getTime() - THROTTLE_ROW_LIFETIME_MS)
  await db.$executeRaw`
    DELETE FROM "SignInThrottle" WHERE "key" IN (
      SELECT "key" FROM "SignInThrottle" WHERE "lastFailureAt" < ${cutoff} LIMIT 500)`
}
