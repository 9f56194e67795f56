import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import iconv from 'iconv-lite'
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest'
import { loadCaller } from '@/lib/auth/caller'
import { makeStore, makeUser, uniq } from '@/lib/auth/test-fixtures'
import { sessionFor } from '@/lib/auth/testing'
import { readReceivedRecords } from '@/lib/constructor/sandbox/server'
import { startTestSandbox } from '@/lib/constructor/testing/sandbox'
import { closeDbPool, db, dbPool } from '@/lib/db'
import { submitEvents } from '@/lib/submission/submit'
import { createConnection, waitFor, withPg } from '@/lib/submission/testing'
import { startSubmissionWorker } from '@/lib/submission/worker'
import { parseSalesFile } from '../parse-sales-file'
import { SALES_TEMPLATE_CSV } from '../presets'
import type { ParsedSaleEvent } from '../types'
import { hasUploadFile, readUploadFile } from './files'
import { commitUpload, type IngestStore, previewUpload, STORE_FAILED_MESSAGE } from './ingest'
import { receiveUpload } from './receive'

vi.mock('server-only', () => ({}))

// Storage over the fixture corpus: what the parser reads is exactly what lands in SaleEvent and
// LineItem; re-uploads are skipped, updated or stored as corrections; broken files store nothing.
const NOW = new Date('2026-03-10T12:00:00Z')
const FIXTURES = path.resolve(import.meta.dirname, '../__fixtures__')

type Store = Awaited<ReturnType<typeof makeStore>>
let manager: Awaited<ReturnType<typeof makeUser>>
let ber: Store
let other: Store
let stores: IngestStore[]

const ingestStore = (s: Store): IngestStore => ({
  id: s.id,
  code: s.code,
  timeZone: s.timeZone,
  latitude: s.latitude,
  longitude: s.longitude,
})

beforeAll(async () => {
  ber = await makeStore({ code: `BER-${uniq()}` })
  other = await makeStore({ code: `OTH-${uniq()}` })
  manager = await makeUser({ storeIds: [ber.id, other.id] })
  stores = [ingestStore(ber), ingestStore(other)]
})
afterAll(async () => {
  await closeDbPool()
})

async function caller() {
  const c = await loadCaller(sessionFor(manager))
  if (!c) throw new Error('no caller')
  return c
}

/** the fixture with its store codes swapped for this run's unique ones */
function fixture(name: string, swaps: Record<string, string>): Buffer {
  const raw = fs.readFileSync(path.join(FIXTURES, name))
  let text = raw.toString('latin1')
  for (const [from, to] of Object.entries(swaps)) text = text.replaceAll(from, to)
  return Buffer.from(text, 'latin1')
}

async function upload(bytes: Buffer, storeId: string | null = ber.id) {
  const outcome = await receiveUpload({
    caller: await caller(),
    storeId,
    fileName: 'sales.csv',
    contentLength: bytes.length,
    body: (async function* () {
      for (let i = 0; i < bytes.length; i += 100) yield bytes.subarray(i, i + 100)
    })(),
    ip: '127.0.0.1',
  })
  if (!outcome.ok) throw new Error(outcome.error)
  return outcome
}

async function preview(uploadId: string, defaultStoreCode: string | undefined = ber.code) {
  const u = await db.upload.findUniqueOrThrow({ where: { id: uploadId } })
  return previewUpload({
    uploadId,
    sizeBytes: Number(u.sizeBytes),
    sha256: u.sha256,
    storeId: u.storeId,
    stores,
    ...(defaultStoreCode !== undefined && { defaultStoreCode }),
    settings: {},
    now: NOW,
  })
}

const commit = (uploadId: string, defaultStoreCode: string | undefined = ber.code) =>
  commitUpload({
    uploadId,
    actor: { userId: manager.id, email: manager.email },
    stores,
    ...(defaultStoreCode !== undefined && { defaultStoreCode }),
    now: NOW,
  })

async function uploadAndCommit(
  bytes: Buffer,
  storeId: string | null = ber.id,
  code: string | undefined = ber.code,
) {
  const { uploadId } = await upload(bytes, storeId)
  const p = await preview(uploadId, code)
  const summary = await commit(uploadId, code)
  return { uploadId, preview: p, summary }
}

/** a stored event as the comparison sees it (decimals as canonical strings) */
async function storedEvents(where: { uploadId?: string; storeId?: string }) {
  const rows = await db.saleEvent.findMany({
    where,
    include: { lineItems: { orderBy: { lineNumber: 'asc' } } },
    orderBy: [{ occurredAt: 'asc' }, { orderId: 'asc' }, { kind: 'asc' }],
  })
  return rows.map((e) => ({
    kind: e.kind,
    storeId: e.storeId,
    orderId: e.orderId,
    orderIdGenerated: e.orderIdGenerated,
    occurredAt: e.occurredAt,
    customerId: e.customerId,
    revenue: e.revenue?.toString() ?? null,
    refund: e.refund?.toString() ?? null,
    returnExpenses: e.returnExpenses?.toString() ?? null,
    returnShippingCost: e.returnShippingCost?.toString() ?? null,
    returnReason: e.returnReason,
    returnType: e.returnType,
    returnPreference: e.returnPreference,
    returnDropOff: e.returnDropOff,
    status: e.status,
    issues: e.issues,
    itemCount: e.itemCount,
    itemsTotal: e.itemsTotal.toString(),
    contentHash: e.contentHash,
    lineItems: e.lineItems.map((li) => ({
      lineNumber: li.lineNumber,
      role: li.role,
      itemId: li.itemId,
      itemName: li.itemName,
      variationId: li.variationId,
      unitPrice: li.unitPrice?.toString() ?? null,
      quantity: li.quantity,
    })),
  }))
}

/** the parser's events in the stored shape: what storage must have written, field for field */
function asStored(events: ParsedSaleEvent[]) {
  return events
    .map((e) => ({
      kind: e.kind,
      storeId: e.storeId,
      orderId: e.orderId,
      orderIdGenerated: e.orderIdGenerated,
      occurredAt: e.occurredAt,
      customerId: e.customerId,
      revenue: e.revenue,
      refund: e.refund,
      returnExpenses: e.returnExpenses,
      returnShippingCost: e.returnShippingCost,
      returnReason: e.returnReason,
      returnType: e.returnType,
      returnPreference: e.returnPreference,
      returnDropOff: e.returnDropOff,
      status: e.status,
      issues: e.issues,
      itemCount: e.itemCount,
      itemsTotal: e.itemsTotal,
      contentHash: e.contentHash,
      lineItems: e.lineItems,
    }))
    .sort(
      (a, b) =>
        (a.occurredAt?.getTime() ?? 0) - (b.occurredAt?.getTime() ?? 0) ||
        a.orderId.localeCompare(b.orderId) ||
        a.kind.localeCompare(b.kind),
    )
}

async function parsed(bytes: Buffer, defaultStoreCode: string | undefined) {
  const byCode = Object.fromEntries(stores.map((s) => [s.code, { id: s.id, timeZone: s.timeZone }]))
  return parseSalesFile(bytes, {
    stores: byCode,
    ...(defaultStoreCode !== undefined && { defaultStoreCode }),
    now: NOW,
  })
}

describe('storing the fixture corpus', () => {
  it('stores our template exactly: a purchase, a return and a sale with a generated order number', async () => {
    const bytes = Buffer.from(SALES_TEMPLATE_CSV.replaceAll('BER-01', ber.code))
    const { uploadId, summary } = await uploadAndCommit(bytes)
    const stored = await storedEvents({ uploadId })
    expect(stored).toEqual(asStored((await parsed(bytes, ber.code)).events))
    expect(stored.map((e) => [e.kind, e.orderId, e.status, e.itemsTotal, e.lineItems.length])).toEqual([
      ['PURCHASE', '1001', 'READY', '29', 2],
      ['PURCHASE', expect.stringMatching(/^GEN-/), 'READY', '2', 1],
      ['RETURN', '1001', 'READY', '12.5', 1],
    ])
    expect(stored[1]?.orderIdGenerated).toBe(true)
    expect(stored[0]?.lineItems[1]).toEqual({
      lineNumber: 2,
      role: 'PURCHASED',
      itemId: 'TOWEL-01',
      itemName: 'Tea towel, linen',
      variationId: null,
      unitPrice: '4',
      quantity: 1,
    })
    expect(summary).toMatchObject({ noOp: false, counts: { events: 3, new: 3, validEvents: 3, returns: 1 } })
    const row = await db.upload.findUniqueOrThrow({ where: { id: uploadId } })
    expect(row).toMatchObject({
      status: 'COMMITTED',
      rowCount: 4,
      eventCount: 3,
      validEventCount: 3,
      invalidRowCount: 0,
      returnCount: 1,
      source: 'template',
    })
    // the file is gone once stored; the audit trail says who stored it
    expect(await hasUploadFile(dbPool(), uploadId)).toBe(false)
    expect(await db.auditLog.count({ where: { entityId: uploadId, action: 'upload.committed' } })).toBe(1)
  })

  it.each([
    ['european-excel.csv', 'utf-8'],
    ['european-excel.csv', 'windows-1252'],
    ['quoting-and-titles.csv', 'utf-8'],
  ])('stores %s (%s) exactly as read, invalid events with their reasons', async (name, encoding) => {
    const code = `EU-${uniq()}`
    const store = await makeStore({ code })
    await db.storeMembership.create({ data: { userId: manager.id, storeId: store.id } })
    stores.push(ingestStore(store))
    const text = fixture(name, { 'BER-01': code }).toString('utf8')
    const bytes = encoding === 'utf-8' ? Buffer.from(text) : iconv.encode(text, 'windows-1252')
    const { uploadId, preview: p } = await uploadAndCommit(bytes, store.id, code)
    const expected = asStored((await parsed(bytes, code)).events)
    expect(await storedEvents({ uploadId })).toEqual(expected)
    expect(expected.length).toBeGreaterThan(1)
    // every INVALID event carries the reasons the preview showed
    const invalid = expected.filter((e) => e.status === 'INVALID')
    expect(p.counts.invalidEvents).toBe(invalid.length)
    for (const e of invalid) {
      expect(e.issues.length).toBeGreaterThan(0)
      for (const i of e.issues)
        expect(p.problems).toContainEqual(expect.objectContaining({ field: i.field, message: i.message }))
    }
  })

  it('stores the Shopify export: the store from its Location column, the upload store for the rest', async () => {
    const mitte = `MIT-${uniq()}`
    const store = await makeStore({ code: mitte })
    await db.storeMembership.create({ data: { userId: manager.id, storeId: store.id } })
    stores.push(ingestStore(store))
    const bytes = fixture('shopify-orders.csv', { Mitte: mitte })
    const { uploadId } = await uploadAndCommit(bytes, other.id, other.code)
    const expected = asStored((await parsed(bytes, other.code)).events)
    expect(await storedEvents({ uploadId })).toEqual(expected)
    expect(new Set(expected.map((e) => e.storeId))).toEqual(new Set([store.id, other.id]))
  })

  it('stores a Shopify POS export at the prices its customers paid, without their email addresses', async () => {
    const flagship = `BKN-${uniq()}`
    const store = await makeStore({ code: flagship })
    await db.storeMembership.create({ data: { userId: manager.id, storeId: store.id } })
    stores.push(ingestStore(store))
    // the till's shop names as store codes (naming a store's tills is another change)
    const bytes = fixture('shopify-pos-orders.csv', {
      'Brooklyn Flagship': flagship,
      'Williamsburg Pop-Up': other.code,
    })
    const { uploadId } = await uploadAndCommit(bytes, null, undefined)
    const stored = await storedEvents({ uploadId })
    expect(stored).toEqual(asStored((await parsed(bytes, undefined)).events))
    const mugs = stored.find((e) => e.orderId === '#B1001')
    expect(mugs?.lineItems.map((li) => [li.itemId, li.unitPrice, li.quantity])).toEqual([
      ['MUG-SAGE-L', '16.2', 2],
      ['TOWEL-LIN', '12', 1],
    ])
    expect(stored.map((e) => e.customerId)).toEqual(stored.map(() => null))
    expect(stored.filter((e) => e.kind === 'RETURN').map((e) => [e.orderId, e.refund])).toEqual([
      ['#B1002', '14.4'],
    ])
  })

  it('stores a Toast export net of its discounts, keeping the voided milkshake as a row issue with its reason', async () => {
    const dumbo = `DUM-${uniq()}`
    const store = await makeStore({ code: dumbo })
    await db.storeMembership.create({ data: { userId: manager.id, storeId: store.id } })
    stores.push(ingestStore(store))
    const bytes = fixture('toast-item-selection-details.csv', {
      'Dumbo Waterfront': dumbo,
      'Cobble Hill Kitchen': other.code,
    })
    const { uploadId, summary } = await uploadAndCommit(bytes, null, undefined)
    const result = await parsed(bytes, undefined)
    const stored = await storedEvents({ uploadId })
    expect(stored).toEqual(asStored(result.events))
    expect(
      stored.map((e) => [e.orderId, e.lineItems.map((li) => [li.itemId, li.unitPrice, li.quantity])]),
    ).toEqual([
      [
        '400000017654321',
        [
          ['BRG-CLASSIC', '15.3', 2],
          ['FRY-REG', '6', 1],
        ],
      ],
      ['400000017654322', [[null, '64', 1]]],
      ['400000017654323', [['SPR-LEM', '9', 3]]],
    ])
    const issues = await db.uploadRowIssue.findMany({ where: { uploadId } })
    expect(issues.map((i) => [i.rowNumber, (i.reasons as { field: string }[]).map((r) => r.field)])).toEqual([
      [5, ['voided']],
    ])
    expect(summary.counts).toMatchObject({ rowIssues: 1 })
  })

  it('stores a Loyverse export with its Refund receipt as a return at the price paid, without customer contacts', async () => {
    const marina = `MAR-${uniq()}`
    const store = await makeStore({ code: marina })
    await db.storeMembership.create({ data: { userId: manager.id, storeId: store.id } })
    stores.push(ingestStore(store))
    const bytes = fixture('loyverse-receipts-by-item.csv', {
      'Marina Walk': marina,
      'Old Town Kiosk': other.code,
    })
    const { uploadId, summary } = await uploadAndCommit(bytes, null, undefined)
    const stored = await storedEvents({ uploadId })
    expect(stored).toEqual(asStored((await parsed(bytes, undefined)).events))
    expect(stored.map((e) => [e.kind, e.orderId, e.customerId])).toEqual([
      ['PURCHASE', '1-1001', null],
      ['PURCHASE', '1-1002', null],
      ['RETURN', '1-1003', null],
      ['PURCHASE', '2-0410', null],
    ])
    expect(stored.find((e) => e.kind === 'RETURN')?.lineItems.map((li) => [li.itemId, li.unitPrice])).toEqual(
      [['10001', '4.05']],
    )
    expect(JSON.stringify(stored)).not.toContain('@example.com')
    expect(summary.counts).toMatchObject({ rowIssues: 0 })
  })

  it('keeps the Square rows of an unknown store as row issues with their cells and reason', async () => {
    const downtown = `DT-${uniq()}`
    const store = await makeStore({ code: downtown })
    await db.storeMembership.create({ data: { userId: manager.id, storeId: store.id } })
    stores.push(ingestStore(store))
    const bytes = fixture('square-item-sales.csv', { Downtown: downtown })
    const { uploadId, summary } = await uploadAndCommit(bytes, null, undefined)
    const result = await parsed(bytes, undefined)
    expect(await storedEvents({ uploadId })).toEqual(asStored(result.events))
    const issues = await db.uploadRowIssue.findMany({ where: { uploadId }, orderBy: { rowNumber: 'asc' } })
    expect(issues.map((i) => ({ rowNumber: i.rowNumber, raw: i.raw, reasons: i.reasons }))).toEqual(
      result.rowIssues.map((i) => ({ rowNumber: i.rowNumber, raw: i.raw, reasons: i.reasons })),
    )
    expect(issues.map((i) => i.rowNumber)).toEqual([6])
    expect(summary.counts).toMatchObject({ rowIssues: 1, invalidRows: 1 })
  })
})

describe('values no column can hold', () => {
  it('stores the sale as INVALID with its reasons, the columns empty, instead of failing the file', async () => {
    const day = '2026-03-09'
    const { uploadId, summary } = await uploadAndCommit(
      Buffer.from(
        `order_id,occurred_at,store_code,item_id,unit_price,quantity\nBIGQ-${uniq()},${day} 10:00,${ber.code},A,2.50,99999999999\nBIGP-${uniq()},${day} 11:00,${ber.code},B,99999999999999999.5,1\nOK-${uniq()},${day} 12:00,${ber.code},C,99999999999999.9999,1\n`,
      ),
    )
    expect(summary.counts).toMatchObject({ events: 3, new: 3 })
    const stored = await storedEvents({ uploadId })
    expect(
      stored.map((e) => [e.status, e.lineItems[0]?.quantity, e.lineItems[0]?.unitPrice, e.itemsTotal]),
    ).toEqual([
      ['INVALID', null, '2.5', '249999999997.5'],
      ['INVALID', 1, null, '0'],
      // the largest amount the column holds is kept as it is
      ['READY', 1, '99999999999999.9999', '99999999999999.9999'],
    ])
    expect(stored[0]?.issues).toEqual([
      expect.objectContaining({
        field: 'lineItems.0.quantity',
        message: expect.stringContaining('99999999999'),
      }),
    ])
    expect(stored[1]?.issues).toEqual([
      expect.objectContaining({
        field: 'lineItems.0.unitPrice',
        message: expect.stringContaining('99999999999999999.5'),
      }),
    ])
  })
})

describe('the same orders again', () => {
  const csv = (code: string, price: string, order = 'R-1') =>
    Buffer.from(
      `order_id,occurred_at,store_code,kind,item_id,item_name,unit_price,quantity\n${order},2026-03-02 14:05,${code},purchase,SKU-1,Mug,${price},1\n${order}-B,2026-03-02 15:05,${code},purchase,SKU-2,Plate,3.00,2\n`,
    )

  it('recognises the same file by its hash: the preview says so and the commit is a no-op', async () => {
    const code = `RE-${uniq()}`
    const store = await makeStore({ code })
    stores.push(ingestStore(store))
    await db.storeMembership.create({ data: { userId: manager.id, storeId: store.id } })
    const first = await uploadAndCommit(csv(code, '12.50'), store.id, code)
    const before = await storedEvents({ storeId: store.id })
    const again = await upload(csv(code, '12.50'), store.id)
    expect(again.sameFileAs).toBe(first.uploadId)
    const p = await preview(again.uploadId, code)
    expect(p.sameFileAs?.uploadId).toBe(first.uploadId)
    expect(p.counts).toMatchObject({ events: 2, new: 0, unchanged: 2 })
    const summary = await commit(again.uploadId, code)
    expect(summary).toMatchObject({ noOp: true, counts: { new: 0, unchanged: 2 } })
    expect(await storedEvents({ storeId: store.id })).toEqual(before)
    expect(await db.saleEvent.count({ where: { uploadId: again.uploadId } })).toBe(0)
  })

  it('updates a changed unsent order, stores a sent one as a correction, and leaves a queued one alone', async () => {
    const code = `CH-${uniq()}`
    const store = await makeStore({ code })
    stores.push(ingestStore(store))
    await db.storeMembership.create({ data: { userId: manager.id, storeId: store.id } })
    const third = (price: string) =>
      Buffer.concat([
        csv(code, price),
        Buffer.from(`R-1-C,2026-03-02 16:05,${code},purchase,SKU-3,Cup,${price},1\n`),
      ])
    await uploadAndCommit(third('12.50'), store.id, code)
    const [r1, r1b, r1c] = await Promise.all(
      ['R-1', 'R-1-B', 'R-1-C'].map((orderId) =>
        db.saleEvent.findFirstOrThrow({ where: { storeId: store.id, orderId } }),
      ),
    )
    // R-1 stays unsent, R-1-B was sent, R-1-C is in a batch being sent
    await db.saleEvent.update({
      where: { id: r1b!.id },
      data: { status: 'SUBMITTED', submittedAt: new Date() },
    })
    const connection = await db.constructorConnection.create({
      data: { baseUrl: 'http://127.0.0.1:9', apiKey: 'k' },
    })
    const batch = await db.batch.create({ data: { connectionId: connection.id, eventCount: 1 } })
    await db.saleEvent.update({ where: { id: r1c!.id }, data: { status: 'QUEUED', openBatchId: batch.id } })

    // the second file changes every price of R-1 and R-1-C, and the quantity of R-1-B
    const changed = Buffer.from(third('13.00').toString().replace(`SKU-2,Plate,3.00,2`, `SKU-2,Plate,3.00,5`))
    const { uploadId, preview: p, summary } = await uploadAndCommit(changed, store.id, code)
    expect(p.counts).toMatchObject({ events: 3, new: 0, unchanged: 0, updated: 1, corrections: 1, queued: 1 })
    expect(p.queuedOrders).toEqual(['R-1-C'])
    expect(summary.counts).toMatchObject({ new: 0, updated: 1, corrections: 1, queued: 1 })

    const after = await db.saleEvent.findMany({
      where: { storeId: store.id },
      include: { lineItems: true },
      orderBy: { orderId: 'asc' },
    })
    const byOrder = Object.fromEntries(after.map((e) => [e.orderId, e]))
    expect(byOrder['R-1']).toMatchObject({
      id: r1!.id,
      status: 'READY',
      version: 2,
      isCorrection: false,
      uploadId,
    })
    expect(byOrder['R-1']?.lineItems.map((l) => l.unitPrice?.toString())).toEqual(['13'])
    expect(byOrder['R-1-B']).toMatchObject({
      id: r1b!.id,
      status: 'READY',
      version: 2,
      isCorrection: true,
      uploadId,
    })
    expect(byOrder['R-1-B']?.lineItems.map((l) => l.quantity)).toEqual([5])
    expect(byOrder['R-1-B']?.itemsTotal.toString()).toBe('15')
    // never touched: same version, same content, still in its batch
    expect(byOrder['R-1-C']).toMatchObject({
      id: r1c!.id,
      status: 'QUEUED',
      openBatchId: batch.id,
      version: 1,
    })
    expect(byOrder['R-1-C']?.lineItems.map((l) => l.unitPrice?.toString())).toEqual(['12.5'])
    expect(await db.upload.findUniqueOrThrow({ where: { id: uploadId } })).toMatchObject({
      updatedCount: 1,
      correctionCount: 1,
      queuedSkipCount: 1,
      duplicateCount: 0,
    })
  })

  // "unchanged" must be decided before "sent → correction": the other way round, a re-upload of the same
  // orders would store them as corrections and send them to Constructor again
  it('sends nothing again when sent orders come back unchanged: every order unchanged, no correction', async () => {
    const code = `SENT-${uniq()}`
    const store = await makeStore({ code })
    stores.push(ingestStore(store))
    await db.storeMembership.create({ data: { userId: manager.id, storeId: store.id } })
    const url = inject('databaseUrl')
    const sandbox = await startTestSandbox()
    const connectionId = await withPg(url, (c) =>
      createConnection(c, { baseUrl: sandbox.url, token: sandbox.token }),
    )
    // the store's own manager submits: "all" is then every READY event of this store alone
    const storeManager = await loadCaller(sessionFor(await makeUser({ storeIds: [store.id] })))
    if (!storeManager) throw new Error('no caller')
    /**
     * submits every READY event of the store, as the sales page does, and runs a worker until they are sent;
     * only that long, since a worker takes any file's jobs from the shared test database
     */
    const sendReady = async () => {
      const { eventCount } = await submitEvents(storeManager, { scope: 'all', connectionId })
      const worker = await startSubmissionWorker({ databaseUrl: url, log: () => {} })
      try {
        await waitFor(
          () =>
            db.batch.count({ where: { connectionId, status: { in: ['QUEUED', 'SENDING', 'RETRY_WAIT'] } } }),
          (open) => open === 0,
          { timeoutMs: 30_000, what: 'the batches to be sent' },
        )
      } finally {
        await worker.stop()
      }
      return eventCount
    }
    const receivedOrders = async () =>
      (await readReceivedRecords(sandbox.dataDir))
        .map((r) => (r.action as { data: { order_id: string } }).data.order_id)
        .sort()
    const stored = () =>
      db.saleEvent.findMany({
        where: { storeId: store.id },
        select: { orderId: true, status: true, version: true, isCorrection: true, uploadId: true },
        orderBy: { orderId: 'asc' },
      })
    try {
      const file = csv(code, '12.50', 'S-1')
      const first = await uploadAndCommit(file, store.id, code)
      expect(await sendReady()).toBe(2)
      const sent = await stored()
      expect(sent).toMatchObject(
        ['S-1', 'S-1-B'].map((orderId) => ({
          orderId,
          status: 'SUBMITTED',
          isCorrection: false,
          uploadId: first.uploadId,
        })),
      )
      expect(await receivedOrders()).toEqual(['S-1', 'S-1-B'])
      const sentContent = await storedEvents({ storeId: store.id })
      const allUnchanged = { events: 2, new: 0, unchanged: 2, updated: 0, corrections: 0, queued: 0 }

      // the very same file: its hash names the first upload, and the preview finds every order unchanged
      const again = await upload(file, store.id)
      const p = await preview(again.uploadId, code)
      expect(p.sameFileAs?.uploadId).toBe(first.uploadId)
      expect(p.counts).toMatchObject(allUnchanged)
      expect(await commit(again.uploadId, code)).toMatchObject({ noOp: true, counts: { unchanged: 2 } })

      // the same rows with Windows line endings: another hash, so the commit classifies every order itself
      const crlf = await uploadAndCommit(
        Buffer.from(file.toString().replaceAll('\n', '\r\n')),
        store.id,
        code,
      )
      expect(crlf.preview.sameFileAs).toBeNull()
      expect(crlf.summary.noOp).toBe(false)
      for (const counts of [crlf.preview.counts, crlf.summary.counts])
        expect(counts).toMatchObject(allUnchanged)
      expect(await stored()).toEqual(sent)
      expect(await storedEvents({ storeId: store.id })).toEqual(sentContent)

      // nothing is waiting to go, and Constructor received each order exactly once
      expect(await sendReady()).toBe(0)
      expect(await receivedOrders()).toEqual(['S-1', 'S-1-B'])
    } finally {
      await sandbox.dispose()
    }
  }, 90_000) // three uploads and two sends through a worker: seconds each on a shared machine

  it('a double click stores once: the second commit is a no-op', async () => {
    const code = `DC-${uniq()}`
    const store = await makeStore({ code })
    stores.push(ingestStore(store))
    await db.storeMembership.create({ data: { userId: manager.id, storeId: store.id } })
    const { uploadId } = await upload(csv(code, '9.99', 'D-1'), store.id)
    await preview(uploadId, code)
    const results = await Promise.allSettled([commit(uploadId, code), commit(uploadId, code)])
    const stored = results.filter((r) => r.status === 'fulfilled' && !r.value.noOp)
    expect(stored).toHaveLength(1)
    const loser = results.find((r) => r !== stored[0])
    // the loser is told it is being stored, or (if the first already finished) gets the no-op
    if (loser?.status === 'rejected') expect(String(loser.reason)).toMatch(/being stored right now/)
    else expect(loser?.status === 'fulfilled' && loser.value.noOp).toBe(true)
    expect(await db.saleEvent.count({ where: { storeId: store.id } })).toBe(2)
    expect(await commit(uploadId, code)).toMatchObject({ noOp: true })
  })
})

describe('files that store nothing', () => {
  const refusals: [string, Buffer, string][] = [
    [
      'a header without rows',
      Buffer.from('order_id,occurred_at,item_id,unit_price,quantity,store_code\n\n'),
      'The file has column names (row 1) but no sales rows below them. Export a period that has sales, or check that this is the right file.',
    ],
    [
      'a table without a header',
      Buffer.from('a,b,c\n1,2,3\n4,5,6\n'),
      "We couldn't find the row with the column names in the first 30 rows. Add a header row naming the columns (for example Order ID, Date, SKU, Quantity, Price), or start from our template.",
    ],
    [
      'JSON',
      Buffer.from('[{"order": 1, "sku": "A"}]'),
      'This file looks like JSON data, not a CSV table. Export the sales as CSV from your till or spreadsheet and upload that file.',
    ],
    [
      'missing required columns',
      Buffer.from('order_id,occurred_at,store_code,item_id\n1,2026-03-02,BER-01,A\n'),
      "We couldn't find a column for Unit price (or line total) and Quantity. Match them to your file's columns in the column mapping step.",
    ],
    [
      'an over-long row',
      Buffer.from(
        `order_id,occurred_at,store_code,item_id,unit_price,quantity\n1,2026-03-02,BER-01,A,1,1\n2,2026-03-02,BER-01,${'x'.repeat(70_000)},1,1\n`,
      ),
      'Row 3 is longer than 65,536 characters, which a sales row never is. Check that this is the sales export; if a cell really holds that much text, shorten it.',
    ],
  ]

  it.each(refusals)('refuses %s with its message and stores nothing', async (_name, bytes, message) => {
    const { uploadId } = await upload(bytes)
    await expect(preview(uploadId)).rejects.toThrow()
    const row = await db.upload.findUniqueOrThrow({ where: { id: uploadId } })
    expect({ status: row.status, errorMessage: row.errorMessage }).toEqual({
      status: 'FAILED',
      errorMessage: message,
    })
    await expect(commit(uploadId)).rejects.toThrow(/Check the rows of this file first/)
    expect(await db.saleEvent.count({ where: { uploadId } })).toBe(0)
    expect(await db.uploadRowIssue.count({ where: { uploadId } })).toBe(0)
  })

  it('rolls everything back when storing fails half-way, and says so', async () => {
    const code = `RB-${uniq()}`
    const store = await makeStore({ code })
    stores.push(ingestStore(store))
    await db.storeMembership.create({ data: { userId: manager.id, storeId: store.id } })
    const boom = `BOOM-${uniq()}`
    const lines = ['order_id,occurred_at,store_code,item_id,unit_price,quantity']
    for (let i = 0; i < 12_000; i++)
      lines.push(`O-${i},2026-03-02 10:00,${code},${i === 11_000 ? boom : 'SKU'},1.00,1`)
    const { uploadId } = await upload(Buffer.from(`${lines.join('\n')}\n`), store.id)
    await preview(uploadId, code)
    // a trigger that refuses one line item, in the third chunk of events: the first two are already written
    const fn = `ingest_boom_${uniq().replace(/-/g, '')}`
    const pool = dbPool()
    await pool.query(
      `CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW."itemId" = '${boom}' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$`,
    )
    await pool.query(`CREATE TRIGGER ${fn} BEFORE INSERT ON "LineItem" FOR EACH ROW EXECUTE FUNCTION ${fn}()`)
    try {
      // the upload failed with its reason, the database's error beneath
      await expect(commit(uploadId, code)).rejects.toMatchObject({
        name: 'UploadFailedError',
        message: STORE_FAILED_MESSAGE,
        cause: expect.objectContaining({ message: 'boom' }),
      })
    } finally {
      await pool.query(`DROP TRIGGER ${fn} ON "LineItem"`)
      await pool.query(`DROP FUNCTION ${fn}()`)
    }
    expect(await db.saleEvent.count({ where: { storeId: store.id } })).toBe(0)
    expect(await db.upload.findUniqueOrThrow({ where: { id: uploadId } })).toMatchObject({
      status: 'COMMIT_FAILED',
      errorMessage: STORE_FAILED_MESSAGE,
    })
    // and it can be tried again
    expect((await commit(uploadId, code)).counts.new).toBe(12_000)
  })
})

describe('parse once: the commit stores what the check kept', () => {
  const salesFile = (prefix: string, orders: number) => {
    const lines = ['order_id,occurred_at,store_code,item_id,item_name,unit_price,quantity']
    for (let i = 0; i < orders; i++)
      lines.push(
        `${prefix}-${i},2026-03-02 10:00,${ber.code},SKU-${i % 40},Mug,${i % 97 === 0 ? 'n/a' : '12.50'},2`,
      )
    // a row that belongs to no store is kept as a row issue, with the file's other problems
    lines.push(`${prefix}-X,2026-03-02 10:00,NOWHERE-${uniq()},SKU-1,Mug,1.00,1`)
    return Buffer.from(`${lines.join('\n')}\n`)
  }

  it('stores the checked events without the file: exactly what reading it gives, row issues included', async () => {
    const bytes = salesFile(`PO-${uniq()}`, 12_000)
    const { uploadId } = await upload(bytes)
    const checked = await preview(uploadId)
    // the check kept its events in chunks, under an id of its run
    expect(checked.staged).toMatchObject({ chunks: expect.any(Number), events: 12_000 })
    expect(checked.staged?.chunks).toBeGreaterThan(2)
    expect(await db.uploadStagedChunk.count({ where: { uploadId } })).toBe(checked.staged?.chunks)
    // the file itself is not read again: with its pieces gone the commit still stores every sale
    await db.uploadFileChunk.deleteMany({ where: { uploadId } })
    const summary = await commit(uploadId)
    expect(await storedEvents({ uploadId })).toEqual(asStored((await parsed(bytes, ber.code)).events))
    expect(summary.counts).toEqual(checked.counts)
    expect(summary.counts).toMatchObject({ events: 12_000, new: 12_000, rowIssues: 1 })
    expect(summary.counts.invalidEvents).toBeGreaterThan(0)
    expect(await db.uploadRowIssue.count({ where: { uploadId } })).toBe(1)
    // what the check kept is deleted with the file when it is stored
    expect(await db.uploadStagedChunk.count({ where: { uploadId } })).toBe(0)
  })

  it('reads the file again, with the same result, when the check kept nothing (checked before parse once)', async () => {
    const bytes = salesFile(`PF-${uniq()}`, 3_000)
    const { uploadId } = await upload(bytes)
    const checked = await preview(uploadId)
    await db.uploadStagedChunk.deleteMany({ where: { uploadId } })
    const summary = await commit(uploadId)
    expect(await storedEvents({ uploadId })).toEqual(asStored((await parsed(bytes, ber.code)).events))
    expect(summary.counts).toEqual(checked.counts)
  })

  it('refuses to store the checked events of a store the uploader may no longer write, and stores nothing', async () => {
    const bytes = salesFile(`PR-${uniq()}`, 200)
    const { uploadId } = await upload(bytes)
    await preview(uploadId)
    await expect(
      commitUpload({
        uploadId,
        actor: { userId: manager.id, email: manager.email },
        stores: stores.filter((st) => st.id !== ber.id),
        now: NOW,
      }),
    ).rejects.toThrow('Check the file again')
    const row = await db.upload.findUniqueOrThrow({ where: { id: uploadId } })
    expect(row.status).toBe('COMMIT_FAILED')
    expect(row.errorMessage).toContain('Which stores you may write changed since this file was checked')
    expect(await db.saleEvent.count({ where: { uploadId } })).toBe(0)
  })

  it('a check replaced by a newer one: the commit stores the newer check, what the older one kept is deleted', async () => {
    const bytes = salesFile(`PN-${uniq()}`, 300)
    const { uploadId } = await upload(bytes)
    const first = await preview(uploadId)
    const second = await preview(uploadId)
    expect(second.staged?.run).not.toBe(first.staged?.run)
    expect(await db.uploadStagedChunk.count({ where: { uploadId, run: first.staged?.run } })).toBe(0)
    expect(await db.uploadStagedChunk.count({ where: { uploadId, run: second.staged?.run } })).toBe(
      second.staged?.chunks,
    )
    await commit(uploadId)
    expect(await db.saleEvent.count({ where: { uploadId } })).toBe(300)
    expect(await db.uploadStagedChunk.count({ where: { uploadId } })).toBe(0)
  })
})

describe('receiving a file', () => {
  it('stops a file over the limit mid-stream with a clear message and keeps nothing', async () => {
    process.env.UPLOAD_MAX_BYTES = '1000'
    try {
      const outcome = await receiveUpload({
        caller: await caller(),
        storeId: ber.id,
        fileName: 'big.csv',
        contentLength: null,
        body: (async function* () {
          for (let i = 0; i < 10; i++) yield Buffer.alloc(300, 65)
        })(),
        ip: '127.0.0.1',
      })
      expect(outcome).toEqual({
        ok: false,
        status: 413,
        error:
          'The file is larger than 1000 bytes, the most this site accepts. Export a shorter period (for example one day or one week) and upload each file.',
      })
    } finally {
      delete process.env.UPLOAD_MAX_BYTES
    }
    // nothing of it is kept: no upload row, no piece of the file
    expect(await db.upload.count({ where: { fileName: 'big.csv', storeId: ber.id } })).toBe(0)
    expect(await db.uploadFileChunk.count({ where: { upload: { fileName: 'big.csv' } } })).toBe(0)
  })

  it('refuses to store a file read again whose stored pieces are incomplete, instead of storing a shorter file', async () => {
    const day = '2026-03-02'
    const lines = ['order_id,occurred_at,store_code,item_id,item_name,unit_price,quantity']
    for (let i = 0; i < 50_000; i++) lines.push(`INC-${i},${day} 10:00,${ber.code},SKU-${i % 50},Mug,12.50,1`)
    const { uploadId } = await upload(Buffer.from(`${lines.join('\n')}\n`))
    await preview(uploadId)
    // the events the check kept are gone (a check saved before parse once has none), so the commit reads the file;
    // and the middle piece is lost: the file would otherwise read as ending after its first megabyte
    await db.uploadStagedChunk.deleteMany({ where: { uploadId } })
    await db.uploadFileChunk.delete({ where: { uploadId_seq: { uploadId, seq: 1 } } })
    await expect(commit(uploadId)).rejects.toThrow('The stored file is incomplete')
    const row = await db.upload.findUniqueOrThrow({ where: { id: uploadId } })
    expect(row).toMatchObject({ status: 'COMMIT_FAILED' })
    expect(row.errorMessage).toContain('Upload it again')
    expect(await db.saleEvent.count({ where: { uploadId } })).toBe(0)
  })

  it('keeps nothing of a file that ends before the length the browser announced (a cancelled upload)', async () => {
    const outcome = await receiveUpload({
      caller: await caller(),
      storeId: ber.id,
      fileName: 'cut-short.csv',
      contentLength: 2_000_000,
      body: [Buffer.alloc(1_500_000, 65)],
      ip: '127.0.0.1',
    })
    expect(outcome).toEqual({
      ok: false,
      status: 400,
      error: 'The file did not arrive completely, so nothing was kept. Upload it again.',
    })
    expect(await db.upload.count({ where: { fileName: 'cut-short.csv' } })).toBe(0)
  })

  it('keeps nothing when the connection fails mid-file', async () => {
    await expect(
      receiveUpload({
        caller: await caller(),
        storeId: ber.id,
        fileName: 'dropped.csv',
        contentLength: null,
        body: (async function* () {
          yield Buffer.alloc(1_500_000, 65)
          throw new Error('aborted')
        })(),
        ip: '127.0.0.1',
      }),
    ).rejects.toThrow('aborted')
    expect(await db.upload.count({ where: { fileName: 'dropped.csv' } })).toBe(0)
    expect(await db.uploadFileChunk.count({ where: { upload: { fileName: 'dropped.csv' } } })).toBe(0)
  })

  it("refuses another manager's store, an anonymous caller and an empty file", async () => {
    const stranger = await makeStore({ code: `ST-${uniq()}` })
    const base = { fileName: 'x.csv', contentLength: 3, body: [Buffer.from('a,b')], ip: '127.0.0.1' }
    expect(await receiveUpload({ ...base, caller: await caller(), storeId: stranger.id })).toMatchObject({
      ok: false,
      status: 403,
    })
    expect(await receiveUpload({ ...base, caller: null, storeId: ber.id })).toMatchObject({
      ok: false,
      status: 401,
    })
    expect(
      await receiveUpload({ ...base, caller: await caller(), storeId: ber.id, contentLength: 0, body: [] }),
    ).toMatchObject({ ok: false, status: 400 })
    expect(await db.upload.count({ where: { storeId: stranger.id } })).toBe(0)
  })

  it('keeps the bytes exactly, with their sha256, in 1 MB pieces in the database', async () => {
    const bytes = Buffer.from(`${randomUUID()}\n`.repeat(90_000)) // 3.3 MB: four pieces
    const { uploadId } = await upload(bytes)
    const pieces: Uint8Array[] = []
    for await (const piece of readUploadFile(dbPool(), uploadId)) pieces.push(piece)
    expect(pieces.map((p) => p.byteLength)).toEqual([2 ** 20, 2 ** 20, 2 ** 20, bytes.length - 3 * 2 ** 20])
    expect(Buffer.concat(pieces).equals(bytes)).toBe(true)
    const row = await db.upload.findUniqueOrThrow({ where: { id: uploadId } })
    expect(row.sha256).toBe((await import('node:crypto')).createHash('sha256').update(bytes).digest('hex'))
    expect(Number(row.sizeBytes)).toBe(bytes.length)
  })
})
