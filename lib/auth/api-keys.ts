import 'server-only'
import { timingSafeEqual } from 'node:crypto'
import { db } from '@/lib/db'
import { env } from '@/lib/env'
import { hashApiKey } from './api-key-secret'

export { hashApiKey, newApiKey } from './api-key-secret'

// Sales feed keys: "sfk_<8 hex>_<43 base64url>" (256 random bits). The first part is the prefix shown in
// Settings and the row's lookup key; the row keeps only the SHA-256 of the whole key (a high-entropy random
// key needs no slow password hash), compared in constant time.

const KEY_FORMAT = /^(sfk_[0-9a-f]{8})_[A-Za-z0-9_-]{43}$/

/** the caller of a key-door route: the key and the active stores it may write */
export type KeyCaller = { keyId: string; prefix: string; name: string; storeIds: string[] }

export type KeyCheck =
  | { ok: true; key: KeyCaller }
  | { ok: false; reason: 'unauthorized' }
  | { ok: false; reason: 'rateLimited'; retryAfterSeconds: number }

/** the key an HTTP request presents: "Authorization: Bearer <key>" */
export function presentedKey(headers: Headers): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(headers.get('authorization') ?? '')
  return m?.[1] ?? null
}

// compared against when no row matches, so a made-up prefix costs the same as a real one
const NO_KEY_HASH = hashApiKey('sfk_00000000_no-such-key')

/**
 * Checks a presented key and counts the request against the key's limit per minute, in one statement that
 * also records when the key was last used. Missing, malformed, unknown, wrong and revoked keys all get the
 * same answer.
 */
export async function checkApiKey(presented: string | null): Promise<KeyCheck> {
  const m = presented ? KEY_FORMAT.exec(presented) : null
  const rows = m
    ? await db.$queryRaw<{ id: string; name: string; secretHash: string; revoked: boolean }[]>`
        SELECT id::text, name, "secretHash", ("revokedAt" IS NOT NULL) AS revoked FROM "ApiKey" WHERE prefix = ${m[1]}`
    : []
  const row = rows[0]
  const given = Buffer.from(hashApiKey(presented ?? ''), 'hex')
  const stored = Buffer.from(row?.secretHash ?? NO_KEY_HASH, 'hex')
  const matches = timingSafeEqual(given, stored)
  if (!row || !matches || row.revoked) return { ok: false, reason: 'unauthorized' }
  const limit = env().FEED_RATE_PER_MINUTE
  // a fixed one-minute window per key, kept on the key's row: the row lock orders concurrent requests
  const [counted] = await db.$queryRaw<{ count: number; retryAfter: number; storeIds: string[] }[]>`
    UPDATE "ApiKey" k SET
      "rateCount" = CASE WHEN k."rateWindowStart" <= now() - interval '1 minute' THEN 1 ELSE k."rateCount" + 1 END,
      "rateWindowStart" = CASE WHEN k."rateWindowStart" <= now() - interval '1 minute' THEN now() ELSE k."rateWindowStart" END,
      "lastUsedAt" = now()
    WHERE k.id = ${row.id}::uuid AND k."revokedAt" IS NULL
    RETURNING k."rateCount" AS count,
      ceil(extract(epoch FROM k."rateWindowStart" + interval '1 minute' - now()))::int AS "retryAfter",
      ARRAY(SELECT s."storeId"::text FROM "ApiKeyStore" s JOIN "Store" st ON st.id = s."storeId"
            WHERE s."keyId" = k.id AND st.active ORDER BY s."storeId") AS "storeIds"`
  // revoked between the two statements
  if (!counted) return { ok: false, reason: 'unauthorized' }
  if (counted.count > limit)
    return { ok: false, reason: 'rateLimited', retryAfterSeconds: Math.max(1, counted.retryAfter) }
  return {
    ok: true,
    key: { keyId: row.id, prefix: m?.[1] as string, name: row.name, storeIds: counted.storeIds },
  }
}
