import { afterAll, describe, expect, it, vi } from 'vitest'
import { MESSAGES } from '@/lib/auth/action'
import { loadCaller } from '@/lib/auth/caller'
import { makeStore, makeUser, signedIn, uniq } from '@/lib/auth/test-fixtures'
import { runAs, sessionFor } from '@/lib/auth/testing'
import { closeDbPool, db, dbPool } from '@/lib/db'
import { addStoreNameAction, removeStoreNameAction } from '@/lib/stores/actions'
import { normalizeStoreName } from '@/lib/stores/store-names'
import { commitUploadAction } from '@/lib/uploads/actions'
import { runQueuedUploadJob } from '@/lib/uploads/jobs/testing'
import { previewSalesFile } from '@/lib/uploads/parse-sales-file'
import { readUploadFile } from '@/lib/uploads/storage/files'
import type { UploadPreview } from '@/lib/uploads/storage/ingest'
import { initialMappingFor, queuePreview } from '@/lib/uploads/storage/preview-run'
import { makeUpload } from '@/lib/uploads/storage/testing'

vi.mock('server-only', () => ({}))

// A store keeps the names its tills write for it. A manager names an unknown one once from the upload
// preview, for their own stores only; an admin for any store; the preview then finds the store by it.
afterAll(async () => {
  await closeDbPool()
})

const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
const csvFor = (rows: [order: string, store: string][]) =>
  [
    'order_id,occurred_at,store_code,kind,item_id,item_name,unit_price,quantity',
    ...rows.map(([order, store]) => `${order},${yesterday()} 10:00,${store},purchase,SKU-1,Mug,12.50,1`),
  ].join('\n')

async function callerOf(user: Awaited<ReturnType<typeof makeUser>>) {
  const c = await loadCaller(sessionFor(user))
  if (!c) throw new Error('no caller')
  return c
}

/** the page's preview: queued for the caller (POST /api/uploads/[id]/preview), then its job run as a worker would */
async function preview(user: Awaited<ReturnType<typeof makeUser>>, uploadId: string, input = {}) {
  const queued = await queuePreview(await callerOf(user), uploadId, input, null)
  if (!queued.ok) throw new Error(queued.error)
  await runQueuedUploadJob(uploadId)
  const upload = await db.upload.findUniqueOrThrow({ where: { id: uploadId } })
  if (upload.status !== 'PREVIEW') throw new Error(`${upload.status}: ${upload.errorMessage}`)
  return upload.preview as unknown as UploadPreview
}

async function receivedUpload(store: Awaited<ReturnType<typeof makeStore>>, uploaderId: string, csv: string) {
  return makeUpload({ store, uploaderId, csv, status: 'RECEIVED' })
}

describe('store names from the upload preview', () => {
  it('asks about an unknown name; the manager names it once as their store and the preview finds it', async () => {
    const store = await makeStore({ code: `NYC-${uniq()}` })
    const manager = await makeUser({ storeIds: [store.id] })
    const name = `Brooklyn Flagship ${uniq()}`
    const uploadId = await receivedUpload(
      store,
      manager.id,
      csvFor([
        ['O-1', name],
        ['O-2', name.toUpperCase()],
      ]),
    )
    const first = await preview(manager, uploadId)
    expect(first.unknownStores).toEqual([{ name, rows: 2 }])
    expect(first.counts.events).toBe(0)

    const named = await runAs(signedIn(manager), () =>
      addStoreNameAction({ storeId: store.id, name, uploadId }),
    )
    expect(named).toMatchObject({ ok: true })
    const kept = await db.storeAlias.findUniqueOrThrow({ where: { normalized: normalizeStoreName(name) } })
    expect(kept).toMatchObject({ storeId: store.id, name })
    expect(
      await db.auditLog.findFirst({
        where: { action: 'store.nameAdded', entityId: store.id, actorId: manager.id },
      }),
    ).toMatchObject({ storeId: store.id, details: { name } })

    const again = await preview(manager, uploadId)
    expect(again.unknownStores).toEqual([])
    expect(again.counts).toMatchObject({ events: 2, validEvents: 2, rowIssues: 0 })
    const stored = await runAs(signedIn(manager), () => commitUploadAction({ uploadId }))
    expect(stored).toMatchObject({ ok: true, data: { queued: true } })
    await runQueuedUploadJob(uploadId)
    expect(await db.upload.findUniqueOrThrow({ where: { id: uploadId } })).toMatchObject({
      status: 'COMMITTED',
    })
    expect(await db.saleEvent.count({ where: { uploadId, storeId: store.id, status: 'READY' } })).toBe(2)
  })

  it("refuses a manager naming another manager's store, and changes nothing", async () => {
    const own = await makeStore({ code: `OWN-${uniq()}` })
    const foreign = await makeStore({ code: `FOR-${uniq()}` })
    const manager = await makeUser({ storeIds: [own.id] })
    const name = `Mission St ${uniq()}`
    const r = await runAs(signedIn(manager), () => addStoreNameAction({ storeId: foreign.id, name }))
    expect(r).toMatchObject({ ok: false, error: MESSAGES.notFound })
    expect(await db.storeAlias.count({ where: { normalized: normalizeStoreName(name) } })).toBe(0)
  })

  it("lets a manager claim only a name their own upload asks about (not another store's till name)", async () => {
    const own = await makeStore({ code: `OWN-${uniq()}` })
    const manager = await makeUser({ storeIds: [own.id] })
    const asked = `Brooklyn Flagship ${uniq()}`
    const uploadId = await receivedUpload(own, manager.id, csvFor([['O-1', asked]]))
    await preview(manager, uploadId)
    // another store's till location, which no upload of this manager names
    const elsewhere = `Mission St ${uniq()}`
    for (const input of [
      { storeId: own.id, name: elsewhere },
      { storeId: own.id, name: elsewhere, uploadId },
    ]) {
      const r = await runAs(signedIn(manager), () => addStoreNameAction(input))
      expect(r.ok).toBe(false)
    }
    expect(await db.storeAlias.count({ where: { normalized: normalizeStoreName(elsewhere) } })).toBe(0)
    // the name the upload asks about, in any case and spacing
    const r = await runAs(signedIn(manager), () =>
      addStoreNameAction({ storeId: own.id, name: asked.toUpperCase(), uploadId }),
    )
    expect(r).toMatchObject({ ok: true })
  })

  it('keeps one name for one store: a name another store keeps or uses as its code is refused', async () => {
    const a = await makeStore({ code: `KOELN-${uniq()}` })
    const b = await makeStore({ code: `BONN-${uniq()}` })
    const admin = await makeUser({ role: 'ADMIN' })
    const managerB = await makeUser({ storeIds: [b.id] })
    const name = `Koeln Dom ${uniq()}`
    expect(await runAs(signedIn(admin), () => addStoreNameAction({ storeId: a.id, name }))).toMatchObject({
      ok: true,
    })
    // the same name again for the same store: nothing to do
    expect(
      await runAs(signedIn(admin), () =>
        addStoreNameAction({ storeId: a.id, name: `  ${name.toLowerCase()} ` }),
      ),
    ).toMatchObject({ ok: true })
    const taken = await runAs(signedIn(managerB), () =>
      addStoreNameAction({ storeId: b.id, name: name.replace(' ', '   ') }),
    )
    expect(taken).toMatchObject({
      ok: false,
      fieldErrors: { name: [expect.stringMatching(/another store/)] },
    })
    const adminTaken = await runAs(signedIn(admin), () => addStoreNameAction({ storeId: b.id, name }))
    expect(adminTaken).toMatchObject({ ok: false, fieldErrors: { name: [expect.stringContaining(a.code)] } })
    const code = await runAs(signedIn(admin), () =>
      addStoreNameAction({ storeId: b.id, name: a.code.toLowerCase() }),
    )
    expect(code).toMatchObject({ ok: false, fieldErrors: { name: [expect.stringMatching(/code/)] } })
    expect(await db.storeAlias.count({ where: { storeId: { in: [a.id, b.id] } } })).toBe(1)
  })

  it('lets an admin name any store and remove a name (audited); a manager cannot remove one', async () => {
    const store = await makeStore({ code: `SFO-${uniq()}` })
    const admin = await makeUser({ role: 'ADMIN' })
    const manager = await makeUser({ storeIds: [store.id] })
    const name = `Register ${uniq()}`
    const added = await runAs(signedIn(admin), () => addStoreNameAction({ storeId: store.id, name }))
    expect(added).toMatchObject({ ok: true })
    const alias = await db.storeAlias.findFirstOrThrow({ where: { storeId: store.id } })
    expect(await runAs(signedIn(manager), () => removeStoreNameAction({ aliasId: alias.id }))).toMatchObject({
      ok: false,
    })
    expect(await runAs(signedIn(admin), () => removeStoreNameAction({ aliasId: alias.id }))).toMatchObject({
      ok: true,
    })
    expect(await db.storeAlias.count({ where: { storeId: store.id } })).toBe(0)
    expect(
      await db.auditLog.findFirst({
        where: { action: 'store.nameRemoved', entityId: store.id, actorId: admin.id },
      }),
    ).toMatchObject({ details: { name } })
  })

  it("keeps rows for a store the manager can't write as row issues that say so", async () => {
    const own = await makeStore({ code: `OWN-${uniq()}` })
    const foreign = await makeStore({ code: `FOR-${uniq()}` })
    const admin = await makeUser({ role: 'ADMIN' })
    const manager = await makeUser({ storeIds: [own.id] })
    const foreignName = `Queens Outlet ${uniq()}`
    await runAs(signedIn(admin), () => addStoreNameAction({ storeId: foreign.id, name: foreignName }))
    const uploadId = await receivedUpload(
      own,
      manager.id,
      csvFor([
        ['P-1', own.code],
        ['P-2', foreignName],
        ['P-3', foreign.code],
      ]),
    )
    const p = await preview(manager, uploadId)
    expect(p.counts).toMatchObject({ events: 1, rowIssues: 2 })
    expect(p.unknownStores).toEqual([])
    expect(p.problems.map((x) => [x.row, x.field])).toEqual([
      [3, 'storeCode'],
      [4, 'storeCode'],
    ])
    for (const x of p.problems) expect(x.message).toMatch(/belongs to a store you can't upload sales for/)
  })
})

describe('the store chosen on the upload page', () => {
  it('remembers "not in this file" for the store column with the mapping: the next upload of the layout keeps it', async () => {
    const store = await makeStore({ code: `LYN-${uniq()}` })
    const manager = await makeUser({ storeIds: [store.id] })
    const csv = csvFor([
      ['Q-1', 'Register 1'],
      ['Q-2', 'Register 2'],
    ])
    const first = await receivedUpload(store, manager.id, csv)
    // the page sends every field: the store column set to "— not in this file —"
    const mapping = {
      orderId: 0,
      occurredAt: 1,
      storeCode: null,
      kind: 3,
      itemId: 4,
      itemName: 5,
      unitPrice: 6,
      quantity: 7,
    }
    const p = await preview(manager, first, { mapping })
    expect(p.counts).toMatchObject({ events: 2, validEvents: 2, rowIssues: 0 })
    expect(p.unknownStores).toEqual([])

    const next = await receivedUpload(store, manager.id, csv.replaceAll('Q-', 'R-'))
    const head = await previewSalesFile(readUploadFile(dbPool(), next))
    const initial = await initialMappingFor(store.id, head)
    expect(initial.storeCode ?? null).toBeNull()
    const again = await preview(manager, next, {
      mapping: { ...initial, storeCode: initial.storeCode ?? null },
    })
    expect(again.counts).toMatchObject({ events: 2, validEvents: 2, rowIssues: 0 })
    expect(again.firstEvents.map((e) => e.storeCode)).toEqual([store.code, store.code])
  })
})
