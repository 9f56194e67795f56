// What never leaves in clear, wherever a record of what happened is written (the audit trail and every log
// line, web and worker alike): secrets, and customers' ids (an id may be an email address or a phone number).
// Keys that name one are replaced; so is anything shaped like our ciphertext, a password hash or a credential.

const SECRET_KEY = /token|password|secret|ciphertext|hash|authorization|cookie|encryption|credential/i
/** a customer's id, as we name it (customerId) and as Constructor does (ui) */
const CUSTOMER_KEY = /^(customer[-_ ]?ids?|ui|user[-_]?id)$/i
// keys that look secret by name but are safe to keep (the hint is the last 4 characters by design)
const ALLOWED_KEYS = new Set([
  'tokenHint',
  'tokenChanged',
  'tokenSet',
  'mustChangePassword',
  'passwordReset',
  'secretChanged',
  'secretGenerated',
])
const SECRET_VALUE = [/^v1\.[\w-]+\.[\w-]+\.[\w-]*$/, /^\$argon2/, /^Basic\s/i, /^Bearer\s/i]
export const REDACTED = '[redacted]'

function isRedactedKey(key: string) {
  return (SECRET_KEY.test(key) && !ALLOWED_KEYS.has(key)) || CUSTOMER_KEY.test(key)
}

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return REDACTED
  if (typeof value === 'string') return SECRET_VALUE.some((re) => re.test(value)) ? REDACTED : value
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1))
  if (value instanceof Date) return value.toISOString()
  if (value instanceof Error) {
    // what the error serializer would show, redacted like the rest; a database error's `detail`, `where` and
    // `internalQuery` quote row values ("Failing row contains (…)", a COPY line) and are left out
    const {
      name,
      message,
      stack,
      detail: _d,
      where: _w,
      internalQuery: _q,
      ...own
    } = value as Error & Record<string, unknown>
    return { type: name, message: redact(message, depth + 1), stack, ...(redact(own, depth + 1) as object) }
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = isRedactedKey(k) ? REDACTED : redact(v, depth + 1)
    return out
  }
  if (typeof value === 'bigint') return value.toString()
  return value
}
