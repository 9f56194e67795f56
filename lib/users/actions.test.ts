import { describe, expect, it, vi } from 'vitest'
import { MESSAGES } from '@/lib/auth/action'
import { getCaller } from '@/lib/auth/caller'
import { verifyCredentials } from '@/lib/auth/credentials'
import { changePasswordAction } from '@/lib/auth/sign-in/actions'
import { makeStore, makeUser, signedIn, uniq } from '@/lib/auth/test-fixtures'
import { runAs } from '@/lib/auth/testing'
import { db } from '@/lib/db'
import {
  createUserAction,
  resetPasswordAction,
  setUserActiveAction,
  updateUserAccessAction,
} from '@/lib/users/actions'

vi.mock('server-only', () => ({}))

const ip = '192.0.2.77'

describe('user settings', () => {
  it('creates a manager with a temporary password that must be changed at first sign-in', async () => {
    const admin = await makeUser({ role: 'ADMIN' })
    const store = await makeStore()
    const email = `New.Person-${uniq()}@Test.Store`
    const temporaryPassword = 'lantern-otter-velvet-9'
    const created = await runAs(signedIn(admin), () =>
      createUserAction({
        email,
        name: 'New Person',
        role: 'MANAGER',
        storeIds: [store.id],
        temporaryPassword,
      }),
    )
    expect(created).toMatchObject({ ok: true, data: { email: email.toLowerCase() } })
    const signIn = await verifyCredentials({ email, password: temporaryPassword, ip })
    expect(signIn.ok).toBe(true)
    if (!signIn.ok) return
    const session = signedIn(signIn.user)
    expect(await runAs(session, () => getCaller())).toMatchObject({
      mustChangePassword: true,
      storeIds: [store.id],
    })

    const changed = await runAs(session, () =>
      changePasswordAction({
        currentPassword: temporaryPassword,
        newPassword: 'my own quiet harbour 42',
        confirmPassword: 'my own quiet harbour 42',
      }),
    )
    expect(changed).toEqual({ ok: true, data: null })
    const user = await db.user.findUniqueOrThrow({ where: { id: signIn.user.id } })
    expect(user.mustChangePassword).toBe(false)
    // the old session (temporary password) is over
    expect(await runAs(session, () => getCaller())).toBeNull()
    const trail = await db.auditLog.findMany({ where: { entityId: user.id } })
    expect(JSON.stringify(trail)).not.toContain(temporaryPassword)
  })

  it('refuses common and short passwords, and a manager without a store', async () => {
    const admin = await makeUser({ role: 'ADMIN' })
    const store = await makeStore()
    const base = {
      email: `p-${uniq()}@test.store`,
      name: 'P',
      role: 'MANAGER' as const,
      storeIds: [store.id],
    }
    const common = await runAs(signedIn(admin), () =>
      createUserAction({ ...base, temporaryPassword: 'password1234' }),
    )
    expect(common).toMatchObject({
      ok: false,
      fieldErrors: { temporaryPassword: [expect.stringMatching(/common/)] },
    })
    const short = await runAs(signedIn(admin), () =>
      createUserAction({ ...base, temporaryPassword: 'short' }),
    )
    expect(short).toMatchObject({ ok: false, fieldErrors: { temporaryPassword: [expect.any(String)] } })
    const noStore = await runAs(signedIn(admin), () =>
      createUserAction({ ...base, storeIds: [], temporaryPassword: 'lantern-otter-velvet-9' }),
    )
    expect(noStore).toMatchObject({ ok: false, fieldErrors: { storeIds: [expect.any(String)] } })
    expect(await db.user.findUnique({ where: { email: base.email } })).toBeNull()
  })

  it('a change of stores, a password reset or deactivation ends the session at its next request', async () => {
    const admin = await makeUser({ role: 'ADMIN' })
    const [a, b] = [await makeStore(), await makeStore()]
    const manager = await makeUser({ storeIds: [a.id] })

    let session = signedIn(manager)
    expect(
      await runAs(signedIn(admin), () =>
        updateUserAccessAction({ userId: manager.id, role: 'MANAGER', storeIds: [b.id] }),
      ),
    ).toMatchObject({ ok: true })
    expect(await runAs(session, () => getCaller())).toBeNull()
    session = signedIn(await db.user.findUniqueOrThrow({ where: { id: manager.id } }))
    expect((await runAs(session, () => getCaller()))?.storeIds).toEqual([b.id])

    expect(
      await runAs(signedIn(admin), () =>
        resetPasswordAction({ userId: manager.id, temporaryPassword: 'reset-lantern-otter-1' }),
      ),
    ).toMatchObject({ ok: true })
    expect(await runAs(session, () => getCaller())).toBeNull()
    const afterReset = await db.user.findUniqueOrThrow({ where: { id: manager.id } })
    expect(afterReset.mustChangePassword).toBe(true)

    session = signedIn(afterReset)
    expect(
      await runAs(signedIn(admin), () => setUserActiveAction({ userId: manager.id, active: false })),
    ).toMatchObject({
      ok: true,
    })
    expect(await runAs(session, () => getCaller())).toBeNull()
    expect(
      (await verifyCredentials({ email: manager.email, password: 'reset-lantern-otter-1', ip })).ok,
    ).toBe(false)

    const trail = await db.auditLog.findMany({ where: { entityId: manager.id }, orderBy: { at: 'asc' } })
    expect(trail.map((t) => t.action)).toEqual(
      expect.arrayContaining(['user.access_changed', 'user.password_reset', 'user.deactivated']),
    )
    expect(trail.find((t) => t.action === 'user.access_changed')?.details).toMatchObject({
      changes: { stores: { before: [a.code], after: [b.code] } },
    })
  })

  it('an admin cannot deactivate or demote themselves', async () => {
    const admin = await makeUser({ role: 'ADMIN' })
    const r = await runAs(signedIn(admin), () => setUserActiveAction({ userId: admin.id, active: false }))
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/own account/) })
    const store = await makeStore()
    const d = await runAs(signedIn(admin), () =>
      updateUserAccessAction({ userId: admin.id, role: 'MANAGER', storeIds: [store.id] }),
    )
    expect(d).toMatchObject({ ok: false, error: expect.stringMatching(/own account/) })
  })

  it('a manager is refused with a message they can act on', async () => {
    const store = await makeStore()
    const manager = await makeUser({ storeIds: [store.id] })
    const r = await runAs(signedIn(manager), () => setUserActiveAction({ userId: manager.id, active: true }))
    expect(r).toEqual({ ok: false, error: MESSAGES.forbidden })
  })
})
