import { describe, expect, it, vi } from 'vitest'
import { getCaller } from '@/lib/auth/caller'
import { makeStore, makeUser, signedIn, uniq } from '@/lib/auth/test-fixtures'
import { runAs } from '@/lib/auth/testing'
import { db } from '@/lib/db'
import { createStoreAction, setStoreActiveAction, updateStoreAction } from '@/lib/stores/actions'
import { getStores } from '@/lib/stores/queries'

vi.mock('server-only', () => ({}))

const fields = (code: string) => ({
  code,
  name: 'Paris — Marais',
  latitude: '48.8566',
  longitude: '2.3522',
  timeZone: 'Europe/Paris',
  currency: 'eur',
  locale: 'fr-FR',
})

describe('store settings', () => {
  it('creates a store with validated coordinates, time zone and currency, and audits it', async () => {
    const admin = await makeUser({ role: 'ADMIN' })
    const code = `PAR-${uniq()}`
    const r = await runAs(signedIn(admin), () => createStoreAction(fields(code)))
    expect(r).toMatchObject({ ok: true, data: { code } })
    const store = await db.store.findUniqueOrThrow({ where: { code } })
    expect(store).toMatchObject({
      latitude: '48.8566',
      longitude: '2.3522',
      currency: 'EUR',
      timeZone: 'Europe/Paris',
    })
    const trail = await db.auditLog.findFirstOrThrow({ where: { entityId: store.id } })
    expect(trail).toMatchObject({ action: 'store.created', actorId: admin.id, storeId: store.id })
  })

  it('refuses out-of-range or malformed coordinates, unknown zones and a duplicate code', async () => {
    const admin = await makeUser({ role: 'ADMIN' })
    const code = `BAD-${uniq()}`
    const cases = [
      [{ latitude: '91' }, 'latitude'],
      [{ longitude: '-180.5' }, 'longitude'],
      [{ latitude: '4O.1' }, 'latitude'],
      [{ latitude: '40.123456789012345678' }, 'latitude'],
      [{ longitude: '' }, 'longitude'],
      [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ currency: 'EURO' }, 'currency'],
    ] as const
    for (const [patch, field] of cases) {
      const r = await runAs(signedIn(admin), () => createStoreAction({ ...fields(code), ...patch }))
      expect(r.ok, JSON.stringify(patch)).toBe(false)
      if (!r.ok) expect(Object.keys(r.fieldErrors ?? {}), JSON.stringify(patch)).toContain(field)
    }
    expect(await db.store.findUnique({ where: { code } })).toBeNull()
    const existing = await makeStore()
    const dup = await runAs(signedIn(admin), () => createStoreAction(fields(existing.code)))
    expect(dup).toMatchObject({ ok: false, fieldErrors: { code: [expect.stringMatching(/already/)] } })
  })

  it('records before → after on edit', async () => {
    const admin = await makeUser({ role: 'ADMIN' })
    const store = await makeStore()
    const r = await runAs(signedIn(admin), () =>
      updateStoreAction({ storeId: store.id, ...fields(store.code), name: 'Renamed' }),
    )
    expect(r.ok).toBe(true)
    const trail = await db.auditLog.findFirstOrThrow({
      where: { entityId: store.id, action: 'store.updated' },
    })
    expect(trail.details).toMatchObject({ changes: { name: { before: 'Test store', after: 'Renamed' } } })
  })

  it('deactivating a store takes it out of its managers’ scope at their next request', async () => {
    const admin = await makeUser({ role: 'ADMIN' })
    const [a, b] = [await makeStore(), await makeStore()]
    const manager = await makeUser({ storeIds: [a.id, b.id] })
    const session = signedIn(manager)
    expect(
      (await runAs(session, async () => getStores((await getCaller())!))).map((s) => s.id).sort(),
    ).toEqual([a.id, b.id].sort())
    expect(
      await runAs(signedIn(admin), () => setStoreActiveAction({ storeId: b.id, active: false })),
    ).toMatchObject({
      ok: true,
    })
    expect((await runAs(session, async () => getStores((await getCaller())!))).map((s) => s.id)).toEqual([
      a.id,
    ])
  })
})
