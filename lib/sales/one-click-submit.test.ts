import { beforeAll, describe, expect, it, vi } from 'vitest'
import { MESSAGES } from '@/lib/auth/action'
import { getCaller } from '@/lib/auth/caller'
import { makeStore, makeUser, signedIn, uniq } from '@/lib/auth/test-fixtures'
import { runAs } from '@/lib/auth/testing'
import { db } from '@/lib/db'
import {
  countMatchingSaleEventsAction,
  excludeMatchingSaleEventsAction,
  submitFixedSaleEventsAction,
  submitMatchingSaleEventsAction,
} from '@/lib/sales/actions'
import { countFixedReady } from '@/lib/sales/queries'
import { submitUploadAction } from '@/lib/uploads/actions'
import { countReadyInUpload, getUploadSubmission } from '@/lib/uploads/queries'
import { makeUpload } from '@/lib/uploads/storage/testing'

vi.mock('server-only', () => ({}))

// Submitting is one click: a stored upload's ready sales, every sale matching the table's filter, every sale a
// person fixed. The count a manager is shown is the set that is acted on, inside their stores only; a filter
// handed to the server is parsed and scoped there, so a crafted one reaches nothing of another store.

type Status = 'INVALID' | 'READY' | 'QUEUED' | 'SUBMITTED' | 'FAILED' | 'EXCLUDED'

/** n events of one store (bulk, as an upload would have stored them) */
async function events(
  storeId: string,
  n: number,
  opts: { tag: string; status?: Status; uploadId?: string; updatedById?: string } = { tag: '' },
) {
  const base = Date.now() - 3 * 3_600_000
  const rows = Array.from({ length: n }, (_, i) => ({
    kind: 'PURCHASE' as const,
    storeId,
    orderId: `${opts.tag}-${opts.status ?? 'READY'}-${uniq()}-${i}`,
    occurredAt: new Date(base + i * 1000),
    status: opts.status ?? 'READY',
    issues: opts.status === 'INVALID' ? [{ field: 'orderId', message: 'test problem' }] : [],
    itemCount: 1,
    itemsTotal: '10',
    uploadId: opts.uploadId ?? null,
    updatedById: opts.updatedById ?? null,
  }))
  await db.saleEvent.createMany({ data: rows })
  return rows.map((r) => r.orderId)
}

async function statuses(where: { uploadId?: string; orderId?: { startsWith: string } }) {
  const grouped = await db.saleEvent.groupBy({ by: ['status'], where, _count: { _all: true } })
  return Object.fromEntries(grouped.map((g) => [g.status, g._count._all]))
}

async function world() {
  const a = await makeStore()
  const b = await makeStore()
  const managerA = await makeUser({ storeIds: [a.id] })
  const managerB = await makeUser({ storeIds: [b.id] })
  const admin = await makeUser({ role: 'ADMIN' })
  const callerA = (await runAs(signedIn(managerA), () => getCaller()))!
  const asA = <T>(fn: () => Promise<T>) => runAs(signedIn(managerA), fn)
  const asB = <T>(fn: () => Promise<T>) => runAs(signedIn(managerB), fn)
  const asAdmin = <T>(fn: () => Promise<T>) => runAs(signedIn(admin), fn)
  return { a, b, managerA, managerB, callerA, asA, asB, asAdmin }
}

beforeAll(async () => {
  // the claim needs a connection to put batches on; the worker does not run here, so nothing is sent
  if ((await db.constructorConnection.count()) === 0)
    await db.constructorConnection.create({ data: { baseUrl: 'http://127.0.0.1:9', apiKey: 'k' } })
})

describe('submitting a stored upload with one click', () => {
  it('submits exactly the N ready sales of the file that the page counted, in batches of at most 100', async () => {
    const { a, managerA, callerA, asA } = await world()
    const tag = `UP-${uniq()}`
    const upload = await makeUpload({ store: a, uploaderId: managerA.id, csv: 'x', status: 'COMMITTED' })
    const other = await makeUpload({ store: a, uploaderId: managerA.id, csv: 'x', status: 'COMMITTED' })
    await events(a.id, 228, { tag, uploadId: upload })
    await events(a.id, 3, { tag, uploadId: upload, status: 'INVALID' })
    await events(a.id, 2, { tag, uploadId: other })

    const n = await countReadyInUpload(callerA, upload)
    expect(n).toBe(228)
    const r = await asA(() => submitUploadAction({ uploadId: upload, expectedCount: n }))
    expect(r.ok, JSON.stringify(r)).toBe(true)
    if (!r.ok) return
    expect(r.data.eventCount).toBe(228)
    expect(r.data.batchCount).toBe(3)
    expect(r.data.batchIds).toHaveLength(3)
    expect(await statuses({ uploadId: upload })).toEqual({ QUEUED: 228, INVALID: 3 })
    // the other file's sales stay ready
    expect(await statuses({ uploadId: other })).toEqual({ READY: 2 })
    const sizes = (await db.batch.findMany({ where: { id: { in: r.data.batchIds } } })).map(
      (b) => b.eventCount,
    )
    expect(sizes.sort((x, y) => x - y)).toEqual([28, 100, 100])

    // the page then shows what was sent from this file and the batches it went in
    expect(await countReadyInUpload(callerA, upload)).toBe(0)
    const progress = await getUploadSubmission(callerA, upload)
    expect(progress.counts).toMatchObject({ QUEUED: 228, INVALID: 3 })
    expect(progress.batchCount).toBe(3)
    expect(progress.batches.map((b) => b.id).sort()).toEqual([...r.data.batchIds].sort())
  })

  it('submits nothing when the ready sales changed since the page counted them, and says how many there are now', async () => {
    const { a, managerA, asA } = await world()
    const upload = await makeUpload({ store: a, uploaderId: managerA.id, csv: 'x', status: 'COMMITTED' })
    await events(a.id, 5, { tag: `CH-${uniq()}`, uploadId: upload })
    const r = await asA(() => submitUploadAction({ uploadId: upload, expectedCount: 4 }))
    expect(r).toEqual({ ok: false, error: expect.stringContaining('5 are ready now') })
    expect(await statuses({ uploadId: upload })).toEqual({ READY: 5 })
  })

  it("refuses another store's upload, and a file whose stores came from a column submits the caller's stores only", async () => {
    const { a, b, managerA, managerB, callerA, asA, asB } = await world()
    const uploadB = await makeUpload({ store: b, uploaderId: managerB.id, csv: 'x', status: 'COMMITTED' })
    await events(b.id, 4, { tag: `B-${uniq()}`, uploadId: uploadB })
    const denied = await asA(() => submitUploadAction({ uploadId: uploadB, expectedCount: 4 }))
    expect(denied.ok).toBe(false)
    expect(await statuses({ uploadId: uploadB })).toEqual({ READY: 4 })
    expect(await countReadyInUpload(callerA, uploadB)).toBe(0)

    // an upload without a store (stores from the file's column) holding rows of A and B: A's manager counts
    // and submits A's only
    const mixed = await makeUpload({ store: a, uploaderId: managerA.id, csv: 'x', status: 'COMMITTED' })
    await db.upload.update({ where: { id: mixed }, data: { storeId: null } })
    await events(a.id, 3, { tag: `MA-${uniq()}`, uploadId: mixed })
    await events(b.id, 2, { tag: `MB-${uniq()}`, uploadId: mixed })
    expect(await countReadyInUpload(callerA, mixed)).toBe(3)
    const r = await asA(() => submitUploadAction({ uploadId: mixed, expectedCount: 3 }))
    expect(r.ok && r.data.eventCount).toBe(3)
    expect(await db.saleEvent.count({ where: { uploadId: mixed, storeId: b.id, status: 'READY' } })).toBe(2)
    // B's manager did not upload it: not theirs to submit from
    const notTheirs = await asB(() => submitUploadAction({ uploadId: mixed, expectedCount: 2 }))
    expect(notTheirs.ok).toBe(false)
  })
})

describe('"select all N matching this filter" in the sales table', () => {
  it("counts every matching sale in the caller's stores, submits the ready ones and says how many were left", async () => {
    const { a, b, asA } = await world()
    const tag = `MT-${uniq()}`
    await events(a.id, 150, { tag })
    await events(a.id, 5, { tag, status: 'INVALID' })
    await events(a.id, 2, { tag, status: 'SUBMITTED' })
    // another store's sales with the same tag never count
    await events(b.id, 7, { tag })
    const filter = `q=${tag}&page=2&sort=orderId.asc`

    const count = await asA(() => countMatchingSaleEventsAction({ filter }))
    expect(count).toEqual({ ok: true, data: { count: 157, ready: 150 } })
    const r = await asA(() => submitMatchingSaleEventsAction({ filter, expectedCount: 157 }))
    expect(r.ok, JSON.stringify(r)).toBe(true)
    if (!r.ok) return
    expect(r.data).toMatchObject({ eventCount: 150, batchCount: 2, skipped: 7 })
    expect(await statuses({ orderId: { startsWith: tag } })).toEqual({
      QUEUED: 150,
      INVALID: 5,
      SUBMITTED: 2,
      READY: 7,
    })
    expect(await db.saleEvent.count({ where: { storeId: b.id, status: 'READY' } })).toBe(7)
  })

  it('applies the same filters as the table: status, kind, dates, store', async () => {
    const { a, asA } = await world()
    const tag = `FL-${uniq()}`
    await events(a.id, 4, { tag })
    await events(a.id, 3, { tag, status: 'INVALID' })
    const filter = `q=${tag}&status=INVALID&store=${a.code}`
    expect(await asA(() => countMatchingSaleEventsAction({ filter }))).toEqual({
      ok: true,
      data: { count: 3, ready: 0 },
    })
    const r = await asA(() => excludeMatchingSaleEventsAction({ filter, expectedCount: 3 }))
    expect(r).toEqual({ ok: true, data: { count: 3, skipped: 0 } })
    expect(await statuses({ orderId: { startsWith: tag } })).toEqual({ READY: 4, EXCLUDED: 3 })
  })

  it('acts on nothing when the matching set changed since it was counted, and says how many match now', async () => {
    const { a, asA } = await world()
    const tag = `CS-${uniq()}`
    await events(a.id, 10, { tag })
    const filter = `q=${tag}`
    const count = await asA(() => countMatchingSaleEventsAction({ filter }))
    expect(count.ok && count.data.count).toBe(10)
    // one more sale arrives before the manager clicks
    await events(a.id, 1, { tag })
    const submit = await asA(() => submitMatchingSaleEventsAction({ filter, expectedCount: 10 }))
    expect(submit).toEqual({ ok: false, error: expect.stringContaining('11 match now') })
    const exclude = await asA(() => excludeMatchingSaleEventsAction({ filter, expectedCount: 10 }))
    expect(exclude).toEqual({ ok: false, error: expect.stringContaining('11 match now') })
    expect(await statuses({ orderId: { startsWith: tag } })).toEqual({ READY: 11 })
  })

  it("never reaches another store's sales through a crafted filter", async () => {
    const { a, b, managerB, asA, asAdmin } = await world()
    const tag = `CR-${uniq()}`
    const uploadB = await makeUpload({ store: b, uploaderId: managerB.id, csv: 'x', status: 'COMMITTED' })
    await events(b.id, 6, { tag, uploadId: uploadB })
    await events(a.id, 1, { tag: `CRA-${uniq()}` })

    // naming B's store: refused before anything is read
    for (const filter of [`store=${b.code}`, `store=${a.code},${b.code}&q=${tag}`]) {
      const r = await asA(() => submitMatchingSaleEventsAction({ filter, expectedCount: 6 }))
      expect(r).toEqual({ ok: false, error: MESSAGES.notFound })
      const x = await asA(() => excludeMatchingSaleEventsAction({ filter, expectedCount: 6 }))
      expect(x.ok).toBe(false)
      expect((await asA(() => countMatchingSaleEventsAction({ filter }))).ok).toBe(false)
    }
    // naming B's upload, B's sales by search, or nothing at all: matched inside A's stores only
    for (const filter of [`upload=${uploadB}`, `q=${tag}`, `upload=${uploadB}&status=READY`]) {
      expect(await asA(() => countMatchingSaleEventsAction({ filter }))).toEqual({
        ok: true,
        data: { count: 0, ready: 0 },
      })
      const r = await asA(() => submitMatchingSaleEventsAction({ filter, expectedCount: 6 }))
      expect(r.ok).toBe(false)
      const x = await asA(() => excludeMatchingSaleEventsAction({ filter, expectedCount: 6 }))
      expect(x.ok).toBe(false)
    }
    expect(await statuses({ uploadId: uploadB })).toEqual({ READY: 6 })
    // an admin sees every store: the same filter reaches B's upload
    const admin = await asAdmin(() =>
      submitMatchingSaleEventsAction({ filter: `upload=${uploadB}`, expectedCount: 6 }),
    )
    expect(admin.ok && admin.data.eventCount).toBe(6)
  })
})

describe('"Submit all fixed" in Needs attention', () => {
  it("submits the corrected sales that are ready again, as many as it showed, in the caller's stores only", async () => {
    const { a, b, managerA, managerB, callerA, asA } = await world()
    const tag = `FX-${uniq()}`
    await events(a.id, 3, { tag, updatedById: managerA.id })
    await events(a.id, 2, { tag })
    await events(a.id, 1, { tag, status: 'INVALID', updatedById: managerA.id })
    await events(b.id, 4, { tag, updatedById: managerB.id })
    const shown = await countFixedReady(callerA)
    expect(shown).toBe(3)

    // a stale count submits nothing
    const stale = await asA(() => submitFixedSaleEventsAction({ expectedCount: shown + 1 }))
    expect(stale).toEqual({ ok: false, error: expect.stringContaining(`${shown} are ready now`) })
    expect(await db.saleEvent.count({ where: { orderId: { startsWith: tag }, status: 'QUEUED' } })).toBe(0)

    const r = await asA(() => submitFixedSaleEventsAction({ expectedCount: shown }))
    expect(r.ok && r.data.eventCount).toBe(shown)
    expect(await statuses({ orderId: { startsWith: tag } })).toEqual({ QUEUED: 3, READY: 6, INVALID: 1 })
    expect(await db.saleEvent.count({ where: { storeId: b.id, status: 'READY' } })).toBe(4)
    expect(await countFixedReady(callerA)).toBe(0)
  })
})
