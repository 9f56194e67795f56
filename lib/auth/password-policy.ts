import 'server-only'
import fs from 'node:fs'
import path from 'node:path'
import { PASSWORD_MAX, PASSWORD_MIN } from '@/lib/users/schema'

// NIST SP 800-63B style: length, not composition rules; refuse passwords from breach lists.
// The list (lib/auth/common-passwords.txt) is the 10,000 most common passwords of zxcvbn-ts's
// frequency list (MIT) plus every longer entry of it, one per line, lower case.
let common: Set<string> | undefined
function commonPasswords() {
  common ??= new Set(
    fs
      .readFileSync(path.join(process.cwd(), 'lib/auth/common-passwords.txt'), 'utf8')
      .split('\n')
      .map((l) => l.trim().toLowerCase())
      .filter(Boolean),
  )
  return common
}

/** the password with the decorations people add to a common one: digits and symbols around it */
function cores(password: string) {
  const lower = password.toLowerCase()
  const stripped = lower.replace(/^[\d\W_]+/, '').replace(/[\d\W_]+$/, '')
  return [lower, stripped, lower.replace(/[\W_]+/g, '')].filter((s) => s.length >= 4)
}

/** null when acceptable, else a message the person can act on */
export function passwordProblem(password: string, context: { email?: string; name?: string } = {}) {
  const chars = [...password].length
  if (chars < PASSWORD_MIN) return `Use at least ${PASSWORD_MIN} characters`
  if (chars > PASSWORD_MAX) return `Use at most ${PASSWORD_MAX} characters`
  const list = commonPasswords()
  if (cores(password).some((c) => list.has(c)))
    return 'This password is too common: choose a longer phrase nobody would guess'
  if (new Set(password).size < 4) return 'This password repeats too few characters: choose a longer phrase'
  const local = context.email?.split('@')[0]?.toLowerCase()
  if (local && local.length >= 4 && password.toLowerCase().includes(local))
    return 'Do not use your email address in your password'
  return null
}
