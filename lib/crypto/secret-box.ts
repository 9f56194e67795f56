import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { decodeKey, env } from '@/lib/env'

// AES-256-GCM for secrets at rest. Format: v1.<iv>.<tag>.<ciphertext>, each base64url.
function key(raw = env().ENCRYPTION_KEY) {
  const k = raw ? decodeKey(raw) : null
  if (!k) throw new Error('ENCRYPTION_KEY is missing or not 32 bytes: secrets cannot be encrypted or read')
  return k
}

export function encryptSecret(plain: string, rawKey?: string) {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key(rawKey), iv)
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
  const tag = cipher.getAuthTag()
  return ['v1', iv.toString('base64url'), tag.toString('base64url'), data.toString('base64url')].join('.')
}

export function decryptSecret(box: string, rawKey?: string) {
  const [version, iv, tag, data] = box.split('.')
  if (version !== 'v1' || !iv || !tag || data === undefined)
    throw new Error('Stored secret has an unknown format')
  const decipher = createDecipheriv('aes-256-gcm', key(rawKey), Buffer.from(iv, 'base64url'))
  decipher.setAuthTag(Buffer.from(tag, 'base64url'))
  try {
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8')
  } catch {
    // never echo the ciphertext or key material
    throw new Error('Stored secret could not be decrypted: was ENCRYPTION_KEY changed without re-encrypting?')
  }
}

export function secretHint(plain: string) {
  return plain.slice(-4)
}
