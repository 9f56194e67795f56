import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { makeStore } from '@/lib/auth/test-fixtures'
import { closeDbPool, db } from '@/lib/db'
import { applyMapping, SHOPIFY_ORDERS_PRESET, SQUARE_ITEM_SALES_PRESET } from '../presets'
import { getRememberedMapping } from '../queries'

vi.mock('server-only', () => ({}))

// A store remembers the whole mapping of its last upload per preset. Mappings remembered before the
// presets were fixed still name Shopify's Email as the customer id and Square's gross sales and price
// point name: migration 20261202165000 takes those out, so the next upload uses the fixed preset.
const MIGRATION = path.resolve(
  import.meta.dirname,
  '../../../prisma/migrations/20261202165000_preset_mappings_without_email/migration.sql',
)

afterAll(async () => {
  await closeDbPool()
})

const headersOf = (m: ReturnType<typeof applyMapping>['mapping']) =>
  Object.fromEntries(Object.entries(m).map(([f, c]) => [f, c.header]))

describe('mappings remembered before the preset fixes', () => {
  it('no longer send an email as the customer id, nor gross prices or price point names', async () => {
    const store = await makeStore()
    const shopifyChosenByHand = await makeStore()
    const old = (source: string, mapping: Record<string, string>, storeId = store.id) =>
      db.columnMappingPreset.create({ data: { storeId, source, mapping } })
    await old('shopify', {
      orderId: 'Name',
      occurredAt: 'Created at',
      customerId: 'Email',
      storeCode: 'Location',
      itemName: 'Lineitem name',
      unitPrice: 'Lineitem price',
      quantity: 'Lineitem quantity',
    })
    await old('square', {
      occurredAt: 'Date',
      quantity: 'Qty',
      variationId: 'Price Point Name',
      lineTotal: 'Gross Sales',
      storeCode: 'Location',
    })
    // a person's own choice of another column stays
    await old('shopify', { customerId: 'Billing Phone', storeCode: 'Location' }, shopifyChosenByHand.id)

    const before = (await getRememberedMapping(store.id, 'shopify'))!
    expect(applyMapping(SHOPIFY_ORDERS_PRESET.headers, before).mapping.customerId?.header).toBe('Email')

    await db.$executeRawUnsafe(readFileSync(MIGRATION, 'utf8'))

    const shopify = applyMapping(
      SHOPIFY_ORDERS_PRESET.headers,
      (await getRememberedMapping(store.id, 'shopify'))!,
    )
    expect(shopify.mapping.customerId).toBeUndefined()
    expect(headersOf(shopify.mapping)).toMatchObject({
      unitPrice: 'Lineitem price',
      lineDiscount: 'Lineitem discount',
    })
    const square = applyMapping(
      SQUARE_ITEM_SALES_PRESET.headers,
      (await getRememberedMapping(store.id, 'square'))!,
    )
    expect(square.mapping.variationId).toBeUndefined()
    expect(square.mapping.lineTotal?.header).toBe('Net Sales')
    expect(await getRememberedMapping(shopifyChosenByHand.id, 'shopify')).toEqual({
      customerId: 'Billing Phone',
      storeCode: 'Location',
    })
  })
})
