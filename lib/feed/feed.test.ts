import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { GET as openApi } from '@/app/api/v1/openapi.json/route'
import { POST } from '@/app/api/v1/sales/route'
import { KEY_REFUSED } from '@/lib/auth/route'
import { makeStore, uniq } from '@/lib/auth/test-fixtures'
import { db } from '@/lib/db'
import { normalizeStoreName } from '@/lib/stores/store-names'
import { FEED_MESSAGES } from './receive'
import { FEED_LIMITS, type FeedResponse } from './schema'
import { feedRequest, feedSale, makeApiKey, startFeedServer } from './testing'

vi.mock('server-only', () => ({}))

// The sales feed over its route handler with real Request objects, against the real database: every outcome
// and every bad input of issue 21. A refused request must store nothing.

const json = (v: unknown) => JSON.stringify(v)
// every request goes over real HTTP to the route handler (a till's push as it arrives)
let server: Awaited<ReturnType<typeof startFeedServer>>
beforeAll(async () => {
  server = await startFeedServer(POST)
})
afterAll(() => server?.close())

async function push(key: string | null, body: BodyInit | null, opts?: Parameters<typeof feedRequest>[2]) {
  const res = await server.send(feedRequest(key, body, opts))
  return { status: res.status, body: (await res.json()) as FeedResponse & { error?: string }, res }
}
// A body over the limit is refused before it is read; a plain HTTP client still sending it then sees the connection
// closed (curl asks "Expect: 100-continue" for large bodies and gets the 413), so those cases call the handler itself.
async function pushDirect(key: string | null, body: BodyInit | null) {
  const res = await POST(feedRequest(key, body))
  return { status: res.status, body: (await res.json()) as FeedResponse & { error?: string }, res }
}
const eventsOf = (storeId: string) =>
  db.saleEvent.findMany({ where: { storeId }, orderBy: { orderId: 'asc' }, include: { lineItems: true } })

afterEach(() => {
  delete process.env.FEED_RATE_PER_MINUTE
})

describe('POST /api/v1/sales: outcomes', () => {
  it('stores new sales (READY, items, the upload’s content hash), audits the key’s use and records when it was used', async () => {
    const store = await makeStore()
    const { id, key } = await makeApiKey([store.id])
    const r = await push(
      key,
      json([feedSale('1001'), feedSale('1002', { kind: 'return', return_reason: 'Chipped' })]),
    )
    expect(r.status).toBe(200)
    expect(r.body.results).toEqual([
      { index: 0, order_id: '1001', outcome: 'stored', reasons: [] },
      { index: 1, order_id: '1002', outcome: 'stored', reasons: [] },
    ])
    expect(r.body.counts).toMatchObject({ stored: 2, unchanged: 0, invalid: 0 })
    const events = await eventsOf(store.id)
    expect(events.map((e) => [e.orderId, e.kind, e.status, e.itemCount, e.itemsTotal.toString()])).toEqual([
      ['1001', 'PURCHASE', 'READY', 2, '29'],
      ['1002', 'RETURN', 'READY', 2, '29'],
    ])
    expect(events[1]?.lineItems.every((li) => li.role === 'RETURNED')).toBe(true)
    expect(events[0]?.uploadId).toBeNull()
    const used = await db.auditLog.findFirst({ where: { action: 'apiKey.used', entityId: id } })
    expect(used?.details).toMatchObject({ counts: { sales: 2, stored: 2 } })
    expect((await db.apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt).not.toBeNull()
  })

  it("stores a till SKU the store mapped to a catalog id (Needs attention) as the catalog's id", async () => {
    const store = await makeStore()
    const { key } = await makeApiKey([store.id])
    await db.itemIdMapping.create({
      data: { storeId: store.id, tillItemId: 'MUG-BLUE', catalogItemId: 'CAT-MUG-BLUE' },
    })
    expect((await push(key, json([feedSale('M-1')]))).body.counts.stored).toBe(1)
    const [event] = await eventsOf(store.id)
    expect(event?.lineItems.map((li) => li.itemId).sort()).toEqual(['CAT-MUG-BLUE', 'TOWEL-01'])
  })

  it('is idempotent: the same request again is unchanged and writes no sale', async () => {
    const store = await makeStore()
    const { key } = await makeApiKey([store.id])
    const body = json([feedSale('A-1'), feedSale('A-2')])
    expect((await push(key, body)).body.counts.stored).toBe(2)
    const before = await eventsOf(store.id)
    const again = await push(key, body)
    expect(again.body.results.map((x) => x.outcome)).toEqual(['unchanged', 'unchanged'])
    expect(await eventsOf(store.id)).toEqual(before)
  })

  it('brings a changed, unsent sale up to date in place (stored), and a submitted one back as a correction', async () => {
    const store = await makeStore()
    const { key } = await makeApiKey([store.id])
    await push(key, json([feedSale('C-1'), feedSale('C-2')]))
    const [first, second] = await eventsOf(store.id)
    // C-2 went to Constructor (a fixture writes its history directly)
    await db.$executeRaw`UPDATE "SaleEvent" SET status = 'SUBMITTED', "submittedAt" = now() WHERE id = ${second?.id}::uuid`
    const changed = { customer_id: 'C-99' }
    const r = await push(key, json([feedSale('C-1', changed), feedSale('C-2', changed)]))
    expect(r.body.results.map((x) => x.outcome)).toEqual(['stored', 'corrected'])
    const after = await eventsOf(store.id)
    expect(after.map((e) => [e.id, e.customerId, e.status, e.version, e.isCorrection])).toEqual([
      [first?.id, 'C-99', 'READY', 2, false],
      [second?.id, 'C-99', 'READY', 2, true],
    ])
  })

  it('answers invalid sales with their reasons by field; a sale it can attribute is kept INVALID for a manager', async () => {
    const store = await makeStore()
    const { key } = await makeApiKey([store.id])
    const r = await push(
      key,
      json([
        feedSale('I-1', { items: [{ item_id: 'X', unit_price: '-3', quantity: 1 }] }),
        feedSale('I-2', { occurred_at: 'yesterday' }),
        feedSale('I-3', { kind: 'gift' }),
        { order_id: 'I-4' },
        feedSale('I-5'),
      ]),
    )
    expect(r.status).toBe(200)
    const [price, time, kind, shape, fine] = r.body.results
    expect(price).toMatchObject({ outcome: 'invalid', reasons: [{ field: 'items[0].unit_price' }] })
    expect(price?.reasons[0]?.message).toContain("Price can't be negative")
    expect(time).toMatchObject({ outcome: 'invalid', reasons: [{ field: 'occurred_at' }] })
    expect(time?.reasons[0]?.message).toContain("'yesterday' is not a date and time")
    expect(kind).toMatchObject({
      index: 2,
      order_id: 'I-3',
      outcome: 'invalid',
      reasons: [{ field: 'kind' }],
    })
    expect(shape?.outcome).toBe('invalid')
    expect(shape?.reasons.map((x) => x.field).sort()).toEqual(['items', 'kind', 'occurred_at'])
    expect(fine?.outcome).toBe('stored')
    const stored = await eventsOf(store.id)
    expect(stored.map((e) => [e.orderId, e.status])).toEqual([
      ['I-1', 'INVALID'],
      ['I-2', 'INVALID'],
      ['I-5', 'READY'],
    ])
    // sent again unchanged: still invalid, with the same reasons
    const again = await push(
      key,
      json([feedSale('I-1', { items: [{ item_id: 'X', unit_price: '-3', quantity: 1 }] })]),
    )
    expect(again.body.results[0]).toMatchObject({
      outcome: 'invalid',
      reasons: [{ field: 'items[0].unit_price' }],
    })
  })

  it('answers an over-long item id and a NUL in an order id invalid with reasons, stores them to fit, and the others as usual', async () => {
    const store = await makeStore()
    const { key } = await makeApiKey([store.id])
    const long = 'L'.repeat(600)
    const r = await push(
      key,
      json([
        feedSale('N-1'),
        feedSale('N-2', { items: [{ item_id: long, unit_price: '3', quantity: 1 }] }),
        feedSale('A\u0000'),
        feedSale('N-3'),
      ]),
    )
    expect(r.status).toBe(200)
    const [first, tooLong, nul, last] = r.body.results
    expect([first?.outcome, last?.outcome]).toEqual(['stored', 'stored'])
    expect(tooLong).toMatchObject({ outcome: 'invalid', reasons: [{ field: 'items[0].item_id' }] })
    expect(tooLong?.reasons[0]?.message).toContain('is 600 characters long')
    expect(nul).toMatchObject({ outcome: 'invalid', reasons: [{ field: 'order_id' }] })
    expect(nul?.reasons[0]?.message).toContain("contains a character that can't be stored")
    const events = await eventsOf(store.id)
    expect(events.map((e) => [e.orderId, e.status])).toEqual([
      ['A\uFFFD', 'INVALID'],
      ['N-1', 'READY'],
      ['N-2', 'INVALID'],
      ['N-3', 'READY'],
    ])
    expect(events[2]?.lineItems[0]?.itemId).toBe('L'.repeat(500))
  })

  it('stores a return’s template fields (refund … item_role) as an upload of the template would, and answers an unknown key invalid', async () => {
    const store = await makeStore()
    const { key } = await makeApiKey([store.id])
    const r = await push(
      key,
      json([
        feedSale('R-1', {
          kind: 'return',
          return_reason: 'Chipped',
          refund: '-12.50',
          return_expenses: 2,
          return_shipping_cost: '4.95',
          return_type: 'partial',
          return_preference: 'refund',
          return_drop_off: 'BER-01 counter',
          items: [
            { item_id: 'MUG-BLUE', unit_price: '12.50', quantity: 1, item_role: 'returned' },
            { item_id: 'TOWEL-01', unit_price: 4, quantity: 1, item_role: 'kept' },
          ],
        }),
        feedSale('R-2', { discount: '5' }),
        feedSale('R-3', { items: [{ item_id: 'X', unit_price: '1', quantity: 1, colour: 'red' }] }),
        feedSale('R-4', { refund: '3' }),
        feedSale('R-5', {
          kind: 'return',
          return_type: 'most',
          items: [{ item_id: 'X', unit_price: '1', quantity: 1, item_role: 'lost' }],
        }),
      ]),
    )
    expect(r.status).toBe(200)
    const [ret, unknownKey, unknownItemKey, purchaseRefund, badWords] = r.body.results
    expect(ret).toEqual({ index: 0, order_id: 'R-1', outcome: 'stored', reasons: [] })
    expect(unknownKey).toMatchObject({ outcome: 'invalid', reasons: [{ field: '(sale)' }] })
    expect(unknownKey?.reasons[0]?.message).toContain('discount')
    expect(unknownItemKey).toMatchObject({ outcome: 'invalid', reasons: [{ field: 'items[0]' }] })
    expect(unknownItemKey?.reasons[0]?.message).toContain('colour')
    expect(purchaseRefund).toMatchObject({ outcome: 'invalid', reasons: [{ field: 'refund' }] })
    expect(badWords?.outcome).toBe('invalid')
    expect(badWords?.reasons.map((x) => x.field).sort()).toEqual(['items[0].item_role', 'return_type'])
    const [event] = (await eventsOf(store.id)).filter((e) => e.orderId === 'R-1')
    expect(event).toMatchObject({
      kind: 'RETURN',
      status: 'READY',
      returnReason: 'Chipped',
      returnType: 'PARTIAL',
      returnPreference: 'REFUND',
      returnDropOff: 'BER-01 counter',
    })
    expect([event?.refund, event?.returnExpenses, event?.returnShippingCost].map(String)).toEqual([
      '12.5',
      '2',
      '4.95',
    ])
    expect(event?.lineItems.map((li) => [li.itemId, li.role]).sort()).toEqual([
      ['MUG-BLUE', 'RETURNED'],
      ['TOWEL-01', 'KEPT'],
    ])
  })

  it('answers "busy" for a sale in a batch on its way, and leaves it as it is', async () => {
    const store = await makeStore()
    const { key } = await makeApiKey([store.id])
    await push(key, json([feedSale('B-1')]))
    const [event] = await eventsOf(store.id)
    const connection = await db.constructorConnection.create({
      data: {
        name: `feed ${uniq()}`,
        baseUrl: 'http://127.0.0.1:9',
        apiKey: 'k',
        tokenCiphertext: 'x',
        tokenHint: 'x',
      },
    })
    const batch = await db.batch.create({
      data: {
        connectionId: connection.id,
        status: 'QUEUED',
        eventCount: 1,
        eventIds: [event?.id as string],
        storeIds: [store.id],
      },
    })
    await db.$executeRaw`UPDATE "SaleEvent" SET status = 'QUEUED', "openBatchId" = ${batch.id}::uuid WHERE id = ${event?.id}::uuid`
    const r = await push(key, json([feedSale('B-1', { customer_id: 'changed' })]))
    expect(r.body.results[0]).toMatchObject({ outcome: 'busy', reasons: [{ field: 'order_id' }] })
    expect((await eventsOf(store.id))[0]).toMatchObject({ customerId: 'C-42', status: 'QUEUED' })
  })

  it('answers an order listed twice in one request once, and the repeat as invalid', async () => {
    const store = await makeStore()
    const { key } = await makeApiKey([store.id])
    const r = await push(key, json([feedSale('D-1'), feedSale('D-1', { customer_id: 'other' })]))
    expect(r.body.results.map((x) => x.outcome)).toEqual(['stored', 'invalid'])
    expect(r.body.results[1]?.reasons[0]?.message).toContain('listed more than once')
    expect(await eventsOf(store.id)).toHaveLength(1)
  })

  it('takes store_code for a key of several stores, and asks for it when a sale leaves it out', async () => {
    const [a, b] = [await makeStore(), await makeStore()]
    const { key } = await makeApiKey([a.id, b.id])
    const r = await push(key, json([feedSale('S-1', { store_code: b.code }), feedSale('S-2')]))
    expect(r.body.results.map((x) => x.outcome)).toEqual(['stored', 'invalid'])
    expect(r.body.results[1]?.reasons[0]?.field).toBe('store_code')
    expect((await eventsOf(b.id)).map((e) => e.orderId)).toEqual(['S-1'])
    expect(await eventsOf(a.id)).toEqual([])
  })

  it('reads a CSV body with the store’s layout: the template, or a custom layout once its mapping is saved', async () => {
    const store = await makeStore()
    const { key } = await makeApiKey([store.id])
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
    const template = `order_id,occurred_at,store_code,kind,item_id,item_name,unit_price,quantity\nT-1,${day} 10:00,,purchase,SKU-1,Mug,12.50,1\nT-1,${day} 10:00,,purchase,SKU-2,Cup,3.00,2\n`
    const r = await push(key, template, { contentType: 'text/csv' })
    expect(r.status).toBe(200)
    expect(r.body.results).toEqual([{ index: 0, order_id: 'T-1', outcome: 'stored', reasons: [] }])
    expect(
      (await push(key, template, { contentType: 'text/csv; charset=utf-8' })).body.counts.unchanged,
    ).toBe(1)
    const custom = `Beleg;Zeit;Artikel;Preis;Menge\nK-1;${day} 11:00;Mug;12,50;1\n`
    const refused = await push(key, custom, { contentType: 'text/csv' })
    expect([refused.status, refused.body.error]).toEqual([422, FEED_MESSAGES.noMapping])
    const { mappingSource } = await import('@/lib/uploads/storage/remembered-mapping')
    const { previewSalesFile } = await import('@/lib/uploads/parse-sales-file')
    const head = await previewSalesFile(custom)
    await db.columnMappingPreset.create({
      data: {
        storeId: store.id,
        source: mappingSource(head.proposal.preset, head.header),
        mapping: {
          orderId: 'Beleg',
          occurredAt: 'Zeit',
          itemName: 'Artikel',
          unitPrice: 'Preis',
          quantity: 'Menge',
        },
      },
    })
    const mapped = await push(key, custom, { contentType: 'text/csv' })
    expect(mapped.body.results).toEqual([{ index: 0, order_id: 'K-1', outcome: 'stored', reasons: [] }])
  })

  it("reads a CSV body whose store column holds the till's own name for the store, as an upload does", async () => {
    const store = await makeStore()
    const { key } = await makeApiKey([store.id])
    const name = `Brooklyn Flagship ${uniq()}`
    await db.storeAlias.create({
      data: { storeId: store.id, name, normalized: normalizeStoreName(name) },
    })
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
    const csv = `order_id,occurred_at,store_code,kind,item_id,item_name,unit_price,quantity\nN-1,${day} 10:00,${name.toUpperCase()},purchase,SKU-1,Mug,12.50,1\n`
    const r = await push(key, csv, { contentType: 'text/csv' })
    expect([r.status, r.body.results]).toEqual([
      200,
      [{ index: 0, order_id: 'N-1', outcome: 'stored', reasons: [] }],
    ])
    expect((await eventsOf(store.id)).map((e) => e.orderId)).toEqual(['N-1'])
  })
})

describe('POST /api/v1/sales: bad input is refused whole, with a JSON 4xx that names the problem', () => {
  async function refused(
    status: number,
    error: string | RegExp,
    req: () => Promise<Awaited<ReturnType<typeof push>>>,
  ) {
    const r = await req()
    expect(r.status).toBe(status)
    expect(r.body.error).toMatch(error)
    expect(r.res.headers.get('content-type')).toContain('application/json')
  }

  it('malformed JSON, not an array, an empty array, a wrong content type', async () => {
    const store = await makeStore()
    const { key } = await makeApiKey([store.id])
    await refused(400, /^The body is not valid JSON/, () => push(key, '[{"order_id": '))
    await refused(400, FEED_MESSAGES.notArray, () => push(key, json({ order_id: '1' })))
    await refused(400, FEED_MESSAGES.empty, () => push(key, '[]'))
    await refused(415, FEED_MESSAGES.contentType, () =>
      push(key, json([feedSale('1')]), { contentType: 'text/plain' }),
    )
    await refused(415, FEED_MESSAGES.contentType, () =>
      push(key, json([feedSale('1')]), { contentType: null }),
    )
    expect(await eventsOf(store.id)).toEqual([])
  })

  it('a CSV body refused for one of its rows names the row once', async () => {
    const store = await makeStore()
    const { key } = await makeApiKey([store.id])
    const csv = `order_id,occurred_at,store_code,kind,item_id,unit_price,quantity\nL-1,2026-03-02 10:00,${store.code},purchase,${'x'.repeat(70_000)},1.00,1\n`
    const r = await push(key, csv, { contentType: 'text/csv' })
    expect([r.status, r.body.error]).toEqual([
      400,
      'Row 2 is longer than 65,536 characters, which a sales row never is. Check that this is the sales export; if a cell really holds that much text, shorten it.',
    ])
    expect(await eventsOf(store.id)).toEqual([])
  })

  it('a store the key may not write, and one that does not exist, alike; the other sales are not stored either', async () => {
    const [mine, theirs] = [await makeStore(), await makeStore()]
    const { key } = await makeApiKey([mine.id])
    const body = json([feedSale('X-1'), feedSale('X-2', { store_code: theirs.code })])
    await refused(403, FEED_MESSAGES.otherStore([theirs.code]), () => push(key, body))
    await refused(403, FEED_MESSAGES.otherStore(['NO-SUCH']), () =>
      push(key, json([feedSale('X-3', { store_code: 'NO-SUCH' })])),
    )
    await refused(403, FEED_MESSAGES.otherStore([theirs.code]), () =>
      push(key, 'order_id\n1\n', { contentType: 'text/csv', query: `?store=${theirs.code}` }),
    )
    // a CSV whose rows name another store: refused whole too, not stored as row problems
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
    const csv = `order_id,occurred_at,store_code,kind,item_id,unit_price,quantity\nX-4,${day} 10:00,${mine.code},purchase,S,1.00,1\nX-5,${day} 10:00,${theirs.code},purchase,S,1.00,1\n`
    await refused(403, FEED_MESSAGES.otherStore([theirs.code]), () =>
      push(key, csv, { contentType: 'text/csv' }),
    )
    expect(await eventsOf(mine.id)).toEqual([])
    expect(await eventsOf(theirs.id)).toEqual([])
  })

  it('a body over the byte limit (declared or streamed), and one sale more than the maximum', async () => {
    const store = await makeStore()
    const { key } = await makeApiKey([store.id])
    const big = `[${' '.repeat(FEED_LIMITS.maxBodyBytes)}]`
    await refused(413, FEED_MESSAGES.tooLarge, () => pushDirect(key, big))
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 3; i++) c.enqueue(new Uint8Array(FEED_LIMITS.maxBodyBytes / 2).fill(32))
        c.close()
      },
    })
    await refused(413, FEED_MESSAGES.tooLarge, () =>
      POST(
        new Request(feedRequest(key, null).url, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: stream,
          duplex: 'half',
        } as RequestInit),
      ).then(async (res) => ({ status: res.status, body: await res.json(), res })),
    )
    const many = Array.from({ length: FEED_LIMITS.maxSales + 1 }, (_, i) => ({ order_id: `M-${i}` }))
    await refused(413, FEED_MESSAGES.tooMany(FEED_LIMITS.maxSales + 1), () => push(key, json(many)))
    const exactly = Array.from({ length: FEED_LIMITS.maxSales }, (_, i) => feedSale(`M-${i}`))
    expect((await push(key, json(exactly))).body.counts.stored).toBe(FEED_LIMITS.maxSales)
  })

  it('a missing, malformed, wrong or revoked key: 401 with the same answer, never a hint which', async () => {
    const store = await makeStore()
    const { key } = await makeApiKey([store.id])
    const revoked = await makeApiKey([store.id], { revoked: true })
    const wrongSecret = `${key.slice(0, 13)}${'A'.repeat(key.length - 13)}`
    const madeUp = `sfk_00000000_${'A'.repeat(43)}`
    const body = json([feedSale('K-1')])
    const answers = []
    for (const k of [null, 'not-a-key', wrongSecret, madeUp, revoked.key]) {
      const r = await push(k, body)
      answers.push([r.status, r.body.error, r.res.headers.get('www-authenticate')])
    }
    expect(answers).toEqual(Array(5).fill([401, KEY_REFUSED, 'Bearer']))
    expect(await eventsOf(store.id)).toEqual([])
  })

  it('rate-limits per key: over the limit gets 429 with Retry-After; another key is not held back', async () => {
    process.env.FEED_RATE_PER_MINUTE = '2'
    const store = await makeStore()
    const one = await makeApiKey([store.id])
    const two = await makeApiKey([store.id])
    const body = json([feedSale('R-1')])
    expect((await push(one.key, body)).status).toBe(200)
    expect((await push(one.key, body)).status).toBe(200)
    const limited = await push(one.key, body)
    expect(limited.status).toBe(429)
    expect(Number(limited.res.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await push(two.key, body)).status).toBe(200)
  })
})

describe('GET /api/v1/openapi.json', () => {
  it('is an OpenAPI 3.1 document whose schemas come from the route’s zod schemas', async () => {
    const res = await openApi(new Request('http://127.0.0.1:3000/api/v1/openapi.json'))
    const doc = await res.json()
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.paths['/api/v1/sales'].post.responses).toHaveProperty('401')
    expect(doc.components.schemas.Sale.properties.kind.enum).toEqual(['purchase', 'return'])
    expect(doc.components.schemas.Sale.properties.items.items).toEqual({
      $ref: '#/components/schemas/SaleItem',
    })
    expect(doc.components.schemas.SaleResult.properties.outcome.enum).toContain('corrected')
    expect(doc.servers).toEqual([{ url: 'http://127.0.0.1:3000' }])
  })
})

describe('Settings → API keys (admin actions)', () => {
  it('creates a key shown once and stored hashed, audits creation, use and revocation; a revoked key is refused', async () => {
    const { createApiKeyAction, revokeApiKeyAction } = await import('./actions')
    const { makeUser, signedIn } = await import('@/lib/auth/test-fixtures')
    const { runAs } = await import('@/lib/auth/testing')
    const store = await makeStore()
    const admin = await makeUser({ role: 'ADMIN' })
    const created = await runAs(signedIn(admin), () =>
      createApiKeyAction({ name: 'Till 1', storeIds: [store.id] }),
    )
    if (!created.ok) throw new Error(created.error)
    const { id, key, prefix } = created.data
    expect(key.startsWith(`${prefix}_`)).toBe(true)
    const row = await db.apiKey.findUniqueOrThrow({ where: { id } })
    expect(JSON.stringify(row)).not.toContain(key)
    expect(row.secretHash).toMatch(/^[0-9a-f]{64}$/)
    expect((await push(key, json([feedSale('AK-1')]))).status).toBe(200)
    const revoked = await runAs(signedIn(admin), () => revokeApiKeyAction({ keyId: id }))
    expect(revoked.ok).toBe(true)
    expect((await push(key, json([feedSale('AK-2')]))).status).toBe(401)
    const trail = await db.auditLog.findMany({ where: { entityId: id }, orderBy: { at: 'asc' } })
    expect(trail.map((t) => t.action)).toEqual(['apiKey.created', 'apiKey.used', 'apiKey.revoked'])
    expect(JSON.stringify(trail)).not.toContain(key)
  })

  it('sets a store’s schedule: daily needs a time, and the next run is that time in the store’s zone', async () => {
    const { setSubmitScheduleAction } = await import('./actions')
    const { makeUser, signedIn } = await import('@/lib/auth/test-fixtures')
    const { runAs } = await import('@/lib/auth/testing')
    const store = await makeStore()
    const admin = signedIn(await makeUser({ role: 'ADMIN' }))
    const missing = await runAs(admin, () => setSubmitScheduleAction({ storeId: store.id, mode: 'DAILY' }))
    expect(missing).toMatchObject({ ok: false, fieldErrors: { dailyAt: [expect.stringContaining('HH:MM')] } })
    const daily = await runAs(admin, () =>
      setSubmitScheduleAction({ storeId: store.id, mode: 'DAILY', dailyAt: '23:30' }),
    )
    if (!daily.ok) throw new Error(daily.error)
    const next = new Date(daily.data.nextRunAt as string)
    expect(next.getTime()).toBeGreaterThan(Date.now())
    // the store is in Europe/Berlin: 23:30 there
    expect(
      new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/Berlin',
        hour: '2-digit',
        minute: '2-digit',
      }).format(next),
    ).toBe('23:30')
    const off = await runAs(admin, () => setSubmitScheduleAction({ storeId: store.id, mode: 'OFF' }))
    expect(off).toMatchObject({ ok: true, data: { mode: 'OFF', nextRunAt: null } })
  })
})
