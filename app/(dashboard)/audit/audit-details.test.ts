import { describe, expect, it } from 'vitest'
import { readDetails } from './audit-details'

describe('audit details as people read them', () => {
  it('lists changes as before → after, whatever shape the writer used', () => {
    expect(readDetails({ changes: { revenue: { before: '1', after: '2' } }, reason: 'typo' })).toEqual({
      changes: [{ field: 'revenue', before: '1', after: '2' }],
      context: [['reason', 'typo']],
    })
    expect(readDetails({ before: { a: 1, b: 2 }, after: { a: 1, b: 3, c: 4 } }).changes).toEqual([
      { field: 'b', before: 2, after: 3 },
      { field: 'c', before: undefined, after: 4 },
    ])
    expect(readDetails({ after: { code: 'NYC' } }).changes).toEqual([
      { field: 'code', before: undefined, after: 'NYC' },
    ])
  })

  it('shows a redacted field that changed (a customer id), though its two values read the same', () => {
    expect(
      readDetails({
        before: { customerId: '[redacted]', version: 1 },
        after: { customerId: '[redacted]', version: 2 },
      }).changes,
    ).toEqual([
      { field: 'customerId', before: '[redacted]', after: '[redacted]' },
      { field: 'version', before: 1, after: 2 },
    ])
  })

  it('reads a field recorded directly as { before, after }', () => {
    expect(readDetails({ mustChangePassword: { before: true, after: false } })).toEqual({
      changes: [{ field: 'mustChangePassword', before: true, after: false }],
      context: [],
    })
  })

  it('keeps plain context and tolerates nothing at all', () => {
    expect(readDetails({ ok: true })).toEqual({ changes: [], context: [['ok', true]] })
    expect(readDetails(null)).toEqual({ changes: [], context: [] })
    expect(readDetails({ before: 'x' })).toEqual({ changes: [], context: [['before', 'x']] })
  })
})
