import { describe, expect, it } from 'vitest'
import { contentSecurityPolicy, newNonce, strictTransportSecurity } from '@/lib/http/security-headers'

describe('security headers', () => {
  it('lets only scripts with this response’s nonce run: no inline script without it, no eval in production', () => {
    const nonce = newNonce()
    const csp = contentSecurityPolicy({ nonce, dev: false })
    const scripts = csp.split('; ').find((d) => d.startsWith('script-src')) ?? ''
    expect(scripts).toContain(`'nonce-${nonce}'`)
    expect(scripts).toContain("'strict-dynamic'")
    expect(scripts).not.toContain('unsafe-inline')
    expect(scripts).not.toContain('unsafe-eval')
    expect(csp).toContain("frame-ancestors 'none'")
  })

  it('makes a new nonce every time', () => {
    const seen = new Set(Array.from({ length: 1000 }, newNonce))
    expect(seen.size).toBe(1000)
    expect(newNonce()).toMatch(/^[A-Za-z0-9+/]{22}==$/)
  })

  it('asks for HSTS only when the app is served over https', () => {
    expect(strictTransportSecurity('https://sync.example.com')).toMatch(/^max-age=\d{8}; includeSubDomains$/)
    expect(strictTransportSecurity('http://127.0.0.1:3000')).toBeNull()
    expect(strictTransportSecurity(undefined)).toBeNull()
  })
})
