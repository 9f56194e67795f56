import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import { ActionError, authorizedAction, MESSAGES, scopeWhere } from '@/lib/auth/action'
import { getCaller } from '@/lib/auth/caller'
import { ABSOLUTE_TIMEOUT_MS, IDLE_TIMEOUT_MS } from '@/lib/auth/session-policy'
import { makeStore, makeUser, signedIn } from '@/lib/auth/test-fixtures'
import { runAs } from '@/lib/auth/testing'
import { db } from '@/lib/db'

vi.mock('server-only', () => ({}))

// A store-scoped action like the ones other domains build: renames a store's event's order id.
const touchStore = authorizedAction({
  name: 'test.touchStore',
  access: ['ADMIN', 'MANAGER'],
  schema: z.object({ storeId: z.uuid(), name: z.string().min(3, 'Name too short') }),
  storeScope: (input) => input.storeId,
  handler: async (input) => {
    const s = await db.store.update({ where: { id: input.storeId }, data: { name: input.name } })
    return { name: s.name }
  },
})

let storeA: Awaited<ReturnType<typeof makeStore>>
let storeB: Awaited<ReturnType<typeof makeStore>>
beforeAll(async () => {
  storeA = await makeStore()
  storeB = await makeStore()
})

describe('authorizedAction', () => {
  it('refuses anonymous callers before parsing or touching anything', async () => {
    const r = await runAs(null, () => touchStore({ storeId: storeA.id, name: 'x' }))
    expect(r).toEqual({ ok: false, error: MESSAGES.signedOut })
  })

  it('lets a manager change their own store and refuses another or a guessed id, unchanged', async () => {
    const manager = await makeUser({ storeIds: [storeA.id] })
    const own = await runAs(signedIn(manager), () => touchStore({ storeId: storeA.id, name: 'Renamed A' }))
    expect(own).toEqual({ ok: true, data: { name: 'Renamed A' } })
    const other = await runAs(signedIn(manager), () => touchStore({ storeId: storeB.id, name: 'Stolen B' }))
    expect(other).toEqual({ ok: false, error: MESSAGES.notFound })
    expect((await db.store.findUniqueOrThrow({ where: { id: storeB.id } })).name).toBe('Test store')
    const guessed = await runAs(signedIn(manager), () => touchStore({ storeId: randomUUID(), name: 'Ghost' }))
    expect(guessed).toEqual({ ok: false, error: MESSAGES.notFound })
  })

  it("gives one answer for another store's real record and a made-up one (no existence oracle)", async () => {
    // scoped by a record's store, as the sales and upload actions are: null when the record does not exist
    const touchEvent = authorizedAction({
      name: 'test.touchEvent',
      access: ['ADMIN', 'MANAGER'],
      schema: z.object({ storeId: z.uuid() }),
      storeScope: async (input) =>
        (await db.store.findUnique({ where: { id: input.storeId }, select: { id: true } }))?.id ?? null,
      handler: async () => 'touched',
    })
    const manager = await makeUser({ storeIds: [storeA.id] })
    const real = await runAs(signedIn(manager), () => touchEvent({ storeId: storeB.id }))
    const madeUp = await runAs(signedIn(manager), () => touchEvent({ storeId: randomUUID() }))
    expect(real.ok).toBe(false)
    expect(real).toEqual(madeUp)
  })

  it('returns field errors from the schema', async () => {
    const admin = await makeUser({ role: 'ADMIN' })
    const r = await runAs(signedIn(admin), () => touchStore({ storeId: storeA.id, name: 'x' }))
    expect(r).toEqual({ ok: false, error: 'Name too short', fieldErrors: { name: ['Name too short'] } })
  })

  it('enforces roles', async () => {
    const adminOnly = authorizedAction({
      name: 'test.adminOnly',
      access: ['ADMIN'],
      schema: z.object({}),
      handler: async () => 'done',
    })
    const manager = await makeUser({ storeIds: [storeA.id] })
    const admin = await makeUser({ role: 'ADMIN' })
    expect(await runAs(signedIn(manager), () => adminOnly({}))).toEqual({
      ok: false,
      error: MESSAGES.forbidden,
    })
    expect(await runAs(signedIn(admin), () => adminOnly({}))).toEqual({ ok: true, data: 'done' })
  })

  it('revokes on the very next call: deactivation, role change (sessionVersion) and store deactivation', async () => {
    const manager = await makeUser({ storeIds: [storeA.id] })
    const session = signedIn(manager)
    expect((await runAs(session, () => getCaller()))?.storeIds).toEqual([storeA.id])
    await db.user.update({ where: { id: manager.id }, data: { sessionVersion: { increment: 1 } } })
    expect(await runAs(session, () => getCaller())).toBeNull()

    const other = await makeUser({ storeIds: [storeA.id] })
    await db.user.update({ where: { id: other.id }, data: { active: false } })
    expect(await runAs(signedIn(other), () => touchStore({ storeId: storeA.id, name: 'Nope' }))).toEqual({
      ok: false,
      error: MESSAGES.signedOut,
    })

    const closed = await makeStore({ active: false })
    const third = await makeUser({ storeIds: [closed.id] })
    expect((await runAs(signedIn(third), () => getCaller()))?.storeIds).toEqual([])
  })

  it('ends idle and too-old sessions', async () => {
    const user = await makeUser({ role: 'ADMIN' })
    const now = Date.now()
    const idle = { ...signedIn(user), lastActiveAt: now - IDLE_TIMEOUT_MS - 1000 }
    const old = { ...signedIn(user), signedInAt: now - ABSOLUTE_TIMEOUT_MS - 1000 }
    expect(await runAs(idle, () => getCaller())).toBeNull()
    expect(await runAs(old, () => getCaller())).toBeNull()
    expect(await runAs(signedIn(user), () => getCaller())).toMatchObject({ role: 'ADMIN', allStores: true })
  })

  it('only the password change runs while a temporary password is in use', async () => {
    const user = await makeUser({ storeIds: [storeA.id], mustChangePassword: true })
    const r = await runAs(signedIn(user), () => touchStore({ storeId: storeA.id, name: 'Temp' }))
    expect(r).toEqual({ ok: false, error: MESSAGES.passwordChange })
  })

  it('never throws to the client: ActionError becomes its message, anything else a generic one', async () => {
    const admin = await makeUser({ role: 'ADMIN' })
    const failing = authorizedAction({
      name: 'test.failing',
      access: 'signed-in',
      schema: z.object({ kind: z.enum(['known', 'bug']) }),
      handler: async ({ kind }) => {
        if (kind === 'known') throw new ActionError('Pick another date.', { date: ['Pick another date'] })
        throw new Error('internal detail that must not reach the browser')
      },
    })
    expect(await runAs(signedIn(admin), () => failing({ kind: 'known' }))).toEqual({
      ok: false,
      error: 'Pick another date.',
      fieldErrors: { date: ['Pick another date'] },
    })
    expect(await runAs(signedIn(admin), () => failing({ kind: 'bug' }))).toEqual({
      ok: false,
      error: MESSAGES.unexpected,
    })
  })

  it('scopeWhere filters managers to their stores and leaves admins unfiltered', async () => {
    const manager = await makeUser({ storeIds: [storeA.id] })
    const admin = await makeUser({ role: 'ADMIN' })
    const m = await runAs(signedIn(manager), () => getCaller())
    const a = await runAs(signedIn(admin), () => getCaller())
    expect(scopeWhere(m!)).toEqual({ storeId: { in: [storeA.id] } })
    expect(scopeWhere(a!)).toEqual({})
  })
})
