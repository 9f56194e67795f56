import { describe, expect, it, vi } from 'vitest'
import { getCaller } from '@/lib/auth/caller'
import { makeStore, makeUser, signedIn, uniq } from '@/lib/auth/test-fixtures'
import { runAs } from '@/lib/auth/testing'
import { getBatchDetail, getBatches } from '@/lib/batches/queries'
import { db } from '@/lib/db'
import {
  fixSaleEventGroupAction,
  setSaleEventsExcludedAction,
  updateSaleEventAction,
} from '@/lib/sales/actions'
import { csvCell, EXPORT_HEADERS, exportSaleEventsCsv } from '@/lib/sales/export'
import {
  countFixedReady,
  EMPTY_FILTER,
  getFailureGroups,
  getSaleEventDetail,
  getSaleEvents,
  getSalesFilterOptions,
} from '@/lib/sales/queries'
import { parseSalesSearchParams, salesSearchParamsToQuery } from '@/lib/sales/search-params'
import { CONFLICT_MESSAGES } from '@/lib/sales/table-actions-schema'
import { SALES_TEMPLATE_HEADERS } from '@/lib/uploads/presets'

vi.mock('server-only', () => ({}))

// A store manager's story: their table, inbox, batches and exports show their stores only; a correction
// never overwrites someone else's; a group fix repairs many sales at once.

async function collect(gen: AsyncGenerator<string>) {
  const out: string[] = []
  for await (const chunk of gen) out.push(chunk)
  return out
}

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000)

async function event(
  storeId: string,
  over: Partial<{
    orderId: string
    status: 'INVALID' | 'READY' | 'QUEUED' | 'SUBMITTED' | 'FAILED' | 'EXCLUDED'
    occurredAt: Date | null
    customerId: string
    kind: 'PURCHASE' | 'RETURN'
    issues: { field: string; message: string }[]
    lastError: string
    price: string | null
    itemId: string
  }> = {},
) {
  return db.saleEvent.create({
    data: {
      kind: over.kind ?? 'PURCHASE',
      storeId,
      orderId: over.orderId ?? `T-${uniq()}`,
      occurredAt: over.occurredAt === undefined ? hoursAgo(2) : over.occurredAt,
      customerId: over.customerId ?? null,
      status: over.status ?? 'READY',
      issues: over.issues ?? [],
      lastError: over.lastError ?? null,
      itemCount: 1,
      itemsTotal: over.price === null ? '0' : (over.price ?? '10'),
      lineItems: {
        create: [
          {
            lineNumber: 1,
            role: over.kind === 'RETURN' ? 'RETURNED' : 'PURCHASED',
            itemId: over.itemId ?? 'SKU-T',
            itemName: 'Test item',
            unitPrice: over.price === null ? null : (over.price ?? '10'),
            quantity: 1,
          },
        ],
      },
    },
  })
}

async function world() {
  const a = await makeStore()
  const b = await makeStore()
  const manager = await makeUser({ storeIds: [a.id] })
  const caller = (await runAs(signedIn(manager), () => getCaller()))!
  return { a, b, manager, caller, as: <T>(fn: () => Promise<T>) => runAs(signedIn(manager), fn) }
}

const priceMissing = [{ field: 'lineItems.0.unitPrice', message: 'Price is missing — enter the unit price' }]

describe('the sales table query', () => {
  it('never shows a manager another store, whatever the filter, search or group', async () => {
    const { a, b, caller } = await world()
    const tag = uniq()
    const mine = await event(a.id, { orderId: `MINE-${tag}`, customerId: `C-${tag}` })
    const theirs = await event(b.id, {
      orderId: `THEIRS-${tag}`,
      customerId: `C-${tag}`,
      itemId: `SKU-${tag}`,
    })
    await event(b.id, { status: 'INVALID', issues: priceMissing, price: null })
    const ids = async (query: string) =>
      (await getSaleEvents(caller, parseSalesSearchParams(new URLSearchParams(query)))).rows.map((r) => r.id)

    expect(await ids(`q=${tag}`)).toEqual([mine.id])
    expect(await ids(`q=SKU-${tag}`)).toEqual([])
    expect(await ids(`store=${b.code}`)).toEqual([])
    expect(await ids(`store=${a.code},${b.code}&q=${tag}`)).toEqual([mine.id])
    expect(await ids('')).not.toContain(theirs.id)
    expect((await ids('reason=price-missing')).length).toBe(0)
    const options = await getSalesFilterOptions(caller)
    expect(options.stores.map((s) => s.code)).toEqual([a.code])
    expect(await getFailureGroups(caller)).toEqual([])
    expect(await getSaleEventDetail(caller, theirs.id)).toBeNull()
    const csv = (await collect(exportSaleEventsCsv(caller, { filter: EMPTY_FILTER }))).join('')
    expect(csv).toContain(`MINE-${tag}`)
    expect(csv).not.toContain(`THEIRS-${tag}`)
    const byIds = (await collect(exportSaleEventsCsv(caller, { ids: [mine.id, theirs.id] }))).join('')
    expect(byIds).not.toContain(`THEIRS-${tag}`)
  })

  it('filters by status, kind, local date, search over order, item and customer, and sorts on the server', async () => {
    const { a, caller } = await world()
    const tag = uniq()
    const old = await event(a.id, { orderId: `${tag}-1`, occurredAt: hoursAgo(24 * 5) })
    const ret = await event(a.id, { orderId: `${tag}-2`, kind: 'RETURN' })
    const bad = await event(a.id, {
      orderId: `${tag}-3`,
      status: 'INVALID',
      issues: priceMissing,
      price: null,
    })
    const item = await event(a.id, { orderId: `X-${uniq()}`, itemId: `ITEM-${tag}` })
    const cust = await event(a.id, { orderId: `Y-${uniq()}`, customerId: `cust-${tag}` })
    const rows = async (query: string) =>
      (await getSaleEvents(caller, parseSalesSearchParams(new URLSearchParams(query)))).rows.map((r) => r.id)

    expect(await rows(`q=${tag}&kind=RETURN`)).toEqual([ret.id])
    expect(await rows(`q=${tag}&status=INVALID`)).toEqual([bad.id])
    expect(await rows(`q=ITEM-${tag}`)).toEqual([item.id])
    expect(await rows(`q=cust-${tag}`)).toEqual([cust.id])
    // a store-local date range (Europe/Berlin test stores)
    const fiveDaysAgo = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(
      old.occurredAt!,
    )
    expect(await rows(`q=${tag}&from=${fiveDaysAgo}&to=${fiveDaysAgo}`)).toEqual([old.id])
    expect(await rows(`q=${tag}-&sort=orderId.asc`)).toEqual([old.id, ret.id, bad.id])
    expect(await rows(`q=${tag}-&sort=orderId.desc`)).toEqual([bad.id, ret.id, old.id])
    const page = await getSaleEvents(caller, parseSalesSearchParams(new URLSearchParams(`q=${tag}-&size=25`)))
    expect(page.rowCount).toBe(3)
    expect(page.rows.find((r) => r.id === bad.id)?.reason).toBe(priceMissing[0]!.message)
  })

  it('keeps its state in a URL that reads back the same', () => {
    const p = parseSalesSearchParams(
      new URLSearchParams(
        'status=FAILED,INVALID,BOGUS&store=A&sort=revenue.asc&page=3&size=100&q=x&from=2026-01-01',
      ),
    )
    expect(p.status).toEqual(['FAILED', 'INVALID'])
    expect(parseSalesSearchParams(salesSearchParamsToQuery(p))).toEqual(p)
    expect(parseSalesSearchParams(new URLSearchParams('page=-4&size=7&sort=nope')).page).toBe(1)
  })
})

describe('inline correction', () => {
  const edit = (storeId: string, orderId: string) => ({
    kind: 'PURCHASE' as const,
    storeId,
    orderId,
    occurredAt: hoursAgo(3),
    lineItems: [{ role: 'PURCHASED' as const, itemId: 'SKU-FIXED', unitPrice: '4.50', quantity: 2 }],
  })

  it('saves a valid correction once; a stale version or a queued sale is refused, never overwritten', async () => {
    const { a, as } = await world()
    const e = await event(a.id, { status: 'INVALID', issues: priceMissing, price: null })
    const saved = await as(() =>
      updateSaleEventAction({ eventId: e.id, version: 1, event: edit(a.id, e.orderId) }),
    )
    expect(saved).toEqual({ ok: true, data: { version: 2, status: 'READY' } })
    const after = await db.saleEvent.findUniqueOrThrow({ where: { id: e.id }, include: { lineItems: true } })
    expect(after.itemsTotal.toString()).toBe('9')
    expect(after.lineItems.map((l) => l.itemId)).toEqual(['SKU-FIXED'])
    // the trail records exactly what changed, before → after
    const trail = await db.auditLog.findFirstOrThrow({ where: { action: 'sale.edited', entityId: e.id } })
    const details = trail.details as {
      orderId: string
      before: Record<string, unknown>
      after: Record<string, unknown>
    }
    expect(details.orderId).toBe(e.orderId)
    expect(details.before).toMatchObject({ status: 'INVALID', version: '1' })
    expect(details.after).toMatchObject({ status: 'READY', version: '2', 'line 1': 'SKU-FIXED · 2 × 4.5' })
    expect(Object.keys(details.after)).not.toContain('orderId')

    // someone else saved version 2 meanwhile: the second tab's save with version 1 is refused
    const stale = await as(() =>
      updateSaleEventAction({ eventId: e.id, version: 1, event: edit(a.id, 'OVERWRITE') }),
    )
    expect(stale).toEqual({ ok: false, error: CONFLICT_MESSAGES.changed })
    expect((await db.saleEvent.findUniqueOrThrow({ where: { id: e.id } })).orderId).toBe(e.orderId)

    const conn = await db.constructorConnection.create({
      data: { baseUrl: 'http://127.0.0.1:9', apiKey: 'k' },
    })
    const batch = await db.batch.create({ data: { connectionId: conn.id, eventCount: 1 } })
    await db.saleEvent.update({
      where: { id: e.id },
      data: { status: 'QUEUED', version: 3, openBatchId: batch.id },
    })
    const queued = await as(() =>
      updateSaleEventAction({ eventId: e.id, version: 3, event: edit(a.id, 'Q') }),
    )
    expect(queued).toEqual({ ok: false, error: CONFLICT_MESSAGES.queued })
  })

  it('parses with the shared schema on the server too', async () => {
    const { a, as } = await world()
    const e = await event(a.id)
    const r = await as(() =>
      updateSaleEventAction({
        eventId: e.id,
        version: 1,
        event: {
          ...edit(a.id, e.orderId),
          lineItems: [{ role: 'PURCHASED', itemId: 'X', unitPrice: '', quantity: 1 }],
        },
      }),
    )
    expect(r.ok).toBe(false)
    expect(!r.ok && r.fieldErrors?.['event.lineItems.0.unitPrice']).toEqual([
      'Price is missing — enter the unit price',
    ])
  })

  it('shows every batch an event was in, the open one pending with its place; history goes with the event or batch', async () => {
    const { a, caller } = await world()
    const conn = await db.constructorConnection.create({
      data: { baseUrl: 'http://127.0.0.1:9', apiKey: 'k' },
    })
    const failed = await db.batch.create({ data: { connectionId: conn.id, eventCount: 2, status: 'FAILED' } })
    const open = await db.batch.create({ data: { connectionId: conn.id, eventCount: 2 } })
    const [first, e] = [await event(a.id), await event(a.id)]
    await db.saleEvent.updateMany({
      where: { id: { in: [first.id, e.id] } },
      data: { status: 'QUEUED', openBatchId: open.id },
    })
    // a batch keeps the ids it was made with: its open events are found through them
    await db.batch.update({ where: { id: open.id }, data: { eventIds: [first.id, e.id].sort() } })
    await db.batchEvent.create({
      data: { batchId: failed.id, eventId: e.id, position: 1, outcome: 'FAILED', error: 'HTTP 500' },
    })
    const detail = await getSaleEventDetail(caller, e.id)
    expect(detail?.batchEvents.map((b) => [b.batchId, b.outcome, b.position])).toEqual([
      [failed.id, 'FAILED', 1],
      // second in id order among the open batch's events: its place in the next request
      [open.id, 'PENDING', first.id < e.id ? 1 : 0],
    ])
    await db.batch.delete({ where: { id: failed.id } })
    expect(await db.batchEvent.count({ where: { batchId: failed.id } })).toBe(0)
    const other = await db.batch.create({
      data: { connectionId: conn.id, eventCount: 1, status: 'CANCELLED' },
    })
    await db.batchEvent.create({
      data: { batchId: other.id, eventId: first.id, position: 0, outcome: 'CANCELLED' },
    })
    await db.saleEvent.delete({ where: { id: first.id } })
    expect(await db.batchEvent.count({ where: { eventId: first.id } })).toBe(0)
  })

  it('searches ids as they are now: after an edit, a status change and a delete; reasons follow fixes', async () => {
    const { a, caller, as } = await world()
    const tag = uniq()
    const ids = async (query: string) =>
      (await getSaleEvents(caller, parseSalesSearchParams(new URLSearchParams(query)))).rows.map((r) => r.id)
    const e = await event(a.id, {
      orderId: `OLD-${tag}`,
      customerId: `C-OLD-${tag}`,
      status: 'INVALID',
      issues: priceMissing,
      price: null,
    })
    expect(await ids(`q=OLD-${tag}`)).toEqual([e.id])
    expect(await ids(`reason=price-missing&q=${tag}`)).toEqual([e.id])
    // the correction renames the order and drops the customer (search rows are kept by database triggers)
    const saved = await as(() =>
      updateSaleEventAction({ eventId: e.id, version: 1, event: edit(a.id, `NEW-${tag}`) }),
    )
    expect(saved).toMatchObject({ ok: true, data: { status: 'READY' } })
    expect(await ids(`q=NEW-${tag}`)).toEqual([e.id])
    expect(await ids(`q=OLD-${tag}`)).toEqual([])
    expect(await ids(`q=C-OLD-${tag}`)).toEqual([])
    // no longer INVALID: out of the reason group
    expect(await ids(`reason=price-missing&q=${tag}`)).toEqual([])
    // a raw customer change (any writer, not only the app's actions) is seen too; status writes keep the row
    await db.saleEvent.update({
      where: { id: e.id },
      data: { customerId: `C-NEW-${tag}`, status: 'SUBMITTED' },
    })
    expect(await ids(`q=C-NEW-${tag}`)).toEqual([e.id])
    await db.saleEvent.delete({ where: { id: e.id } })
    expect(await db.saleEventSearch.count({ where: { eventId: e.id } })).toBe(0)
  })
})

describe('the failures inbox', () => {
  it('groups by reason and fixes a group at once; excluded sales can be included again', async () => {
    const { a, caller, as } = await world()
    const tag = uniq()
    const broken = await Promise.all(
      [1, 2, 3].map(() =>
        event(a.id, { status: 'INVALID', issues: priceMissing, price: null, itemId: `P-${tag}` }),
      ),
    )
    await event(a.id, { status: 'FAILED', lastError: `item_id ${tag} is not allowed` })
    const groups = await getFailureGroups(caller)
    expect(groups.find((g) => g.code === 'price-missing')).toMatchObject({ events: 3, fix: 'setPrice' })
    expect(groups.find((g) => g.code === `api:item_id ${tag} is not allowed`)).toMatchObject({ events: 1 })

    const r = await as(() =>
      fixSaleEventGroupAction({
        reason: 'price-missing',
        fix: { type: 'setPrice', prices: [{ itemId: `P-${tag}`, itemName: 'Test item', unitPrice: '3.20' }] },
      }),
    )
    expect(r).toMatchObject({ ok: true, data: { touched: 3, ready: 3 } })
    const fixed = await db.saleEvent.findMany({ where: { id: { in: broken.map((b) => b.id) } } })
    expect(fixed.map((f) => [f.status, f.itemsTotal.toString(), f.issues])).toEqual([
      ['READY', '3.2', []],
      ['READY', '3.2', []],
      ['READY', '3.2', []],
    ])
    expect(await countFixedReady(caller)).toBeGreaterThanOrEqual(3)

    const ex = await as(() => setSaleEventsExcludedAction({ eventIds: [broken[0]!.id], excluded: true }))
    expect(ex).toMatchObject({ ok: true, data: { count: 1 } })
    const inc = await as(() => setSaleEventsExcludedAction({ eventIds: [broken[0]!.id], excluded: false }))
    expect(inc).toMatchObject({ ok: true, data: { count: 1 } })
    expect((await db.saleEvent.findUniqueOrThrow({ where: { id: broken[0]!.id } })).status).toBe('READY')
  })

  it('sets a missing time in each store’s own zone', async () => {
    const { a, as } = await world()
    const e = await event(a.id, {
      status: 'INVALID',
      occurredAt: null,
      issues: [
        { field: 'occurredAt', message: 'Sale date is missing — enter the date and time of the sale' },
      ],
    })
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin' }).format(hoursAgo(48))
    const r = await as(() =>
      fixSaleEventGroupAction({
        reason: 'time-missing',
        fix: { type: 'setTime', localTime: `${day}T10:30` },
      }),
    )
    expect(r.ok).toBe(true)
    const after = await db.saleEvent.findUniqueOrThrow({ where: { id: e.id } })
    expect(after.status).toBe('READY')
    expect(
      new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', timeStyle: 'short' }).format(
        after.occurredAt!,
      ),
    ).toBe('10:30')
  })
})

describe('the problems export', () => {
  it('writes the upload template plus the order total and the problem, neutralising spreadsheet formulas', async () => {
    expect(EXPORT_HEADERS.slice(0, SALES_TEMPLATE_HEADERS.length)).toEqual([...SALES_TEMPLATE_HEADERS])
    for (const danger of ['=SUM(A1)', '+1', '-2+3', '@cmd', '\tx', '\rx'])
      expect(csvCell(danger).replace(/^"/, '').startsWith("'")).toBe(true)
    expect(csvCell('a,b "c"')).toBe('"a,b ""c"""')
    expect(csvCell('plain')).toBe('plain')

    const { a, caller } = await world()
    const e = await event(a.id, {
      status: 'INVALID',
      issues: priceMissing,
      price: null,
      orderId: `=HYPERLINK(${uniq()})`,
    })
    const csv = (await collect(exportSaleEventsCsv(caller, { ids: [e.id] }))).join('').replace(/^\uFEFF/, '')
    const [header, line] = csv.split('\r\n')
    expect(header).toBe([...SALES_TEMPLATE_HEADERS, 'revenue', 'problem'].join(','))
    expect(line?.startsWith(`'=HYPERLINK`)).toBe(true)
    expect(line).toContain(`,${a.code},`)
    expect(line).toContain(',purchase,SKU-T,Test item,,,1,,')
    expect(line?.endsWith(priceMissing[0]!.message)).toBe(true)
  })
})

describe('batches', () => {
  it('count only the manager’s sales and hide answers that could name other stores', async () => {
    const { a, b, caller } = await world()
    const conn = await db.constructorConnection.create({
      data: { baseUrl: 'http://127.0.0.1:9', apiKey: 'k' },
    })
    const ea = await event(a.id, { status: 'FAILED' })
    const eb = await event(b.id, { status: 'FAILED' })
    const mixed = await db.batch.create({
      data: {
        connectionId: conn.id,
        eventCount: 2,
        status: 'FAILED',
        lastError: `order ${eb.orderId} refused`,
      },
    })
    const onlyB = await db.batch.create({ data: { connectionId: conn.id, eventCount: 1, status: 'FAILED' } })
    await db.batchEvent.createMany({
      data: [
        { batchId: mixed.id, eventId: ea.id, position: 0, outcome: 'FAILED' },
        { batchId: mixed.id, eventId: eb.id, position: 1, outcome: 'FAILED', error: 'refused' },
        { batchId: onlyB.id, eventId: eb.id, position: 0, outcome: 'FAILED' },
      ],
    })
    const { rows } = await getBatches(caller, { page: 1, size: 100, status: [] })
    const row = rows.find((r) => r.id === mixed.id)
    expect(row).toMatchObject({ events: 1, failed: 1, lastError: null })
    expect(rows.map((r) => r.id)).not.toContain(onlyB.id)
    const detail = await getBatchDetail(caller, mixed.id)
    expect(detail?.events.map((e) => e.id)).toEqual([ea.id])
    expect(detail?.batch.lastError).toBeNull()
    expect(detail?.mine).toBe(false)
    expect(await getBatchDetail(caller, onlyB.id)).toBeNull()
  })
})
