import { describe, expect, it, vi } from 'vitest'

vi.mock('server-only', () => ({}))

import { passwordProblem } from '@/lib/auth/password-policy'

describe('password policy', () => {
  it('refuses short passwords and accepts 64 characters and more', () => {
    expect(passwordProblem('short-pass1')).toMatch(/at least 12/)
    expect(passwordProblem('a'.repeat(10) + 'bcdefghij'.repeat(6))).toBeNull()
    expect(passwordProblem('x'.repeat(129))).toMatch(/at most/)
  })

  it('refuses common passwords, also with digits or symbols around them', () => {
    for (const p of ['password1234', 'qwertyuiop123', '123456789012', 'iloveyou!!!!2024', 'administrator'])
      expect(passwordProblem(p), p).toMatch(/too common/)
  })

  it('accepts a long phrase nobody would guess', () => {
    expect(passwordProblem('correct horse battery staple')).toBeNull()
    expect(passwordProblem('velvet-otter-31-lantern')).toBeNull()
  })

  it('refuses a password that contains the email name', () => {
    expect(passwordProblem('nora.manager-2024-x', { email: 'nora.manager@demo.store' })).toMatch(/email/)
  })
})
