import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import contract from '@/lib/constructor/sandbox/contract.schema.json'
import {
  MAX_COORDINATE_LENGTH,
  MAX_ITEM_FIELD_LENGTH,
  MAX_ITEMS_PER_LIST,
  MAX_RETURN_DROP_OFF_LENGTH,
  MAX_STORE_ID_LENGTH,
} from '@/lib/constructor/schema'
import { UPLOAD_MESSAGES } from '@/lib/uploads/messages'
import {
  cutText,
  hasUnstorableCharacter,
  itemsTotalOverflow,
  MAX_AMOUNT,
  SALE_LIMITS,
  shownValue,
} from './limits'
import { SALE_MESSAGES } from './schema'

// The one table of limits agrees with the contract (the sandbox's copy of Constructor's JSON Schema and the
// contract module) and with the database columns that hold the values.
type Defs = Record<string, { properties?: Record<string, { maxLength?: number }>; maxItems?: number }>
const defs = (contract as unknown as { $defs: Defs }).$defs

describe('the table of limits', () => {
  it("matches Constructor's contract", () => {
    const item = defs.item?.properties ?? {}
    for (const f of ['item_id', 'item_name', 'variation_id'])
      expect(item[f]?.maxLength, f).toBe(SALE_LIMITS.maxTextLength)
    expect(defs.purchaseData?.properties?.store_id?.maxLength).toBe(SALE_LIMITS.maxTextLength)
    expect(defs.returnData?.properties?.return_drop_off?.maxLength).toBe(SALE_LIMITS.maxTextLength)
    expect(defs.itemList?.maxItems).toBe(SALE_LIMITS.maxItemsPerList)
    expect([
      MAX_ITEM_FIELD_LENGTH,
      MAX_STORE_ID_LENGTH,
      MAX_RETURN_DROP_OFF_LENGTH,
      MAX_ITEMS_PER_LIST,
      MAX_COORDINATE_LENGTH,
    ]).toEqual([
      SALE_LIMITS.maxTextLength,
      SALE_LIMITS.maxTextLength,
      SALE_LIMITS.maxTextLength,
      SALE_LIMITS.maxItemsPerList,
      SALE_LIMITS.maxCoordinateLength,
    ])
  })

  it('matches the database columns', () => {
    const prisma = fs.readFileSync(path.resolve(import.meta.dirname, '../../prisma/schema.prisma'), 'utf8')
    const model = (name: string) => prisma.split(`model ${name} {`)[1]?.split('\n}')[0] ?? ''
    const column = (m: string, field: string) =>
      new RegExp(`^\\s*${field}\\s+\\S+\\s+.*@db\\.(\\w+\\([\\d, ]+\\))`, 'm').exec(model(m))?.[1]
    const text = `VarChar(${SALE_LIMITS.storedTextLength})`
    for (const f of ['orderId', 'customerId', 'returnDropOff']) expect(column('SaleEvent', f), f).toBe(text)
    for (const f of ['itemId', 'itemName', 'variationId']) expect(column('LineItem', f), f).toBe(text)
    expect(column('SaleEventSearch', 'orderId')).toBe(text)
    expect(column('ItemIdSearch', 'itemId')).toBe(text)
    const decimal = `Decimal(${SALE_LIMITS.maxIntegerDigits + SALE_LIMITS.maxFractionDigits}, ${SALE_LIMITS.maxFractionDigits})`
    for (const f of ['revenue', 'refund', 'returnExpenses', 'returnShippingCost', 'itemsTotal'])
      expect(column('SaleEvent', f), f).toBe(decimal)
    expect(column('LineItem', 'unitPrice')).toBe(decimal)
    expect(MAX_AMOUNT).toBe(
      `${'9'.repeat(SALE_LIMITS.maxIntegerDigits)}.${'9'.repeat(SALE_LIMITS.maxFractionDigits)}`,
    )
  })

  it('finds NUL and half of a surrogate pair, not whole emoji', () => {
    expect(hasUnstorableCharacter('A\u0000B')).toBe(true)
    expect(hasUnstorableCharacter('\uD83D')).toBe(true)
    expect(hasUnstorableCharacter('x\uDE00y')).toBe(true)
    expect(hasUnstorableCharacter('\uDE00\uD83D')).toBe(true)
    expect(hasUnstorableCharacter('mug \uD83D\uDE00')).toBe(false)
    expect(hasUnstorableCharacter('Grüße')).toBe(false)
  })

  it('cuts text without splitting an emoji', () => {
    expect(cutText('abc', 5)).toBe('abc')
    expect(cutText('abcdef', 4)).toBe('abcd')
    expect(cutText('ab\uD83D\uDE00', 3)).toBe('ab')
    expect(cutText('ab\uD83D\uDE00', 4)).toBe('ab\uD83D\uDE00')
  })

  it('finds a total a Decimal(18, 4) cannot hold, exactly', () => {
    const line = (unitPrice: string, quantity: number) => ({ unitPrice, quantity })
    expect(itemsTotalOverflow([line('99999999999999', 10_000), line('99999999999999', 10_000)])).toBe(
      '1,999,999,999,999,980,000',
    )
    expect(itemsTotalOverflow([line('9999999999.9999', 10_000)])).toBe(null)
    expect(itemsTotalOverflow([line('10000000000', 10_000)])).toBe('100,000,000,000,000')
    expect(itemsTotalOverflow([line('0.0001', 10_000), line('99999999999999.9998', 1)])).toBe(
      '100,000,000,000,000.9998',
    )
    expect(itemsTotalOverflow([line('12.50', 2)])).toBe(null)
    expect(itemsTotalOverflow([{ unitPrice: null, quantity: 10_000 }])).toBe(null)
    // a value outside its own limit has its own reason
    expect(itemsTotalOverflow([line('999999999999999', 10_000)])).toBe(null)
    expect(itemsTotalOverflow([line('99999999999999', 10_001)])).toBe(null)
    expect(itemsTotalOverflow([line('-99999999999999', 10_000), line('-99999999999999', 10_000)])).toBe(null)
  })

  it('quotes a long value in a message by its start', () => {
    const cell = '9'.repeat(60_000)
    for (const message of [
      SALE_MESSAGES.amountFormat('Price', cell, 'unit_price'),
      SALE_MESSAGES.quantityOutOfRange(cell),
      UPLOAD_MESSAGES.dateUnreadable(cell, 'occurred_at'),
      UPLOAD_MESSAGES.unknownStore(cell, 'store_code', []),
    ])
      expect(message.length).toBeLessThan(300)
    expect(shownValue('12.50')).toBe('12.50')
    expect(shownValue(cell)).toBe(`${'9'.repeat(57)}…`)
  })
})
