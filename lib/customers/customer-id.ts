import { createHmac } from 'node:crypto'
import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js'
import { decryptSecret } from '@/lib/crypto/secret-box'

// What leaves for Constructor as `ui`, the shopper's id. Constructor joins in-store sales to online behaviour
// through it, so it must equal what the retailer's website sends, and it must be pseudonymous: an email address
// or a phone number never leaves in clear, whatever the policy (docs/operations.md, "Customer ids").
//
//   AS_IS         send the stored id (a loyalty number the website also uses); an email address or a phone
//                 number is pseudonymised when a secret is set, else left out with a reason
//   PSEUDONYMISE  send hex(HMAC-SHA-256(secret, normalised id)) for every id
//   OMIT          send no customer id
//
// Normalised: trimmed; an email address (also one inside a name, "Jane <jane@x.com>") on its own, lower-cased; a
// phone number in E.164 (+4915112345678), a national number read in the store's country (from its locale), a bare
// run of 10–15 digits that is a valid number taken as one.

export const CUSTOMER_ID_POLICIES = ['AS_IS', 'PSEUDONYMISE', 'OMIT'] as const
export type CustomerIdPolicy = (typeof CUSTOMER_ID_POLICIES)[number]

export type CustomerIdKind = 'email' | 'phone' | 'id'

// an address anywhere in the value ("Jane Doe <jane@example.com>" is an email address too)
const EMAIL = /[^\s@<>()[\],;:"']+@[^\s@<>()[\],;:"']+\.[^\s@<>()[\],;:"']+/
// digits with the separators people write phone numbers with; 7–15 digits (E.164 allows at most 15)
const PHONE_SHAPE = /^\+?[\d\s().\-/]+$/

function regionOf(locale: string | null | undefined): CountryCode | undefined {
  if (!locale) return undefined
  try {
    return (new Intl.Locale(locale).maximize().region as CountryCode | undefined) ?? undefined
  } catch {
    return undefined
  }
}

/**
 * A bare run of 10–15 digits that is a valid number, in the store's country or with a country code in front (a
 * spreadsheet drops the leading + or 0): a phone number. Loyalty and card numbers rarely are; when one is, it is
 * pseudonymised or left out, never sent in clear.
 */
function bareDigitsPhone(digits: string, locale: string | null | undefined): string | null {
  if (digits.length < 10 || digits.length > 15) return null
  const national = parsePhoneNumberFromString(digits, regionOf(locale))
  if (national?.isValid()) return national.number
  const international = parsePhoneNumberFromString(`+${digits}`)
  return international?.isValid() ? international.number : null
}

/**
 * A phone number, as people write one: international (+ or 00), or national with separators or a leading 0
 * (the trunk prefix). A bare run of digits without any of these is an id (loyalty and card numbers look so).
 */
function asPhoneNumber(value: string, locale: string | null | undefined): string | null {
  if (!PHONE_SHAPE.test(value)) return null
  const digits = value.replace(/\D/g, '')
  if (digits.length < 7 || digits.length > 15) return null
  const international = value.startsWith('+') || /^00[1-9]/.test(digits)
  const written = /[\s().\-/]/.test(value) || digits.startsWith('0')
  if (!international && !written) return bareDigitsPhone(digits, locale)
  const text = value.startsWith('+') ? value : /^00[1-9]/.test(digits) ? `+${digits.slice(2)}` : value
  const parsed = parsePhoneNumberFromString(text, regionOf(locale))
  if (parsed?.isPossible()) return parsed.number
  // shaped like a phone number but not one we can place: still never sent in clear
  return international ? `+${digits.replace(/^00/, '')}` : digits
}

/** the id as it is hashed: what a web team reproduces before hashing the same customer's id */
export function normaliseCustomerId(
  raw: string,
  locale?: string | null,
): { value: string; kind: CustomerIdKind } {
  const value = raw.trim()
  const email = EMAIL.exec(value)?.[0]
  if (email) return { value: email.toLowerCase(), kind: 'email' }
  const phone = asPhoneNumber(value, locale)
  if (phone) return { value: phone, kind: 'phone' }
  return { value, kind: 'id' }
}

/** hex(HMAC-SHA-256(secret, normalised id)): `printf %s "$id" | openssl dgst -sha256 -hmac "$secret"` */
export function pseudonymise(normalised: string, secret: string) {
  return createHmac('sha256', secret).update(normalised, 'utf8').digest('hex')
}

export type CustomerIdSettings = { policy: CustomerIdPolicy; secret: string | null }

/** a connection's stored policy; an undecryptable secret is no secret (emails and phones are then left out) */
export function readCustomerIdSettings(row: {
  customerIdPolicy: CustomerIdPolicy
  customerIdSecretCiphertext: string | null
}): CustomerIdSettings {
  let secret: string | null = null
  try {
    secret = row.customerIdSecretCiphertext ? decryptSecret(row.customerIdSecretCiphertext) : null
  } catch {
    secret = null
  }
  return { policy: row.customerIdPolicy, secret }
}

export type OutgoingCustomerId = {
  /** what goes out as `ui`; null: none is sent */
  sent: string | null
  /** why the stored id is not sent as stored (shown on the sale and in the preview); null when it is */
  note: string | null
}

const KIND_LABEL: Record<CustomerIdKind, string> = {
  email: 'an email address',
  phone: 'a phone number',
  id: 'an id',
}

/** what the customer id of a sale becomes on the wire under a connection's policy */
export function outgoingCustomerId(
  stored: string | null | undefined,
  settings: CustomerIdSettings,
  locale?: string | null,
): OutgoingCustomerId {
  if (stored === null || stored === undefined || stored.trim() === '') return { sent: null, note: null }
  if (settings.policy === 'OMIT')
    return { sent: null, note: 'Not sent: the connection is set to send no customer ids.' }
  const { value, kind } = normaliseCustomerId(stored, locale)
  if (settings.policy === 'PSEUDONYMISE') {
    if (!settings.secret)
      return {
        sent: null,
        note: 'Not sent: pseudonymising needs a secret, and none is set on the connection.',
      }
    return { sent: pseudonymise(value, settings.secret), note: 'Sent pseudonymised (HMAC-SHA-256).' }
  }
  if (kind === 'id') return { sent: stored, note: null }
  if (settings.secret)
    return {
      sent: pseudonymise(value, settings.secret),
      note: `Sent pseudonymised: it is ${KIND_LABEL[kind]}.`,
    }
  return {
    sent: null,
    note: `Not sent: it is ${KIND_LABEL[kind]}, which never leaves in clear. Set a pseudonymisation secret on the connection to send it hashed.`,
  }
}

/** an action as the payload builder made it, with `ui` as the policy sends it: what a preview shows */
export function actionAsSent<A extends { data: object }>(
  action: A,
  settings: CustomerIdSettings,
  locale?: string | null,
): { action: A; stored: string | null; outgoing: OutgoingCustomerId } {
  const { ui, ...rest } = action.data as { ui?: string }
  const outgoing = outgoingCustomerId(ui, settings, locale)
  const data = outgoing.sent === null ? rest : { ...rest, ui: outgoing.sent }
  return { action: { ...action, data }, stored: ui ?? null, outgoing }
}
