import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { decryptSecret, encryptSecret } from './secret-box'

const key = randomBytes(32).toString('hex')

describe('secret box', () => {
  it('round-trips a secret and never stores it in clear', () => {
    const box = encryptSecret('tok_live_a1b2', key)
    expect(box).not.toContain('tok_live_a1b2')
    expect(decryptSecret(box, key)).toBe('tok_live_a1b2')
  })

  it('refuses a tampered ciphertext or another key without echoing either', () => {
    const box = encryptSecret('secret-value', key)
    const tampered = `${box.slice(0, -2)}AA`
    expect(() => decryptSecret(tampered, key)).toThrow(/could not be decrypted/)
    expect(() => decryptSecret(box, randomBytes(32).toString('hex'))).toThrow(/could not be decrypted/)
  })
})
