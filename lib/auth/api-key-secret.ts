import { createHash, randomBytes } from 'node:crypto'

// Making and hashing a sales feed key: no database, no server-only guard (the benchmarks seed keys with it).

export function hashApiKey(key: string) {
  return createHash('sha256').update(key, 'utf8').digest('hex')
}

/** a new key: shown once to the admin, never stored (only its prefix and hash) */
export function newApiKey() {
  const prefix = `sfk_${randomBytes(4).toString('hex')}`
  const key = `${prefix}_${randomBytes(32).toString('base64url')}`
  return { key, prefix, secretHash: hashApiKey(key) }
}
