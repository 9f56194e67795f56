import 'server-only'
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { env } from '@/lib/env'

// A device cookie (OWASP "device cookies"): issued at a successful sign-in, signed for that account.
// Presented again, it lets its holder past the account's delay for unknown sources; its failures
// count on the device's own key. Without AUTH_SECRET none is issued or accepted.
export const DEVICE_COOKIE = 'sf-device'
export const DEVICE_COOKIE_MAX_AGE_S = 365 * 24 * 60 * 60

function signature(userId: string, deviceId: string, secret: string) {
  return createHmac('sha256', secret).update(`sign-in-device:${userId}:${deviceId}`).digest('base64url')
}

/** a new cookie value for this account, or null without a secret */
export function issueDevice(userId: string): string | null {
  const secret = env().AUTH_SECRET
  if (!secret) return null
  const deviceId = randomBytes(16).toString('base64url')
  return `${deviceId}.${signature(userId, deviceId, secret)}`
}

/** the device id if the cookie was issued to this account, else null */
export function verifiedDevice(userId: string | undefined, cookie: string | null | undefined): string | null {
  const secret = env().AUTH_SECRET
  if (!secret || !userId || !cookie || cookie.length > 200) return null
  const [deviceId = '', sig = '', extra] = cookie.split('.')
  if (!deviceId || !sig || extra !== undefined) return null
  const expected = Buffer.from(signature(userId, deviceId, secret))
  const given = Buffer.from(sig)
  return given.length === expected.length && timingSafeEqual(given, expected) ? deviceId : null
}
