import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { makeStore, uniq } from '@/lib/auth/test-fixtures'
import { db } from '@/lib/db'
import { createConnection } from '@/lib/submission/testing'

// The keys from line items and events (and search rows, which only triggers write) to what they name hold
// whoever writes, one row or a COPY of thousands: native foreign keys on every server version.

const url = inject('databaseUrl')
const clients: pg.Client[] = []
async function client() {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  clients.push(c)
  return c
}
afterAll(async () => {
  await Promise.all(clients.map((c) => c.end()))
})

async function newEvent(storeId: string, over: { uploadId?: string } = {}) {
  return db.saleEvent.create({
    data: {
      kind: 'PURCHASE',
      storeId,
      orderId: `FK-${uniq()}`,
      occurredAt: new Date(),
      uploadId: over.uploadId ?? null,
      lineItems: { create: [{ lineNumber: 1, itemId: `SKU-${uniq()}`, unitPrice: '1', quantity: 1 }] },
    },
  })
}

const lineSql = `INSERT INTO "LineItem" (id, "eventId", "lineNumber", "itemId") VALUES ($1::uuid, $2::uuid, $3, 'SKU-FK')`

async function refusal(p: Promise<unknown>) {
  const e = (await p.then(
    () => null,
    (err: unknown) => err,
  )) as { code?: string; constraint?: string; message?: string } | null
  expect(e, 'the write should have been refused').not.toBeNull()
  return e as { code?: string; constraint?: string; message?: string }
}

describe('keys between sales rows', () => {
  it('are all native, enforced and validated, on whatever server version runs the migrations', async () => {
    const c = await client()
    // conenforced exists from PostgreSQL 18 on; read through jsonb so the query runs on older servers too
    const { rows } = await c.query<{
      name: string
      table: string
      enforced: string | null
      validated: boolean
    }>(
      `SELECT conname AS name, conrelid::regclass::text AS table, to_jsonb(k) ->> 'conenforced' AS enforced,
         convalidated AS validated
       FROM pg_constraint k WHERE contype = 'f' AND connamespace = 'public'::regnamespace ORDER BY conname`,
    )
    expect(rows.map((r) => r.name)).toEqual(
      expect.arrayContaining([
        'BatchEvent_batchId_fkey',
        'BatchEvent_eventId_fkey',
        'LineItem_eventId_fkey',
        'SaleEventSearch_eventId_fkey',
        'SaleEvent_storeId_fkey',
        'SaleEvent_uploadId_fkey',
      ]),
    )
    expect(rows.filter((r) => r.enforced === 'false' || !r.validated)).toEqual([])
  })

  it('refuse a line item, a search row or an event naming a row that does not exist, in one row or among many', async () => {
    const store = await makeStore()
    const e = await newEvent(store.id)
    const c = await client()
    const missing = randomUUID()

    const one = await refusal(c.query(lineSql, [randomUUID(), missing, 1]))
    expect(one).toMatchObject({ code: '23503', constraint: 'LineItem_eventId_fkey' })
    expect(one.message).toContain('LineItem_eventId_fkey')

    // a statement of 1,000 rows with one bad key stores none of them
    const before = await db.lineItem.count({ where: { eventId: e.id } })
    const many = await refusal(
      c.query(
        `INSERT INTO "LineItem" (id, "eventId", "lineNumber", "itemId")
         SELECT gen_random_uuid(), CASE WHEN g = 777 THEN $2::uuid ELSE $1::uuid END, g + 10, 'SKU-FK'
         FROM generate_series(1, 1000) g`,
        [e.id, missing],
      ),
    )
    expect(many).toMatchObject({ code: '23503', constraint: 'LineItem_eventId_fkey' })
    expect(await db.lineItem.count({ where: { eventId: e.id } })).toBe(before)

    // moving a line item to a missing event
    const moved = await refusal(
      c.query(`UPDATE "LineItem" SET "eventId" = $2::uuid WHERE "eventId" = $1::uuid`, [e.id, missing]),
    )
    expect(moved).toMatchObject({ code: '23503', constraint: 'LineItem_eventId_fkey' })

    // search rows are written by a trigger from the events themselves; moving one to a missing event is refused
    const search = await refusal(
      c.query(`UPDATE "SaleEventSearch" SET "eventId" = $2::uuid WHERE "eventId" = $1::uuid`, [
        e.id,
        missing,
      ]),
    )
    expect(search).toMatchObject({ code: '23503', constraint: 'SaleEventSearch_eventId_fkey' })

    const noStore = await refusal(
      c.query(
        `INSERT INTO "SaleEvent" (id, kind, "storeId", "orderId", "updatedAt") VALUES (gen_random_uuid(), 'PURCHASE', $1::uuid, $2, now())`,
        [missing, `FK-${uniq()}`],
      ),
    )
    expect(noStore).toMatchObject({ code: '23503', constraint: 'SaleEvent_storeId_fkey' })
    const noUpload = await refusal(
      c.query(
        `INSERT INTO "SaleEvent" (id, kind, "storeId", "orderId", "uploadId", "updatedAt") VALUES (gen_random_uuid(), 'PURCHASE', $1::uuid, $2, $3::uuid, now())`,
        [store.id, `FK-${uniq()}`, missing],
      ),
    )
    expect(noUpload).toMatchObject({ code: '23503', constraint: 'SaleEvent_uploadId_fkey' })
    const otherStore = await refusal(
      c.query(`UPDATE "SaleEvent" SET "storeId" = $2::uuid WHERE id = $1::uuid`, [e.id, missing]),
    )
    expect(otherStore).toMatchObject({ code: '23503', constraint: 'SaleEvent_storeId_fkey' })
  })

  it('do what the keys say on delete: an event takes its lines and search row, a store with sales stays, an upload lets go', async () => {
    const store = await makeStore()
    const upload = await db.upload.create({
      data: { fileName: 'fk.csv', sizeBytes: 1n, sha256: '0'.repeat(64), storeId: store.id },
    })
    const e = await newEvent(store.id, { uploadId: upload.id })
    expect(await db.saleEventSearch.count({ where: { eventId: e.id } })).toBe(1)

    const refused = await refusal(db.store.delete({ where: { id: store.id } }))
    expect(refused.message).toContain('SaleEvent_storeId_fkey')
    expect(await db.store.count({ where: { id: store.id } })).toBe(1)

    await db.upload.delete({ where: { id: upload.id } })
    expect((await db.saleEvent.findUniqueOrThrow({ where: { id: e.id } })).uploadId).toBeNull()

    await db.saleEvent.delete({ where: { id: e.id } })
    expect(await db.lineItem.count({ where: { eventId: e.id } })).toBe(0)
    expect(await db.saleEventSearch.count({ where: { eventId: e.id } })).toBe(0)
    // no sales left: the store can go
    await db.store.delete({ where: { id: store.id } })
  })

  it('refuse to truncate a table other rows name', async () => {
    const c = await client()
    await c.query('BEGIN')
    try {
      // rolled back whatever happens: the other test files share this database
      await c.query(`SET LOCAL lock_timeout = '20s'`)
      const truncated = await refusal(c.query('TRUNCATE "SaleEvent"'))
      expect(truncated).toMatchObject({ code: '0A000' })
      expect(truncated.message).toContain('referenced in a foreign key constraint')
    } finally {
      await c.query('ROLLBACK')
    }
  })

  it('hold under concurrency: a line item added while its event is deleted is deleted with it, or refused', async () => {
    const store = await makeStore()
    const [adder, deleter] = [await client(), await client()]

    // the line item's transaction first: the delete waits for it, then takes the new line with the event
    const e1 = await newEvent(store.id)
    await adder.query('BEGIN')
    await adder.query(lineSql, [randomUUID(), e1.id, 2])
    const deleting = deleter.query(`DELETE FROM "SaleEvent" WHERE id = $1::uuid`, [e1.id])
    await new Promise((r) => setTimeout(r, 300))
    await adder.query('COMMIT')
    await deleting
    expect(await db.lineItem.count({ where: { eventId: e1.id } })).toBe(0)

    // the delete first: the line item's statement waits for it, then finds no event
    const e2 = await newEvent(store.id)
    await deleter.query('BEGIN')
    await deleter.query(`DELETE FROM "SaleEvent" WHERE id = $1::uuid`, [e2.id])
    const adding = adder.query(lineSql, [randomUUID(), e2.id, 2]).then(
      () => null,
      (err: { code?: string }) => err,
    )
    await new Promise((r) => setTimeout(r, 300))
    await deleter.query('COMMIT')
    expect(await adding).toMatchObject({ code: '23503' })
    expect(await db.lineItem.count({ where: { eventId: e2.id } })).toBe(0)
  })

  it('keep the item id search complete: a new id, an id changed in place', async () => {
    const store = await makeStore()
    const e = await newEvent(store.id)
    const line = await db.lineItem.findFirstOrThrow({ where: { eventId: e.id } })
    expect(await db.itemIdSearch.count({ where: { itemId: line.itemId as string } })).toBe(1)
    const renamed = `SKU-R-${uniq()}`
    await db.lineItem.update({ where: { id: line.id }, data: { itemId: renamed } })
    expect(await db.itemIdSearch.count({ where: { itemId: renamed } })).toBe(1)
  })

  it("keep a batch's history tied to its batch and events: no row for a missing one, deleted with either", async () => {
    const store = await makeStore()
    const c = await client()
    const connectionId = await createConnection(c, { baseUrl: 'http://127.0.0.1:9', token: 'fk' })
    const [e1, e2] = [await newEvent(store.id), await newEvent(store.id)]
    const batch = await db.batch.create({ data: { connectionId, eventCount: 2, status: 'SUCCEEDED' } })
    const history = `INSERT INTO "BatchEvent" ("batchId", "eventId", position, outcome) VALUES ($1::uuid, $2::uuid, $3, 'SUBMITTED')`
    await c.query(history, [batch.id, e1.id, 0])
    await c.query(history, [batch.id, e2.id, 1])

    expect(await refusal(c.query(history, [randomUUID(), e1.id, 0]))).toMatchObject({
      code: '23503',
      constraint: 'BatchEvent_batchId_fkey',
    })
    expect(await refusal(c.query(history, [batch.id, randomUUID(), 2]))).toMatchObject({
      code: '23503',
      constraint: 'BatchEvent_eventId_fkey',
    })

    await db.saleEvent.delete({ where: { id: e1.id } })
    expect(await db.batchEvent.count({ where: { batchId: batch.id } })).toBe(1)
    await db.batch.delete({ where: { id: batch.id } })
    expect(await db.batchEvent.count({ where: { eventId: e2.id } })).toBe(0)
  })
})
