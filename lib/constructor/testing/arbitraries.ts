import fc from 'fast-check'
import type { StoredEventForPayload, StoredLineItemForPayload } from '../payload'
import type { OfflineBehavioralAction, OfflineItem } from '../schema'

// Strings measured in code points, mixing ASCII with astral characters so UTF-16 length ≠ character count.
export function contractString(minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength, maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength, maxLength }) },
  )
}

export const jsonNumber = fc.double({ noNaN: true, noDefaultInfinity: true })
export const unixSeconds = fc.oneof(fc.integer({ min: 0, max: 4_102_444_800 }), fc.maxSafeInteger())

export const validItem: fc.Arbitrary<OfflineItem> = fc
  .tuple(
    fc.constantFrom('id', 'name', 'both'),
    contractString(1, 250),
    contractString(1, 250),
    fc.record(
      { variation_id: contractString(1, 250), price: jsonNumber, count: fc.integer() },
      { requiredKeys: [] },
    ),
  )
  .map(([identity, id, name, rest]) => ({
    ...(identity !== 'name' && { item_id: id }),
    ...(identity !== 'id' && { item_name: name }),
    ...rest,
  }))

export const itemList = (maxLength = 4) => fc.array(validItem, { minLength: 1, maxLength })

export const validPurchase: fc.Arbitrary<OfflineBehavioralAction> = fc
  .record(
    {
      _dt: unixSeconds,
      items: itemList(),
      ui: fc.string(),
      order_id: fc.string(),
      lat: contractString(1, 20),
      lon: contractString(1, 20),
      store_id: contractString(1, 250),
      revenue: jsonNumber,
    },
    { requiredKeys: ['_dt', 'items'] },
  )
  .map((data) => ({ action: 'purchase' as const, data }))

export const validReturn: fc.Arbitrary<OfflineBehavioralAction> = fc
  .record(
    {
      _dt: unixSeconds,
      items_returned: itemList(),
      ui: fc.string(),
      order_id: fc.string(),
      items_kept: itemList(3),
      items_cross_sold: itemList(3),
      revenue: jsonNumber,
      return_expenses: jsonNumber,
      refund: jsonNumber,
      return_shipping_cost: jsonNumber,
      return_reason: fc.string(),
      return_type: fc.constantFrom('full' as const, 'partial' as const),
      return_preference: fc.constantFrom('refund' as const, 'replacement' as const),
      lat: contractString(1, 20),
      lon: contractString(1, 20),
      return_drop_off: contractString(1, 250),
    },
    { requiredKeys: ['_dt', 'items_returned'] },
  )
  .map((data) => ({ action: 'return' as const, data }))

export const validAction = fc.oneof(validPurchase, validReturn)

/** a decimal string as Postgres returns Decimal(18,4); 11 integer digits keep it within 15 significant digits */
export const storedDecimal = (integerDigits = 11) =>
  fc
    .tuple(
      fc.boolean(),
      fc.bigInt({ min: 0n, max: 10n ** BigInt(integerDigits) - 1n }),
      fc.integer({ min: 0, max: 9999 }),
    )
    .map(
      ([negative, integer, fraction]) =>
        `${negative ? '-' : ''}${integer}.${String(fraction).padStart(4, '0')}`,
    )

const storedLineItem = (role: StoredLineItemForPayload['role']) =>
  fc
    .record({
      itemId: fc.option(contractString(1, 250), { nil: null }),
      itemName: contractString(1, 250),
      variationId: fc.option(contractString(1, 250), { nil: null }),
      unitPrice: fc.option(storedDecimal(), { nil: null }),
      quantity: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: null }),
    })
    .map((line) => ({ ...line, role, lineNumber: 0 }))

function numberLines(groups: StoredLineItemForPayload[][]): StoredLineItemForPayload[] {
  return groups.flat().map((line, i) => ({ ...line, lineNumber: i + 1 }))
}

const storedStore = fc.record({
  code: contractString(1, 250),
  latitude: fc.option(contractString(1, 20), { nil: null }),
  longitude: fc.option(contractString(1, 20), { nil: null }),
})

const storedCommon = {
  orderId: contractString(1, 250),
  occurredAt: fc.date({
    min: new Date('2000-01-01T00:00:00Z'),
    // sales are in the past: a day from now is as far ahead as a clock that runs fast goes
    max: new Date(Date.now() + 86_400_000),
    noInvalidDate: true,
  }),
  customerId: fc.option(contractString(1, 250), { nil: null }),
  revenue: fc.option(storedDecimal(), { nil: null }),
  store: storedStore,
}

/** sendable stored events, shaped like what Prisma returns */
export const storedEvent: fc.Arbitrary<StoredEventForPayload> = fc.oneof(
  fc
    .record({ ...storedCommon, lines: fc.array(storedLineItem('PURCHASED'), { minLength: 1, maxLength: 4 }) })
    .map(({ lines, ...event }) => ({
      ...event,
      kind: 'PURCHASE' as const,
      returnExpenses: null,
      refund: null,
      returnShippingCost: null,
      returnReason: null,
      returnType: null,
      returnPreference: null,
      returnDropOff: null,
      lineItems: numberLines([lines]),
    })),
  fc
    .record({
      ...storedCommon,
      returnExpenses: fc.option(storedDecimal(), { nil: null }),
      refund: fc.option(storedDecimal(), { nil: null }),
      returnShippingCost: fc.option(storedDecimal(), { nil: null }),
      returnReason: fc.option(fc.string({ minLength: 1 }), { nil: null }),
      returnType: fc.constantFrom('FULL' as const, 'PARTIAL' as const, null),
      returnPreference: fc.constantFrom('REFUND' as const, 'REPLACEMENT' as const, null),
      returnDropOff: fc.option(contractString(1, 250), { nil: null }),
      returned: fc.array(storedLineItem('RETURNED'), { minLength: 1, maxLength: 3 }),
      kept: fc.array(storedLineItem('KEPT'), { maxLength: 2 }),
      crossSold: fc.array(storedLineItem('CROSS_SOLD'), { maxLength: 2 }),
    })
    .map(({ returned, kept, crossSold, ...event }) => ({
      ...event,
      kind: 'RETURN' as const,
      lineItems: numberLines([crossSold, returned, kept]),
    })),
)
