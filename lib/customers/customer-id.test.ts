import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import {
  actionAsSent,
  normaliseCustomerId,
  outgoingCustomerId,
  pseudonymise,
} from '@/lib/customers/customer-id'

// the documented formula, computed by another implementation than ours
const openssl = (value: string, secret: string) =>
  execFileSync('openssl', ['dgst', '-sha256', '-hmac', secret], { input: value, encoding: 'utf8' })
    .trim()
    .split(/\s+/)
    .pop()

const SECRET = 'web-team-shared-secret-0123456789'

describe('customer ids', () => {
  it('normalises as documented: trim, email lower-cased, phone numbers in E.164', () => {
    expect(normaliseCustomerId('  Jane.Doe@Example.COM ')).toEqual({
      value: 'jane.doe@example.com',
      kind: 'email',
    })
    expect(normaliseCustomerId('+49 151 1234 5678')).toEqual({ value: '+4915112345678', kind: 'phone' })
    expect(normaliseCustomerId('0049 151 12345678')).toEqual({ value: '+4915112345678', kind: 'phone' })
    expect(normaliseCustomerId('0151 1234 5678', 'de-DE')).toEqual({ value: '+4915112345678', kind: 'phone' })
    expect(normaliseCustomerId('(212) 555-0123', 'en-US')).toEqual({ value: '+12125550123', kind: 'phone' })
    // an address inside a name, and numbers a spreadsheet stripped of their + or leading 0
    expect(normaliseCustomerId('Jane Doe <Jane.Doe@Example.com>')).toEqual({
      value: 'jane.doe@example.com',
      kind: 'email',
    })
    expect(normaliseCustomerId('4915112345678')).toEqual({ value: '+4915112345678', kind: 'phone' })
    expect(normaliseCustomerId('2125550123', 'en-US')).toEqual({ value: '+12125550123', kind: 'phone' })
    // loyalty and card numbers are ids
    expect(normaliseCustomerId('LOYAL-00042')).toEqual({ value: 'LOYAL-00042', kind: 'id' })
    expect(normaliseCustomerId('4711000123456')).toEqual({ value: '4711000123456', kind: 'id' })
  })

  it('pseudonymises with HMAC-SHA-256 in hex, exactly as openssl computes it', () => {
    for (const v of ['jane.doe@example.com', '+4915112345678', 'LOYAL-00042', 'Zoë 😀'])
      expect(pseudonymise(v, SECRET)).toBe(openssl(v, SECRET))
  })

  it('send as is: ids go out as stored; an email or phone goes out hashed with a secret, else not at all', () => {
    const asIs = { policy: 'AS_IS' as const, secret: null }
    expect(outgoingCustomerId('LOYAL-00042', asIs)).toEqual({ sent: 'LOYAL-00042', note: null })
    for (const v of ['jane@example.com', '+49 151 1234 5678']) {
      const r = outgoingCustomerId(v, asIs)
      expect(r.sent).toBeNull()
      expect(r.note).toMatch(/^Not sent: it is (an email address|a phone number)/)
    }
    const withSecret = { policy: 'AS_IS' as const, secret: SECRET }
    expect(outgoingCustomerId('Jane@Example.com', withSecret).sent).toBe(openssl('jane@example.com', SECRET))
    expect(outgoingCustomerId('LOYAL-00042', withSecret).sent).toBe('LOYAL-00042')
  })

  it('pseudonymise hashes every id; no secret means none is sent; don’t send sends none', () => {
    expect(outgoingCustomerId(' LOYAL-00042 ', { policy: 'PSEUDONYMISE', secret: SECRET }).sent).toBe(
      openssl('LOYAL-00042', SECRET),
    )
    expect(outgoingCustomerId('LOYAL-00042', { policy: 'PSEUDONYMISE', secret: null }).sent).toBeNull()
    expect(outgoingCustomerId('jane@example.com', { policy: 'OMIT', secret: SECRET })).toMatchObject({
      sent: null,
    })
    expect(outgoingCustomerId(null, { policy: 'AS_IS', secret: null })).toEqual({ sent: null, note: null })
  })

  it('a preview shows the action with ui as it will be sent, and the stored id beside it', () => {
    const action = { action: 'purchase', data: { _dt: 1, ui: 'Jane@Example.com', order_id: 'R-1' } }
    const hidden = actionAsSent(action, { policy: 'AS_IS', secret: null })
    expect(hidden.action.data).toEqual({ _dt: 1, order_id: 'R-1' })
    expect(hidden.stored).toBe('Jane@Example.com')
    const hashed = actionAsSent(action, { policy: 'AS_IS', secret: SECRET })
    expect(hashed.action.data).toEqual({ _dt: 1, order_id: 'R-1', ui: openssl('jane@example.com', SECRET) })
    expect(
      actionAsSent({ action: 'purchase', data: { ui: 'L-1' } }, { policy: 'AS_IS', secret: null }).action,
    ).toEqual({
      action: 'purchase',
      data: { ui: 'L-1' },
    })
  })
})
