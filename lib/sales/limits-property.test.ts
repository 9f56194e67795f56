import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { MESSAGES } from '@/lib/auth/action'
import { loadCaller } from '@/lib/auth/caller'
import { makeStore, makeUser, signedIn, uniq } from '@/lib/auth/test-fixtures'
import { runAs, sessionFor } from '@/lib/auth/testing'
import { closeDbPool, db } from '@/lib/db'
import { isUploadFileError } from '@/lib/uploads/errors'
import { commitUpload, previewUpload } from '@/lib/uploads/storage/ingest'
import { receiveUpload } from '@/lib/uploads/storage/receive'
import { updateSaleEventAction } from './actions'
import { createSaleByHandAction } from './hand-entry/actions'
import { hasUnstorableCharacter, itemsTotalOverflow, SALE_LIMITS } from './limits'
import { amountProblem } from './schema'

vi.mock('server-only', () => ({}))

// Random values through every way a sale gets in (an upload parsed and committed into the database, hand
// entry, the editor's action): texts of 0–100,000 characters in any Unicode with NUL and half emoji, huge and
// tiny numbers, every shape of date. The commit never fails, no row vanishes, a value outside a limit never
// reaches READY, and every refused value has a reason naming its field.
const NOW = new Date('2026-03-10T12:00:00Z')
const yesterday = () => new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)

afterAll(async () => {
  await closeDbPool()
})

// ——— values ———
const longText = fc
  .tuple(
    // lengths around the limits more often than the whole range up to 100,000
    fc.oneof(fc.integer({ min: 240, max: 2_100 }), fc.integer({ min: 0, max: 100_000 })),
    fc.constantFrom('x', 'é', '\u{1F600}', ' ', '\u0000'),
  )
  .map(([n, c]) => c.repeat(n))
const brokenText = fc.constantFrom(
  '\uD800',
  '\uDFFF',
  'a\uDC00b',
  'mug\uD83D',
  'A\u0000B',
  '\u0000',
  'ok\uD83D\uDE00',
)
const anyText = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 30, unit: 'binary' }) },
  { weight: 3, arbitrary: fc.string({ minLength: 240, maxLength: 520 }) },
  { weight: 2, arbitrary: brokenText },
  { weight: 2, arbitrary: longText },
  { weight: 3, arbitrary: fc.constantFrom('', '  ', 'SKU-1', 'Blue mug') },
)
const numberText = fc.oneof(
  fc.constantFrom(
    '1e3',
    '0x10',
    '1,000',
    '1.000',
    '1 000',
    '99999999999999',
    '99999999999999.9999',
    '999999999999999999999',
    '0.00001',
    '0.0001',
    '-5',
    '(5.00)',
    '5.00-',
    '€ 1.234,50',
    '1,234.5',
    'NaN',
    'Infinity',
    '1e308',
    '',
    '00012',
    '10000',
    '10001',
    '2147483648',
    '+-2',
  ),
  fc.double().map(String),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.integer({ min: -20, max: 20_000 }).map(String),
  fc.string({ maxLength: 8, unit: 'binary' }),
)
const dateText = fc.oneof(
  fc.constantFrom(
    '2026-03-09',
    '2026-03-09 10:00',
    '2026-03-09T10:00:00Z',
    '2026-03-09T10:00:00+01:00',
    '09.03.2026',
    '09.03.2026 00:00',
    '03/09/2026 2:05 PM',
    '9 Mar 2026',
    'Mar 9, 2026',
    '2026-02-30',
    '2026-13-01',
    '2026-03-09 25:00',
    '2026-03-09 24:00',
    '1899-12-31',
    '99999-01-01',
    '2025-03-01',
    '2099-01-01',
    'yesterday',
    '',
  ),
  fc
    .date({ min: new Date('1800-01-01'), max: new Date('2200-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString()),
  fc.string({ maxLength: 20 }),
)
const timeText = fc.oneof(
  fc.constantFrom(
    '14:05',
    '00:00',
    '23:59',
    '24:00',
    '25:00',
    '14:60',
    '2:05 PM',
    '13:00 PM',
    '14:05Z',
    '',
    'noon',
  ),
  fc.string({ maxLength: 8 }),
)

// mostly a value a till would write, sometimes anything: so that sales are stored as well as refused
const mostly = <T>(valid: fc.Arbitrary<T>, other: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 5, arbitrary: valid }, { weight: 1, arbitrary: other })
const sku = fc.constantFrom('SKU-1', 'MUG-BLUE', 'Tea towel, linen', 'Ünïcødé \u{1F600}')
const price = fc.constantFrom('12.50', '1', '0.99', '1234.5', '99999999999999')
const count = fc.constantFrom('1', '2', '10000')

// ——— what a stored event may not hold while READY, by the field its reason must name ———
type StoredLine = {
  itemId: string | null
  itemName: string | null
  variationId: string | null
  unitPrice: { toString(): string } | null
  quantity: number | null
}
type Stored = {
  status: string
  issues: unknown
  orderId: string
  customerId: string | null
  returnReason: string | null
  returnDropOff: string | null
  occurredAt: Date | null
  lineItems: StoredLine[]
}

function outOfLimit(e: Stored): string[] {
  const fields: string[] = []
  const text = (field: string, v: string | null, max: number = SALE_LIMITS.maxTextLength) => {
    const t = v?.trim() ?? ''
    if (t !== '' && (t.length > max || hasUnstorableCharacter(t))) fields.push(field)
  }
  text('orderId', e.orderId)
  text('customerId', e.customerId)
  text('returnDropOff', e.returnDropOff)
  text('returnReason', e.returnReason, SALE_LIMITS.maxReturnReasonLength)
  if (e.occurredAt === null) fields.push('occurredAt')
  const lines = e.lineItems.map((li) => ({
    unitPrice: li.unitPrice?.toString() ?? null,
    quantity: li.quantity,
  }))
  e.lineItems.forEach((li, i) => {
    text(`lineItems.${i}.itemId`, li.itemId)
    text(`lineItems.${i}.itemName`, li.itemName)
    text(`lineItems.${i}.variationId`, li.variationId)
    const q = li.quantity
    if (q === null || q < SALE_LIMITS.minQuantity || q > SALE_LIMITS.maxQuantity)
      fields.push(`lineItems.${i}.quantity`)
    const p = lines[i]?.unitPrice ?? null
    if (p === null || amountProblem(p) !== null) fields.push(`lineItems.${i}.unitPrice`)
  })
  if (itemsTotalOverflow(lines) !== null) fields.push('lineItems')
  return fields
}

function expectReasonsFor(e: Stored) {
  const wrong = outOfLimit(e)
  if (e.status === 'READY') {
    expect(wrong, `READY event ${e.orderId.slice(0, 40)}`).toEqual([])
    return
  }
  const issues = (e.issues ?? []) as { field: string; message: string }[]
  expect(issues.length).toBeGreaterThan(0)
  for (const i of issues) {
    expect(i.field).not.toBe('')
    expect(i.message).not.toBe('')
  }
  const named = new Set(issues.map((i) => i.field))
  for (const f of wrong) expect(named, `reason for ${f}`).toContain(f)
}

const notUnexpected = (r: { ok: boolean; error?: string; fieldErrors?: Record<string, string[]> }) => {
  if (r.ok) return
  expect(r.error).not.toBe(MESSAGES.unexpected)
  expect(Object.keys(r.fieldErrors ?? {}).length, r.error).toBeGreaterThan(0)
}

// ——— upload ———
const HEADER =
  'order_id,occurred_at,store_code,customer_id,kind,item_id,item_name,variation_id,unit_price,quantity,return_reason'
const quote = (v: string) => `"${v.replaceAll('"', '""')}"`
const uploadRow = fc.record({
  orderId: mostly(fc.constantFrom('', '1001', '1002', '1003'), anyText),
  at: mostly(fc.constant('2026-03-09 10:00'), dateText),
  customer: mostly(fc.constant('C-1'), anyText),
  kind: mostly(fc.constantFrom('purchase', 'return', ''), anyText),
  itemId: mostly(sku, anyText),
  itemName: mostly(sku, anyText),
  variation: mostly(fc.constant(''), anyText),
  price: mostly(price, numberText),
  quantity: mostly(count, numberText),
  reason: mostly(fc.constant(''), anyText),
})

describe('random values through an upload, committed into the database', () => {
  const seen = { READY: 0, INVALID: 0 }
  afterAll(() => {
    // both outcomes were exercised
    expect(seen.READY).toBeGreaterThan(0)
    expect(seen.INVALID).toBeGreaterThan(0)
  })
  it('never fail the commit, lose no row, and give every value outside a limit a reason on its field', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(uploadRow, { minLength: 1, maxLength: 25 }), async (rows) => {
        const store = await makeStore({ code: `PROP-${uniq()}` })
        const manager = await makeUser({ storeIds: [store.id] })
        const stores = [
          { id: store.id, code: store.code, timeZone: store.timeZone, latitude: null, longitude: null },
        ]
        const csv = [
          HEADER,
          ...rows.map((r) =>
            [
              r.orderId,
              r.at,
              store.code,
              r.customer,
              r.kind,
              r.itemId,
              r.itemName,
              r.variation,
              r.price,
              r.quantity,
              r.reason,
            ]
              .map(quote)
              .join(','),
          ),
          '',
        ].join('\r\n')
        const bytes = Buffer.from(csv)
        const caller = await loadCaller(sessionFor(manager))
        if (!caller) throw new Error('no caller')
        const received = await receiveUpload({
          caller,
          storeId: store.id,
          fileName: 'random.csv',
          contentLength: bytes.length,
          body: (async function* () {
            yield bytes
          })(),
          ip: '127.0.0.1',
        })
        if (!received.ok) throw new Error(received.error)
        const u = await db.upload.findUniqueOrThrow({ where: { id: received.uploadId } })
        try {
          await previewUpload({
            uploadId: u.id,
            sizeBytes: Number(u.sizeBytes),
            sha256: u.sha256,
            storeId: store.id,
            stores,
            defaultStoreCode: store.code,
            settings: {},
            now: NOW,
          })
        } catch (e) {
          // a file the reader refuses as a whole (a NUL byte: binary; a row over 64 KiB) says so before storing
          expect(isUploadFileError(e), String(e)).toBe(true)
          expect((e as Error).message).not.toBe('')
          return
        }
        const summary = await commitUpload({
          uploadId: u.id,
          actor: { userId: manager.id, email: manager.email },
          stores,
          defaultStoreCode: store.code,
          now: NOW,
        })
        const c = summary.counts
        expect(c.lineItems + c.rowIssues).toBe(c.rows)
        expect(c.new).toBe(c.events)
        const events = await db.saleEvent.findMany({
          where: { storeId: store.id },
          include: { lineItems: { orderBy: { lineNumber: 'asc' } } },
        })
        expect(events).toHaveLength(c.events)
        expect(events.reduce((n, e) => n + e.lineItems.length, 0)).toBe(c.lineItems)
        expect(await db.uploadRowIssue.count({ where: { uploadId: u.id } })).toBe(c.rowIssues)
        for (const e of events) {
          expectReasonsFor(e)
          if (e.status === 'READY' || e.status === 'INVALID') seen[e.status]++
        }
      }),
      { numRuns: 10 },
    )
  })
})

// ——— hand entry and the editor ———
describe('random values through hand entry and the editor', () => {
  let store: Awaited<ReturnType<typeof makeStore>>
  let manager: Awaited<ReturnType<typeof makeUser>>
  beforeAll(async () => {
    store = await makeStore({ code: `PROP-H-${uniq()}` })
    manager = await makeUser({ storeIds: [store.id] })
  })

  const handItem = fc.record({
    itemId: mostly(sku, anyText),
    itemName: mostly(sku, anyText),
    variationId: mostly(fc.constant(''), anyText),
    unitPrice: mostly(price, numberText),
    quantity: mostly(count, numberText),
  })
  const stored = { hand: 0, edit: 0 }
  afterAll(() => {
    // both outcomes were exercised: some sales stored, the rest refused
    expect(stored.hand).toBeGreaterThan(0)
    expect(stored.edit).toBeGreaterThan(0)
  })

  it('hand entry stores a READY sale within every limit, or refuses with a reason on a field', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          kind: fc.constantFrom('PURCHASE' as const, 'RETURN' as const),
          date: mostly(fc.constant(yesterday()), dateText),
          time: mostly(fc.constant('10:00'), timeText),
          customerId: mostly(fc.constant(''), anyText),
          orderId: mostly(fc.constant(''), anyText),
          returnReason: mostly(fc.constant('Broken'), anyText),
          lineItems: fc.array(handItem, { minLength: 1, maxLength: 3 }),
        }),
        async (v) => {
          const result = await runAs(signedIn(manager), () =>
            createSaleByHandAction({
              ...v,
              storeId: store.id,
              timeZone: store.timeZone,
              locale: store.locale,
            }),
          )
          notUnexpected(result)
          if (!result.ok) return
          const event = await db.saleEvent.findUniqueOrThrow({
            where: { id: result.data.id },
            include: { lineItems: { orderBy: { lineNumber: 'asc' } } },
          })
          expect(event.status).toBe('READY')
          expectReasonsFor(event)
          stored.hand++
        },
      ),
      { numRuns: 150 },
    )
  })

  it('the editor saves a READY sale within every limit, or refuses with a reason on a field', async () => {
    const created = await runAs(signedIn(manager), () =>
      createSaleByHandAction({
        storeId: store.id,
        timeZone: store.timeZone,
        locale: store.locale,
        kind: 'PURCHASE',
        date: yesterday(),
        time: '10:00',
        orderId: `EDIT-${uniq()}`,
        lineItems: [{ itemId: 'SKU-1', unitPrice: '1', quantity: '1' }],
      }),
    )
    if (!created.ok) throw new Error(created.error)
    const eventId = created.data.id
    const quantity = fc.oneof(
      fc.integer({ min: -5, max: 20_000 }),
      fc.double(),
      fc.constantFrom(Number.MAX_SAFE_INTEGER, 2 ** 31, 1e308, Number.NaN, Number.POSITIVE_INFINITY),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          orderId: mostly(fc.constant(`EDIT-${uniq()}`), anyText),
          customerId: mostly(fc.constant('C-1'), anyText),
          returnReason: mostly(fc.constant(''), anyText),
          revenue: mostly(fc.constant(''), numberText),
          lineItems: fc.array(
            fc.record({
              itemId: mostly(sku, anyText),
              itemName: mostly(sku, anyText),
              variationId: mostly(fc.constant(''), anyText),
              unitPrice: mostly(price, numberText),
              quantity: mostly(fc.constantFrom(1, 2, 10_000), quantity),
            }),
            { minLength: 1, maxLength: 3 },
          ),
        }),
        async (v) => {
          const { version } = await db.saleEvent.findUniqueOrThrow({ where: { id: eventId } })
          const result = await runAs(signedIn(manager), () =>
            updateSaleEventAction({
              eventId,
              version,
              event: {
                kind: 'PURCHASE',
                storeId: store.id,
                occurredAt: new Date(Date.now() - 86_400_000),
                orderId: v.orderId,
                customerId: v.customerId,
                returnReason: v.returnReason,
                revenue: v.revenue,
                lineItems: v.lineItems.map((li) => ({ ...li, role: 'PURCHASED' as const })),
              },
            }),
          )
          notUnexpected(result)
          const event = await db.saleEvent.findUniqueOrThrow({
            where: { id: eventId },
            include: { lineItems: { orderBy: { lineNumber: 'asc' } } },
          })
          expectReasonsFor(event)
          if (result.ok) stored.edit++
        },
      ),
      { numRuns: 150 },
    )
  })
})
