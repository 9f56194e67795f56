import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { makeSaleEventSchema, SALE_MESSAGES } from './schema'
import { type SaleEventCheckInput, validateSaleEvent } from './validate'

const NOW = new Date('2026-03-10T12:00:00Z')
const DAY = 86_400_000
const schema = makeSaleEventSchema({ now: () => NOW })

const text = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constantFrom('', '   ', 'SKU-1', ' Blue mug ', 'x'.repeat(250), 'x'.repeat(251), ` ${'y'.repeat(250)} `),
  // characters no column can store: NUL, half of an emoji; and a valid pair
  fc.constantFrom('A\u0000B', '\uD83D', 'x\uDE00', '\uD83D\uDE00', `${'z'.repeat(251)}\u0000`),
  fc.string({ maxLength: 12 }),
  fc.string({ maxLength: 12, unit: 'binary' }),
)
const reasonText = fc.oneof(
  text,
  fc.constantFrom('r'.repeat(1_000), 'r'.repeat(1_001), ` ${'r'.repeat(1_000)} `),
)
const amount = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constantFrom(
    '',
    '12.5',
    '0',
    '-0',
    '-1',
    '-0.5',
    'abc',
    '1,5',
    '1.23456',
    '12.3456',
    '123456789012345',
    '00012.10',
    '99999999999999',
    '99999999999999.9999',
    '-99999999999999',
  ),
  fc.string({ maxLength: 6 }),
)
const quantity = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constantFrom(0, 1, 2, -1, 1.5, 10_000, 10_001, Number.NaN, Number.POSITIVE_INFINITY),
  fc.integer({ min: -5, max: 20_000 }),
)
const occurredAt = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant(new Date(Number.NaN)),
  fc.integer({ min: -400, max: 2 }).map((days) => new Date(NOW.getTime() + days * DAY)),
  fc.constantFrom(10, 14, 16, 20).map((minutes) => new Date(NOW.getTime() + minutes * 60_000)),
  fc.constantFrom(364, 365, 366).map((days) => new Date(NOW.getTime() - days * DAY + 1)),
)
const role = fc.constantFrom('PURCHASED', 'RETURNED', 'KEPT', 'CROSS_SOLD') as fc.Arbitrary<
  'PURCHASED' | 'RETURNED' | 'KEPT' | 'CROSS_SOLD'
>
const item = fc.record(
  { role, itemId: text, itemName: text, variationId: text, unitPrice: amount, quantity },
  { requiredKeys: ['role'] },
)
const validItem = { role: 'PURCHASED' as const, itemId: 'SKU-1', unitPrice: '1', quantity: 1 }
// two lines of the largest price × the largest quantity: more than a total can hold
const bigItem = { role: 'PURCHASED' as const, itemId: 'SKU-1', unitPrice: '99999999999999', quantity: 10_000 }
const items = fc.oneof(
  { weight: 8, arbitrary: fc.array(item, { maxLength: 4 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(1, 2).map((n) => Array.from({ length: n }, () => ({ ...bigItem }))),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(500, 501).map((n) => Array.from({ length: n }, () => ({ ...validItem }))),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(500, 501)
      .map((n) => Array.from({ length: n }, () => ({ ...validItem, role: 'RETURNED' as const }))),
  },
)
const event = fc.record(
  {
    kind: fc.constantFrom('PURCHASE', 'RETURN') as fc.Arbitrary<'PURCHASE' | 'RETURN'>,
    storeId: fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.constantFrom('', ' ', '0190f0a0-aaaa-7000-8000-000000000001'),
    ),
    orderId: text,
    occurredAt,
    customerId: text,
    revenue: amount,
    refund: amount,
    returnExpenses: amount,
    returnShippingCost: amount,
    returnReason: reasonText,
    returnType: fc.constantFrom(undefined, null, 'FULL', 'PARTIAL') as fc.Arbitrary<
      'FULL' | 'PARTIAL' | null | undefined
    >,
    returnPreference: fc.constantFrom(undefined, null, 'REFUND', 'REPLACEMENT') as fc.Arbitrary<
      'REFUND' | 'REPLACEMENT' | null | undefined
    >,
    returnDropOff: text,
    lineItems: items,
  },
  { requiredKeys: ['kind', 'lineItems'] },
)

function viaZod(input: unknown) {
  const r = schema.safeParse(input)
  if (r.success) return []
  return r.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message }))
}

function viaValidator(input: SaleEventCheckInput) {
  return validateSaleEvent(input, { now: NOW.getTime() })
}

const sorted = (issues: { field: string; message: string }[]) =>
  [...issues].sort((a, b) => (a.field + a.message < b.field + b.message ? -1 : 1))

describe('validateSaleEvent and saleEventSchema', () => {
  it('report the same issues (field and message) for any input a person can type', () => {
    fc.assert(
      fc.property(event, (input) => {
        expect(sorted(viaValidator(input as SaleEventCheckInput))).toEqual(sorted(viaZod(input)))
      }),
      { numRuns: 3000 },
    )
  })

  it('accept a valid purchase and a valid return', () => {
    const purchase: SaleEventCheckInput = {
      kind: 'PURCHASE',
      storeId: 'store-1',
      orderId: '1001',
      occurredAt: new Date(NOW.getTime() - DAY),
      lineItems: [{ role: 'PURCHASED', itemName: 'Blue mug', unitPrice: '12.5', quantity: 2 }],
    }
    const ret: SaleEventCheckInput = {
      ...purchase,
      kind: 'RETURN',
      refund: '12.5',
      returnType: 'PARTIAL',
      lineItems: [
        { role: 'RETURNED', itemId: 'MUG', unitPrice: '12.5', quantity: 1 },
        { role: 'KEPT', itemId: 'MUG', unitPrice: '12.5', quantity: 1 },
      ],
    }
    for (const e of [purchase, ret]) {
      expect(viaValidator(e)).toEqual([])
      expect(viaZod(e)).toEqual([])
    }
  })
})

describe('validateSaleEvent messages', () => {
  it('name the file column to fix and the row', () => {
    const issues = validateSaleEvent(
      {
        kind: 'PURCHASE',
        storeId: 'store-1',
        orderId: '#1001',
        occurredAt: new Date('2026-03-10T13:00:00Z'),
        lineItems: [
          { role: 'PURCHASED', unitPrice: null, quantity: 0 },
          { role: 'PURCHASED', itemName: 'Mug', unitPrice: '-2', quantity: 1.5 },
        ],
      },
      {
        now: NOW.getTime(),
        timeZone: 'Europe/Berlin',
        columns: {
          unitPrice: 'Lineitem price',
          quantity: 'Lineitem quantity',
          itemId: 'Lineitem sku',
          itemName: 'Lineitem name',
        },
        itemRows: [2, 3],
        eventRow: 2,
      },
    )
    expect(issues).toEqual([
      {
        field: 'occurredAt',
        message:
          "Sale time 2026-03-10 14:00 (Europe/Berlin) is in the future — check the date, the time and the store's time zone",
        row: 2,
      },
      {
        field: 'lineItems.0.unitPrice',
        message: "Price is missing — add the unit price in column 'Lineitem price'",
        row: 2,
      },
      {
        field: 'lineItems.0.quantity',
        message: 'Quantity 0 is outside 1 to 10,000 — correct it, or split the sale',
        row: 2,
      },
      {
        field: 'lineItems.0.itemId',
        message: "Item needs an item id (SKU) or a name — fill in column 'Lineitem sku' or 'Lineitem name'",
        row: 2,
      },
      {
        field: 'lineItems.1.unitPrice',
        message:
          "Price can't be negative (-2) — for money given back, record the item as a return with a positive price",
        row: 3,
      },
      { field: 'lineItems.1.quantity', message: SALE_MESSAGES.quantityNotWhole('1.5'), row: 3 },
    ])
  })
})
