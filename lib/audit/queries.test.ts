import { beforeAll, describe, expect, it, vi } from 'vitest'
import { audit } from '@/lib/audit/log'
import { getAuditLog } from '@/lib/audit/queries'
import { type AuditParams, parseAuditSearchParams } from '@/lib/audit/search-params'
import { type Caller, loadCaller } from '@/lib/auth/caller'
import { makeStore, makeUser, uniq } from '@/lib/auth/test-fixtures'
import { sessionFor } from '@/lib/auth/testing'
import { db } from '@/lib/db'

vi.mock('server-only', () => ({}))

// The trail as each role reads it: admins everything, a manager their stores' entries and their own.
const tag = `aq-${uniq()}`
let storeA: Awaited<ReturnType<typeof makeStore>>
let storeB: Awaited<ReturnType<typeof makeStore>>
let managerA: Caller
let admin: Caller
let other: Awaited<ReturnType<typeof makeUser>>

const params = (p: Partial<AuditParams> = {}): AuditParams => ({
  page: 1,
  q: tag,
  category: null,
  store: null,
  from: null,
  to: null,
  ...p,
})
const actions = async (caller: Caller, p: Partial<AuditParams> = {}) =>
  (await getAuditLog(caller, params(p))).rows.map((r) => r.action).sort()

beforeAll(async () => {
  storeA = await makeStore({ code: `${tag}-A` })
  storeB = await makeStore({ code: `${tag}-B` })
  const m = await makeUser({ storeIds: [storeA.id] })
  const a = await makeUser({ role: 'ADMIN' })
  other = await makeUser({ storeIds: [storeA.id] })
  managerA = (await loadCaller(sessionFor(m))) as Caller
  admin = (await loadCaller(sessionFor(a))) as Caller
  const as = (u: { id: string; email: string }) => ({ userId: u.id, email: u.email })
  const mUser = { id: managerA.userId, email: managerA.email }
  await audit(db, {
    actor: as(mUser),
    action: 'auth.sign_in',
    entity: 'User',
    entityId: mUser.id,
    details: { tag },
  })
  await audit(db, {
    actor: as(other),
    action: 'auth.sign_in',
    entity: 'User',
    entityId: other.id,
    details: { tag },
  })
  await audit(db, {
    actor: as(mUser),
    action: 'sale.updated',
    entity: 'SaleEvent',
    entityId: `${tag}-order-1`,
    storeId: storeA.id,
    details: { tag, changes: { revenue: { before: '12.50', after: '15.00' } } },
  })
  await audit(db, {
    actor: as(other),
    action: 'upload.committed',
    entity: 'Upload',
    storeId: storeA.id,
    details: { tag, fileName: 'monday.csv' },
  })
  await audit(db, {
    actor: null,
    action: 'submission.batch_failed',
    entity: 'Batch',
    storeId: storeB.id,
    details: { tag },
  })
  await audit(db, {
    actor: { userId: admin.userId, email: admin.email },
    action: 'connection.updated',
    entity: 'ConstructorConnection',
    details: { tag, changes: { apiKey: { before: 'a', after: 'b' } } },
  })
})

describe('the audit trail', () => {
  it('admins read every entry', async () => {
    expect(await actions(admin)).toEqual([
      'auth.sign_in',
      'auth.sign_in',
      'connection.updated',
      'sale.updated',
      'submission.batch_failed',
      'upload.committed',
    ])
  })

  it("a manager reads their stores' entries and their own sign-in, nothing else", async () => {
    const rows = (await getAuditLog(managerA, params())).rows
    expect(rows.map((r) => r.action).sort()).toEqual(['auth.sign_in', 'sale.updated', 'upload.committed'])
    expect(rows.find((r) => r.action === 'auth.sign_in')?.actorId).toBe(managerA.userId)
    // naming the other store changes nothing: the scope comes first
    expect(await actions(managerA, { store: storeB.code })).toEqual([])
  })

  it('filters by kind, store, search text (including details) and date', async () => {
    expect(await actions(admin, { category: 'signins' })).toEqual(['auth.sign_in', 'auth.sign_in'])
    expect(await actions(admin, { category: 'edits' })).toEqual(['sale.updated'])
    expect(await actions(admin, { category: 'submissions' })).toEqual(['submission.batch_failed'])
    expect(await actions(admin, { category: 'settings' })).toEqual(['connection.updated'])
    expect(await actions(admin, { store: storeA.code })).toEqual(['sale.updated', 'upload.committed'])
    expect(await actions(admin, { q: `${tag}-order-1` })).toEqual(['sale.updated'])
    const today = new Date().toISOString().slice(0, 10)
    expect(await actions(admin, { from: '2000-01-01', to: '2000-01-02' })).toEqual([])
    expect((await actions(admin, { from: today, to: today })).length).toBe(6)
    // a search for LIKE's wildcards finds them literally
    expect(await actions(admin, { q: `${tag}%` })).toEqual([])
  })

  it('keeps the before and after of an edit', async () => {
    const row = (await getAuditLog(managerA, params({ category: 'edits' }))).rows[0]
    expect(row?.details).toMatchObject({ changes: { revenue: { before: '12.50', after: '15.00' } } })
    expect(row?.storeCode).toBe(storeA.code)
  })

  it('reads its filters from the URL tolerantly', () => {
    expect(
      parseAuditSearchParams({
        page: '-3',
        category: 'nope',
        from: '2026-02-30',
        to: '2026-02-28',
        q: '  x ',
      }),
    ).toEqual({ page: 1, q: 'x', category: null, store: null, from: null, to: '2026-02-28' })
  })
})
