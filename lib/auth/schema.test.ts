import { describe, expect, it } from 'vitest'
import { safeNextPath } from '@/lib/auth/schema'

describe('safeNextPath', () => {
  it('keeps a path on this site, with its query', () => {
    expect(safeNextPath('/sales?status=READY&page=2')).toBe('/sales?status=READY&page=2')
    expect(safeNextPath('/batches/0192f0aa-0000-7000-8000-000000000000')).toBe(
      '/batches/0192f0aa-0000-7000-8000-000000000000',
    )
  })

  it('falls back to / for other hosts, the sign-in page and the API', () => {
    for (const next of [
      undefined,
      null,
      '',
      'https://evil.example',
      '//evil.example',
      '/\\evil.example',
      '/login',
      '/api/health',
      '/./login',
      '/sales/../api/health',
    ])
      expect(safeNextPath(next)).toBe('/')
  })

  it('falls back to / for control characters (a newline in a redirect header is a 500 or a header injection)', () => {
    for (const next of [
      '/sales\n',
      '/sales\r\nSet-Cookie: a=b',
      '/\n/evil.example',
      '/sales\t',
      '/a\u0000b',
      '/a\u007fb',
    ])
      expect(safeNextPath(next)).toBe('/')
  })

  it('percent-encodes characters a header cannot carry', () => {
    expect(safeNextPath('/sales?search=Köln Süd')).toBe('/sales?search=K%C3%B6ln%20S%C3%BCd')
    expect(safeNextPath('/sales?search=\u2028')).toBe('/sales?search=%E2%80%A8')
  })
})
