import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  buildAction,
  buildRequestBody,
  checkEventAgainstContract,
  PayloadBuildError,
  PayloadValidationError,
  type StoredEventForPayload,
  type StoredLineItemForPayload,
  toMoneyNumber,
  validateAction,
} from './payload'
import { storedDecimal, storedEvent } from './testing/arbitraries'

// Prisma's Decimal is only seen through toString(); this stand-in behaves the same for the builder.
class FakeDecimal {
  constructor(private readonly text: string) {}
  toString() {
    return this.text
  }
}

// 2025-03-14T15:09:26.535Z, the stored time below, floored to whole seconds.
const SALE_SECONDS = Date.UTC(2025, 2, 14, 15, 9, 26) / 1000

function line(overrides: Partial<StoredLineItemForPayload> = {}): StoredLineItemForPayload {
  return {
    lineNumber: 1,
    role: 'PURCHASED',
    itemId: 'SKU-1',
    itemName: null,
    variationId: null,
    unitPrice: null,
    quantity: null,
    ...overrides,
  }
}

function purchase(overrides: Partial<StoredEventForPayload> = {}): StoredEventForPayload {
  return {
    kind: 'PURCHASE',
    orderId: 'ORD-1001',
    occurredAt: new Date('2025-03-14T15:09:26.535Z'),
    customerId: null,
    revenue: null,
    returnExpenses: null,
    refund: null,
    returnShippingCost: null,
    returnReason: null,
    returnType: null,
    returnPreference: null,
    returnDropOff: null,
    store: { code: 'BER-01', latitude: null, longitude: null },
    lineItems: [line()],
    ...overrides,
  }
}

function returnEvent(overrides: Partial<StoredEventForPayload> = {}): StoredEventForPayload {
  return purchase({
    kind: 'RETURN',
    lineItems: [line({ role: 'RETURNED' })],
    ...overrides,
  })
}

describe('buildAction for a purchase', () => {
  it('sends only the required fields and the ones the event has', () => {
    expect(buildAction(purchase())).toEqual({
      action: 'purchase',
      data: { _dt: SALE_SECONDS, items: [{ item_id: 'SKU-1' }], order_id: 'ORD-1001', store_id: 'BER-01' },
    })
  })

  it('maps every stored field to its wire name', () => {
    const action = buildAction(
      purchase({
        customerId: 'cust-42',
        revenue: new FakeDecimal('53.9700'),
        store: { code: 'BER-01', latitude: '52.520008', longitude: '13.404954' },
        lineItems: [
          line({
            itemId: 'SKU-1',
            itemName: 'Linen shirt',
            variationId: 'SKU-1-M',
            unitPrice: '17.9900',
            quantity: 3,
          }),
        ],
      }),
    )
    expect(action).toEqual({
      action: 'purchase',
      data: {
        _dt: SALE_SECONDS,
        items: [
          { item_id: 'SKU-1', item_name: 'Linen shirt', variation_id: 'SKU-1-M', price: 17.99, count: 3 },
        ],
        ui: 'cust-42',
        order_id: 'ORD-1001',
        store_id: 'BER-01',
        lat: '52.520008',
        lon: '13.404954',
        revenue: 53.97,
      },
    })
  })

  it('floors _dt to whole seconds, also before 1970', () => {
    expect(buildAction(purchase({ occurredAt: new Date(1_700_000_000_999) })).data._dt).toBe(1_700_000_000)
    expect(buildAction(purchase({ occurredAt: new Date(1_700_000_000_000) })).data._dt).toBe(1_700_000_000)
    expect(buildAction(purchase({ occurredAt: new Date(-1) })).data._dt).toBe(-1)
  })

  it('keeps lat and lon exactly as the store has them', () => {
    const data = buildAction(
      purchase({ store: { code: 'S', latitude: '52.5200080', longitude: '-013.40' } }),
    ).data
    expect(data).toMatchObject({ lat: '52.5200080', lon: '-013.40' })
  })

  it('omits empty and null optionals instead of sending them', () => {
    const data = buildAction(
      purchase({
        customerId: '',
        store: { code: 'S', latitude: '', longitude: null },
        lineItems: [line({ itemId: 'A', itemName: '', variationId: '', unitPrice: null, quantity: null })],
      }),
    ).data
    expect(data).toEqual({
      _dt: SALE_SECONDS,
      items: [{ item_id: 'A' }],
      order_id: 'ORD-1001',
      store_id: 'S',
    })
    expect(JSON.stringify(data)).not.toMatch(/null|""/)
  })

  it('leaves revenue out when the event has none, so Constructor sums price × count', () => {
    const data = buildAction(purchase({ lineItems: [line({ unitPrice: '17.99', quantity: 3 })] })).data
    expect(data).not.toHaveProperty('revenue')
    expect(JSON.stringify(data)).toContain('"price":17.99,"count":3')
  })

  it('orders items by line number', () => {
    const data = buildAction(
      purchase({ lineItems: [line({ lineNumber: 3, itemId: 'C' }), line({ lineNumber: 1, itemId: 'A' })] }),
    ).data
    expect(data).toMatchObject({ items: [{ item_id: 'A' }, { item_id: 'C' }] })
  })

  it('refuses line items of a return role', () => {
    expect(() =>
      buildAction(purchase({ lineItems: [line(), line({ lineNumber: 2, role: 'KEPT' })] })),
    ).toThrow(expect.objectContaining({ code: 'role_mismatch', lineNumber: 2 }))
  })

  it('refuses an event without a time', () => {
    expect(() => buildAction(purchase({ occurredAt: null }))).toThrow(
      expect.objectContaining({ code: 'missing_time' }),
    )
    expect(() => buildAction(purchase({ occurredAt: new Date('nope') }))).toThrow(PayloadBuildError)
  })
})

describe('buildAction for a return', () => {
  it('fills all three item lists from the line roles', () => {
    const action = buildAction(
      returnEvent({
        lineItems: [
          line({ lineNumber: 1, role: 'RETURNED', itemId: 'R1', unitPrice: '20.0000', quantity: 1 }),
          line({ lineNumber: 2, role: 'KEPT', itemId: 'K1' }),
          line({ lineNumber: 3, role: 'CROSS_SOLD', itemId: 'X1', itemName: 'Belt' }),
          line({ lineNumber: 4, role: 'RETURNED', itemId: null, itemName: 'Scarf' }),
        ],
      }),
    )
    expect(action.action).toBe('return')
    expect(action.data).toMatchObject({
      items_returned: [{ item_id: 'R1', price: 20, count: 1 }, { item_name: 'Scarf' }],
      items_kept: [{ item_id: 'K1' }],
      items_cross_sold: [{ item_id: 'X1', item_name: 'Belt' }],
    })
  })

  it('maps the return fields and enums', () => {
    const action = buildAction(
      returnEvent({
        customerId: 'cust-7',
        revenue: '0.3',
        returnExpenses: '4.5000',
        refund: new FakeDecimal('99.9900'),
        returnShippingCost: 5,
        returnReason: 'too small',
        returnType: 'PARTIAL',
        returnPreference: 'REPLACEMENT',
        returnDropOff: 'Locker 12',
        store: { code: 'BER-01', latitude: '52.52', longitude: '13.40' },
      }),
    )
    expect(action).toEqual({
      action: 'return',
      data: {
        _dt: SALE_SECONDS,
        items_returned: [{ item_id: 'SKU-1' }],
        ui: 'cust-7',
        order_id: 'ORD-1001',
        revenue: 0.3,
        return_expenses: 4.5,
        refund: 99.99,
        return_shipping_cost: 5,
        return_reason: 'too small',
        return_type: 'partial',
        return_preference: 'replacement',
        lat: '52.52',
        lon: '13.40',
        return_drop_off: 'Locker 12',
      },
    })
    expect(buildAction(returnEvent({ returnType: 'FULL', returnPreference: 'REFUND' })).data).toMatchObject({
      return_type: 'full',
      return_preference: 'refund',
    })
  })

  it('sends no store_id (the contract has none for returns) and omits empty lists and optionals', () => {
    expect(buildAction(returnEvent()).data).toEqual({
      _dt: SALE_SECONDS,
      items_returned: [{ item_id: 'SKU-1' }],
      order_id: 'ORD-1001',
    })
  })

  it('refuses a PURCHASED line in a return', () => {
    expect(() => buildAction(returnEvent({ lineItems: [line({ role: 'PURCHASED' })] }))).toThrow(
      expect.objectContaining({ code: 'role_mismatch' }),
    )
  })
})

describe('money', () => {
  it('is read from the decimal text, never computed in floating point', () => {
    expect(toMoneyNumber('17.9900')).toBe(17.99)
    expect(toMoneyNumber('53.9700')).toBe(53.97)
    expect(JSON.stringify(toMoneyNumber('53.9700'))).toBe('53.97')
    expect(0.1 + 0.2).not.toBe(0.3)
    expect(JSON.stringify(toMoneyNumber('0.3000'))).toBe('0.3')
    expect(toMoneyNumber(new FakeDecimal('0.1000'))).toBe(0.1)
    expect(toMoneyNumber('-12.5000')).toBe(-12.5)
    expect(Object.is(toMoneyNumber('-0.0000'), 0)).toBe(true)
    expect(toMoneyNumber('0012.3400')).toBe(12.34)
  })

  it('keeps large values exact up to what a JSON number can carry', () => {
    expect(JSON.stringify(toMoneyNumber('99999999999.9999'))).toBe('99999999999.9999')
    expect(JSON.stringify(toMoneyNumber('1234567890123.4500'))).toBe('1234567890123.45')
    expect(JSON.stringify(toMoneyNumber('70368744177663.7500'))).toBe('70368744177663.75')
    expect(() => toMoneyNumber('99999999999999.9999')).toThrow(
      expect.objectContaining({ code: 'money_not_representable' }),
    )
  })

  it('refuses text that is not a plain decimal', () => {
    for (const bad of ['', '1e3', '12,50', 'NaN', '$5', '1.2.3']) {
      expect(() => toMoneyNumber(bad)).toThrow(expect.objectContaining({ code: 'invalid_money' }))
    }
    expect(() => toMoneyNumber(Number.POSITIVE_INFINITY)).toThrow(PayloadBuildError)
  })

  it('round-trips every Decimal(18,4) value of up to 15 significant digits unchanged', () => {
    fc.assert(
      fc.property(storedDecimal(14), (text) => {
        const canonical = text.replace(/\.?0+$/, '').replace(/^(-?)0+(?=\d)/, '$1') || '0'
        const digits = canonical.replace(/[-.]/g, '').replace(/^0+/, '').length
        fc.pre(digits <= 15)
        const expected = canonical === '-0' ? '0' : canonical
        expect(JSON.stringify(toMoneyNumber(text))).toBe(expected)
      }),
      { numRuns: 500 },
    )
  })

  it('names the line of a price it cannot send', () => {
    const event = purchase({ lineItems: [line({ lineNumber: 7, unitPrice: 'abc' })] })
    expect(() => buildAction(event)).toThrow(
      expect.objectContaining({ code: 'invalid_money', storedField: 'unitPrice', lineNumber: 7 }),
    )
  })
})

describe('buildRequestBody', () => {
  it('keeps the order of the events, so a reported index points back at its event', () => {
    const events = ['A', 'B', 'C'].map((orderId) => purchase({ orderId }))
    const body = buildRequestBody(events)
    expect(body.behavioral_actions.map((a) => a.data.order_id)).toEqual(['A', 'B', 'C'])
  })

  it('allows 100 actions and refuses 101 before anything is sent', () => {
    expect(buildRequestBody(Array(100).fill(purchase())).behavioral_actions).toHaveLength(100)
    expect(() => buildRequestBody(Array(101).fill(purchase()))).toThrow(
      expect.objectContaining({ name: 'PayloadBuildError', code: 'too_many_actions' }),
    )
    expect(() => buildRequestBody([])).toThrow(expect.objectContaining({ code: 'no_actions' }))
  })

  it('allows 500 items per list and refuses 501, naming the event', () => {
    const lines = (n: number, role: StoredLineItemForPayload['role']) =>
      Array.from({ length: n }, (_, i) => line({ lineNumber: i + 1, role, itemId: `SKU-${i}` }))
    expect(buildAction(purchase({ lineItems: lines(500, 'PURCHASED') })).data).toHaveProperty(
      'items.length',
      500,
    )
    expect(() => buildRequestBody([purchase(), purchase({ lineItems: lines(501, 'PURCHASED') })])).toThrow(
      expect.objectContaining({ code: 'too_many_items', eventIndex: 1, field: 'items' }),
    )
    const tooManyKept = [
      ...lines(1, 'RETURNED'),
      ...lines(501, 'KEPT').map((l) => ({ ...l, lineNumber: l.lineNumber + 1 })),
    ]
    expect(() => buildRequestBody([returnEvent({ lineItems: tooManyKept })])).toThrow(
      expect.objectContaining({ code: 'too_many_items', field: 'items_kept', eventIndex: 0 }),
    )
  })

  it('refuses to build a body that breaks the contract, listing every issue with its event', () => {
    const events = [
      purchase(),
      purchase({ lineItems: [line({ itemId: null, itemName: null, variationId: 'V' })] }),
      returnEvent({
        lineItems: [line({ role: 'KEPT' })],
        store: { code: 'S', latitude: 'x'.repeat(21), longitude: null },
      }),
    ]
    let error: unknown
    try {
      buildRequestBody(events)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(PayloadValidationError)
    const issues = (error as PayloadValidationError).issues
    expect(new Set(issues.map((i) => i.eventIndex))).toEqual(new Set([1, 2]))
    expect(issues).toContainEqual(expect.objectContaining({ eventIndex: 1, field: 'items[0].variation_id' }))
    expect(issues).toContainEqual(expect.objectContaining({ eventIndex: 2, field: 'items_returned' }))
    expect(issues).toContainEqual(
      expect.objectContaining({ eventIndex: 2, field: 'lat', storedField: 'store.latitude' }),
    )
  })

  it('builds a valid body from any sendable stored events', () => {
    fc.assert(
      fc.property(fc.array(storedEvent, { minLength: 1, maxLength: 10 }), (events) => {
        const body = buildRequestBody(events)
        expect(body.behavioral_actions).toHaveLength(events.length)
        expect(JSON.stringify(body)).not.toMatch(/:null|:""/)
      }),
      { numRuns: 100 },
    )
  })
})

describe('validateAction and checkEventAgainstContract', () => {
  it('accept a valid action', () => {
    expect(validateAction(buildAction(purchase()))).toEqual({ ok: true, action: buildAction(purchase()) })
    expect(checkEventAgainstContract(purchase())).toEqual([])
  })

  it('report per-field issues with the stored field and line number', () => {
    const event = purchase({
      store: { code: 'x'.repeat(251), latitude: '52.5', longitude: '1'.repeat(21) },
      lineItems: [line({ lineNumber: 1 }), line({ lineNumber: 2, itemId: null, itemName: 'n'.repeat(251) })],
    })
    const issues = checkEventAgainstContract(event)
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'store_id', storedField: 'store.code' }),
        expect.objectContaining({ field: 'lon', storedField: 'store.longitude' }),
        expect.objectContaining({ field: 'items[1].item_name', storedField: 'itemName', lineNumber: 2 }),
      ]),
    )
    expect(issues).toHaveLength(3)
  })

  it('turn build failures into issues too', () => {
    expect(checkEventAgainstContract(purchase({ occurredAt: null }))).toEqual([
      expect.objectContaining({ field: '_dt', storedField: 'occurredAt' }),
    ])
    expect(
      checkEventAgainstContract(purchase({ lineItems: [line({ lineNumber: 4, unitPrice: '1e5' })] })),
    ).toEqual([expect.objectContaining({ field: 'items[0].price', storedField: 'unitPrice', lineNumber: 4 })])
  })

  it('name an unknown key and a missing item identity', () => {
    const result = validateAction({ action: 'purchase', data: { _dt: 1, items: [{ price: 1 }], extra: 1 } })
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.issues.map((i) => i.field).sort()).toEqual(['extra', 'items[0].item_id'])
    const missing = validateAction({ action: 'purchase', data: { _dt: 1.5, items: [{ price: 1 }] } })
    expect(missing.ok ? [] : missing.issues.map((i) => i.field)).toContain('_dt')
  })
})
