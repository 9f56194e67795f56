import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { getCaller } from '@/lib/auth/caller'
import { makeStore, makeUser, signedIn, uniq } from '@/lib/auth/test-fixtures'
import { runAs } from '@/lib/auth/testing'
import { startTestSandbox, type TestSandbox } from '@/lib/constructor/testing/sandbox'
import { encryptSecret } from '@/lib/crypto/secret-box'
import { db } from '@/lib/db'
import { fixSaleEventGroupAction } from '@/lib/sales/actions'
import { createSaleByHandAction } from '@/lib/sales/hand-entry/actions'
import { getFailureGroups } from '@/lib/sales/queries'
import { retryBatch, submitEvents } from '@/lib/submission/submit'
import { commitUpload, type UploadPreview } from '@/lib/uploads/storage/ingest'
import { makeUpload } from '@/lib/uploads/storage/testing'
import { mapItemIdAction } from './actions'
import { CATALOG_UNKNOWN_TTL_MS, checkCatalogItems, unknownItemMessage } from './preflight'
import { checkUploadItems } from './upload-check'

vi.mock('server-only', () => ({}))
process.env.ENCRYPTION_KEY ??= 'd'.repeat(64)

// The catalog pre-flight against the sandbox's GET /v2/items over real HTTP, with the cache in the real database:
// unknown item ids hold their sales (the default) with a reason grouped by item id, or go out anyway; a check that
// cannot be made holds nothing.

let sandbox: TestSandbox

beforeAll(async () => {
  sandbox = await startTestSandbox({
    forbiddenTokens: ['no-catalog-scope'],
    catalog: { known: ['CAT-TEE', 'CAT-CAP', 'CAT-MUG'], missing: [] },
  })
})
afterAll(() => sandbox.dispose())

async function connection(opts: { hold?: boolean; token?: string } = {}) {
  return db.constructorConnection.create({
    data: {
      baseUrl: sandbox.url,
      apiKey: 'test-key',
      tokenCiphertext: encryptSecret(opts.token ?? sandbox.token),
      holdUnknownItems: opts.hold ?? true,
    },
  })
}

async function sale(storeId: string, itemIds: string[]) {
  return db.saleEvent.create({
    data: {
      kind: 'PURCHASE',
      storeId,
      orderId: `PF-${uniq()}`,
      occurredAt: new Date(Date.now() - 3_600_000),
      status: 'READY',
      issues: [],
      itemCount: itemIds.length,
      itemsTotal: '10',
      lineItems: {
        create: itemIds.map((itemId, i) => ({
          lineNumber: i + 1,
          role: 'PURCHASED' as const,
          itemId,
          unitPrice: '5',
          quantity: 1,
        })),
      },
    },
  })
}

async function world() {
  const store = await makeStore()
  const manager = await makeUser({ storeIds: [store.id] })
  const caller = (await runAs(signedIn(manager), () => getCaller()))!
  return { store, manager, caller }
}

const catalogRequests = async () => (await (await sandbox.control('/_sandbox/stats')).json()).catalogRequests

describe('the catalog pre-flight', () => {
  it('asks Constructor once and answers again from the cache until the TTL runs out', async () => {
    const conn = await connection()
    const before = await catalogRequests()
    const first = await checkCatalogItems(conn.id, ['CAT-TEE', 'TILL-9'])
    expect(first.status).toBe('checked')
    expect([...first.unknown]).toEqual(['TILL-9'])
    expect(first.looked).toBe(2)
    expect(await catalogRequests()).toBe(before + 1)

    const again = await checkCatalogItems(conn.id, ['CAT-TEE', 'TILL-9'])
    expect(again.cacheHits).toBe(2)
    expect(again.looked).toBe(0)
    expect([...again.unknown]).toEqual(['TILL-9'])
    expect(await catalogRequests()).toBe(before + 1)

    // an unknown id is believed for less time than a known one
    const later = new Date(Date.now() + CATALOG_UNKNOWN_TTL_MS + 60_000)
    const stale = await checkCatalogItems(conn.id, ['CAT-TEE', 'TILL-9'], { now: later })
    expect(stale.cacheHits).toBe(1)
    expect(stale.looked).toBe(1)
    expect(await catalogRequests()).toBe(before + 2)
  })

  it('holds a sale of an item the catalog does not have, with the reason, grouped by item id', async () => {
    const { store, caller } = await world()
    const conn = await connection()
    const good = await sale(store.id, ['CAT-TEE'])
    const bad = await sale(store.id, ['CAT-CAP', 'SKU-9'])
    const r = await submitEvents(
      caller,
      { scope: 'events', eventIds: [good.id, bad.id], connectionId: conn.id, expectedCount: 2 },
      { db },
    )
    expect(r.eventCount).toBe(1)
    expect(r.held).toBe(1)
    const held = await db.saleEvent.findUniqueOrThrow({ where: { id: bad.id } })
    expect(held.status).toBe('INVALID')
    expect(held.issues).toEqual([{ field: 'lineItems.1.itemId', message: unknownItemMessage('SKU-9') }])
    expect(unknownItemMessage('SKU-9')).toBe('Item SKU-9 is not in your Constructor catalog')
    const groups = await getFailureGroups(caller)
    const group = groups.find((g) => g.code === 'catalog:SKU-9')
    expect(group).toMatchObject({ events: 1, fix: 'mapItem', status: 'INVALID' })
    expect(group?.label).toBe('Item SKU-9 is not in your Constructor catalog')
  })

  it('sends such a sale anyway when the connection says so', async () => {
    const { store, caller } = await world()
    const conn = await connection({ hold: false })
    const bad = await sale(store.id, ['SKU-10'])
    const r = await submitEvents(
      caller,
      { scope: 'events', eventIds: [bad.id], connectionId: conn.id },
      { db },
    )
    expect(r.eventCount).toBe(1)
    expect(r.held).toBeUndefined()
    expect((await db.saleEvent.findUniqueOrThrow({ where: { id: bad.id } })).status).toBe('QUEUED')
  })

  it('holds such a sale when a person retries the failed batch it was in, instead of sending it again', async () => {
    const { store, caller } = await world()
    const conn = await connection()
    const bad = await sale(store.id, ['SKU-RETRY'])
    await db.saleEvent.update({ where: { id: bad.id }, data: { status: 'FAILED', failureKind: 'REFUSED' } })
    const batch = await db.batch.create({
      data: {
        connectionId: conn.id,
        status: 'FAILED',
        eventCount: 1,
        eventIds: [bad.id],
        storeIds: [store.id],
        events: { create: [{ eventId: bad.id, position: 0, outcome: 'FAILED', error: 'refused' }] },
      },
    })
    const r = await retryBatch(caller, { batchId: batch.id }, { db })
    expect(r).toMatchObject({ eventCount: 0, batchCount: 0, held: 1 })
    const held = await db.saleEvent.findUniqueOrThrow({ where: { id: bad.id } })
    expect(held.status).toBe('INVALID')
    expect(held.issues).toEqual([{ field: 'lineItems.0.itemId', message: unknownItemMessage('SKU-RETRY') }])
  })

  it('holds nothing and says "unavailable" when the token may not read the catalog', async () => {
    const { store, caller } = await world()
    const conn = await connection({ token: 'no-catalog-scope' })
    const bad = await sale(store.id, ['SKU-11'])
    const r = await submitEvents(
      caller,
      { scope: 'events', eventIds: [bad.id], connectionId: conn.id },
      { db },
    )
    expect(r.eventCount).toBe(1)
    expect(r.catalogUnavailable).toContain('403')
    expect((await db.saleEvent.findUniqueOrThrow({ where: { id: bad.id } })).status).toBe('QUEUED')
  })
})

describe('a catalog check that cannot be made', () => {
  it('says so when no token is set, and holds nothing', async () => {
    const { store, caller } = await world()
    const conn = await db.constructorConnection.create({ data: { baseUrl: sandbox.url, apiKey: 'test-key' } })
    const bad = await sale(store.id, ['SKU-12'])
    const r = await submitEvents(
      caller,
      { scope: 'events', eventIds: [bad.id], connectionId: conn.id },
      { db },
    )
    expect(r.eventCount).toBe(1)
    expect(r.catalogUnavailable).toBe('The catalog check is unavailable: no API token is set.')
  })
})

describe('mapping a till SKU to a catalog id', () => {
  it('fixes the whole group, is remembered for the store and applied to a later hand entry', async () => {
    const { store, manager, caller } = await world()
    const conn = await connection()
    const till = `TILL-${uniq()}`
    const a = await sale(store.id, [till])
    const b = await sale(store.id, ['CAT-TEE', till])
    await submitEvents(caller, { scope: 'events', eventIds: [a.id, b.id], connectionId: conn.id }, { db })
    expect((await db.saleEvent.findUniqueOrThrow({ where: { id: a.id } })).status).toBe('INVALID')

    const fixed = await runAs(signedIn(manager), () =>
      fixSaleEventGroupAction({
        reason: `catalog:${till}`,
        fix: { type: 'mapItem', catalogItemId: 'CAT-MUG' },
      }),
    )
    expect(fixed).toMatchObject({ ok: true, data: { touched: 2, ready: 2 } })
    const lines = await db.lineItem.findMany({
      where: { eventId: { in: [a.id, b.id] } },
      orderBy: { itemId: 'asc' },
    })
    expect(lines.map((l) => l.itemId)).toEqual(['CAT-MUG', 'CAT-MUG', 'CAT-TEE'])
    expect(
      await db.itemIdMapping.findMany({
        where: { storeId: store.id },
        select: { tillItemId: true, catalogItemId: true },
      }),
    ).toEqual([{ tillItemId: till, catalogItemId: 'CAT-MUG' }])
    const again = await submitEvents(
      caller,
      { scope: 'events', eventIds: [a.id, b.id], connectionId: conn.id },
      { db },
    )
    expect(again).toMatchObject({ eventCount: 2 })
    expect(again.held).toBeUndefined()

    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
    const typed = await runAs(signedIn(manager), () =>
      createSaleByHandAction({
        storeId: store.id,
        timeZone: store.timeZone,
        locale: store.locale,
        kind: 'PURCHASE',
        date: yesterday,
        time: '10:00',
        customerId: '',
        orderId: '',
        lineItems: [{ itemId: till, itemName: 'Mug', unitPrice: '4.00', quantity: '1' }],
      }),
    )
    expect(typed.ok).toBe(true)
    if (!typed.ok) return
    const line = await db.lineItem.findFirstOrThrow({ where: { eventId: typed.data.id } })
    expect(line.itemId).toBe('CAT-MUG')
  })

  it('refuses a mapping for a group that is not a catalog group', async () => {
    const { manager } = await world()
    const r = await runAs(signedIn(manager), () =>
      fixSaleEventGroupAction({
        reason: 'price-missing',
        fix: { type: 'mapItem', catalogItemId: 'CAT-MUG' },
      }),
    )
    expect(r.ok).toBe(false)
  })
})

async function previewUpload(opts: {
  store: Awaited<ReturnType<typeof makeStore>>
  manager: { id: string }
  itemId: string
}) {
  const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
  const csv = `order_id,occurred_at,store_code,kind,item_id,item_name,unit_price,quantity\nPV-${uniq()},${day} 10:00,${opts.store.code},purchase,${opts.itemId},Cap,12.50,1\n`
  const uploadId = await makeUpload({ store: opts.store, uploaderId: opts.manager.id, csv })
  const upload = await db.upload.findUniqueOrThrow({ where: { id: uploadId } })
  return upload.preview as unknown as UploadPreview
}

describe('an upload and the catalog', () => {
  it('shows unknown item ids in the preview with their reason, and stores mapped ones as the catalog id', async () => {
    const { store, manager } = await world()
    const conn = await connection()
    const mapped = `TILL-${uniq()}`
    await db.itemIdMapping.create({
      data: { storeId: store.id, tillItemId: mapped, catalogItemId: 'CAT-CAP' },
    })
    const preview = await checkUploadItems(
      [
        { storeId: store.id, itemId: 'CAT-TEE', events: 3 },
        { storeId: store.id, itemId: 'SKU-9', events: 2 },
        { storeId: store.id, itemId: mapped, events: 1 },
      ],
      { connectionId: conn.id },
    )
    expect(preview).toEqual({
      status: 'checked',
      hold: true,
      unknown: [
        {
          itemId: 'SKU-9',
          events: 2,
          reason: 'Item SKU-9 is not in your Constructor catalog',
          storeIds: [store.id],
        },
      ],
      mapped: [{ storeId: store.id, itemId: mapped, catalogItemId: 'CAT-CAP', events: 1 }],
    })

    // the preview's first events show the catalog's id, as the sale will leave
    const previewed = await previewUpload({ store, manager, itemId: mapped })
    expect(previewed.firstEvents[0]?.action?.data).toMatchObject({ items: [{ item_id: 'CAT-CAP' }] })

    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
    const order = `MAP-${uniq()}`
    const csv = `order_id,occurred_at,store_code,kind,item_id,item_name,unit_price,quantity\n${order},${day} 10:00,${store.code},purchase,${mapped},Cap,12.50,1\n`
    const uploadId = await makeUpload({ store, uploaderId: manager.id, csv })
    await commitUpload({ uploadId, actor: { userId: manager.id, email: manager.email }, stores: [store] })
    const line = await db.lineItem.findFirstOrThrow({ where: { event: { orderId: order } } })
    expect(line.itemId).toBe('CAT-CAP')
  })
})

describe('mapping a SKU from the preview, before storing', () => {
  it("remembers the mapping for the manager's own store, and the next check of the file sees it as mapped", async () => {
    const { store, manager } = await world()
    const conn = await connection()
    const till = `PRE-${uniq()}`
    const before = await checkUploadItems([{ storeId: store.id, itemId: till, events: 4 }], {
      connectionId: conn.id,
    })
    expect(before?.unknown).toEqual([
      { itemId: till, events: 4, reason: unknownItemMessage(till), storeIds: [store.id] },
    ])
    const saved = await runAs(signedIn(manager), () =>
      mapItemIdAction({ storeId: store.id, tillItemId: till, catalogItemId: ' CAT-MUG ' }),
    )
    expect(saved).toEqual({ ok: true, data: { tillItemId: till, catalogItemId: 'CAT-MUG' } })
    const after = await checkUploadItems([{ storeId: store.id, itemId: till, events: 4 }], {
      connectionId: conn.id,
    })
    expect(after?.unknown).toEqual([])
    expect(after?.mapped).toEqual([{ storeId: store.id, itemId: till, catalogItemId: 'CAT-MUG', events: 4 }])
    const other = await makeStore()
    const refused = await runAs(signedIn(manager), () =>
      mapItemIdAction({ storeId: other.id, tillItemId: till, catalogItemId: 'CAT-MUG' }),
    )
    expect(refused.ok).toBe(false)
    expect(await db.itemIdMapping.count({ where: { storeId: other.id } })).toBe(0)
  })
})
