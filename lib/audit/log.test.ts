import { describe, expect, it } from 'vitest'
import { audit, diff, REDACTED, redact } from '@/lib/audit/log'
import { encryptSecret } from '@/lib/crypto/secret-box'
import { db } from '@/lib/db'

const KEY = 'a'.repeat(64)

describe('audit log', () => {
  it('redacts secrets by key name and by shape, keeps the token hint', () => {
    const out = redact({
      token: 'sbx_secret',
      nested: { password: 'p', apiToken: 'x', passwordHash: '$argon2id$v=19$...' },
      tokenHint: 'a1b2',
      note: encryptSecret('sbx_secret', KEY),
      header: 'Basic c2J4Og==',
      keep: 'plain',
    })
    expect(out).toEqual({
      token: REDACTED,
      nested: { password: REDACTED, apiToken: REDACTED, passwordHash: REDACTED },
      tokenHint: 'a1b2',
      note: REDACTED,
      header: REDACTED,
      keep: 'plain',
    })
  })

  it('diffs only what changed', () => {
    expect(diff({ a: 1, b: 'x' }, { a: 2, b: 'x' }, ['a', 'b'])).toEqual({ a: { before: 1, after: 2 } })
  })

  it('writes who, what and the redacted details', async () => {
    const entityId = `audit-test-${Date.now()}`
    await audit(db, {
      actor: { userId: null, email: 'someone@test.store' },
      action: 'test.thing',
      entity: 'Test',
      entityId,
      details: { after: { token: 'leak-me-not' } },
    })
    const row = await db.auditLog.findFirstOrThrow({ where: { entityId } })
    expect(row).toMatchObject({ actorEmail: 'someone@test.store', action: 'test.thing' })
    expect(JSON.stringify(row.details)).not.toContain('leak-me-not')
  })
})
