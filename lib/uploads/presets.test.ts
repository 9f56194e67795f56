import { describe, expect, it } from 'vitest'
import { normalizeHeader } from './fields'
import {
  applyMapping,
  detectPreset,
  LOYVERSE_RECEIPTS_PRESET,
  presetLabel,
  proposeMapping,
  SALES_TEMPLATE_CSV,
  SALES_TEMPLATE_HEADERS,
  SHOPIFY_ORDERS_PRESET,
  SQUARE_ITEM_SALES_PRESET,
  TOAST_ITEM_SELECTIONS_PRESET,
} from './presets'

describe('presets', () => {
  it('carry the exports’ real header rows', () => {
    expect(SHOPIFY_ORDERS_PRESET.headers).toHaveLength(79)
    expect(SHOPIFY_ORDERS_PRESET.headers.slice(0, 3)).toEqual(['Name', 'Email', 'Financial Status'])
    expect(SHOPIFY_ORDERS_PRESET.headers.at(-1)).toBe('Payment References')
    expect(SQUARE_ITEM_SALES_PRESET.headers).toHaveLength(32)
    expect(SALES_TEMPLATE_CSV.split('\n')[0]).toBe(SALES_TEMPLATE_HEADERS.join(','))
  })

  it('are detected when every signature column is present, in any case or spacing', () => {
    expect(detectPreset(SHOPIFY_ORDERS_PRESET.headers)?.id).toBe('shopify')
    expect(detectPreset(SQUARE_ITEM_SALES_PRESET.headers)?.id).toBe('square')
    expect(detectPreset(['ORDER ID', 'Occurred At', 'Kind', 'Unit Price', 'QUANTITY'])?.id).toBe('template')
    expect(detectPreset(SHOPIFY_ORDERS_PRESET.headers.filter((h) => h !== 'Lineitem price'))).toBeNull()
  })
})

describe('Toast and Loyverse layouts', () => {
  const mapped = (header: readonly string[]) => {
    const p = proposeMapping(header)
    return {
      preset: p.preset,
      columns: Object.fromEntries(Object.entries(p.mapping).map(([f, c]) => [f, c.header])),
    }
  }

  it('recognise Toast’s export also with the PLU column and "Discount" spelled out, as files in use carry them', () => {
    const header = TOAST_ITEM_SELECTIONS_PRESET.headers.flatMap((h) =>
      h === 'SKU' ? ['SKU', 'PLU'] : h === 'Discnt' ? ['Discount'] : [h],
    )
    expect(mapped(header)).toEqual({
      preset: 'toast',
      columns: {
        orderId: 'Order Id',
        occurredAt: 'Order Date',
        storeCode: 'Location',
        itemId: 'SKU',
        itemName: 'Menu Item',
        lineTotal: 'Net Price',
        quantity: 'Qty',
        voided: 'Void?',
      },
    })
  })

  it('recognise Loyverse’s export also when it names the item column "Item name" and leaves columns out', () => {
    const header = [
      'Date',
      'Receipt number',
      'Receipt type',
      'Category',
      'SKU',
      'Item name',
      'Variant',
      'Quantity',
      'Gross sales',
      'Discounts',
      'Net sales',
      'Cost of goods',
      'Taxes',
      'POS',
      'Store',
      'Cashier name',
      'Customer name',
      'Status',
    ]
    expect(mapped(header)).toEqual({
      preset: 'loyverse',
      columns: {
        orderId: 'Receipt number',
        occurredAt: 'Date',
        kind: 'Receipt type',
        storeCode: 'Store',
        itemId: 'SKU',
        itemName: 'Item name',
        lineTotal: 'Net sales',
        quantity: 'Quantity',
      },
    })
    expect(LOYVERSE_RECEIPTS_PRESET.headers).toHaveLength(22)
  })

  it('recognise Loyverse’s export without a Store column too (the store chosen for the upload fills it)', () => {
    const header = LOYVERSE_RECEIPTS_PRESET.headers.filter((h) => h !== 'Store')
    expect(mapped(header).preset).toBe('loyverse')
    expect(mapped(header).columns.kind).toBe('Receipt type')
  })

  it('are named on screen by their label', () => {
    expect(presetLabel('toast')).toBe('Toast item selection export')
    expect(presetLabel('loyverse')).toBe('Loyverse receipts export')
    expect(presetLabel('custom')).toBeNull()
  })
})

describe('proposeMapping', () => {
  it('maps a preset’s own columns', () => {
    const p = proposeMapping(SQUARE_ITEM_SALES_PRESET.headers)
    expect(p.preset).toBe('square')
    expect(Object.fromEntries(Object.entries(p.mapping).map(([f, c]) => [f, c.header]))).toEqual({
      occurredAt: 'Date',
      time: 'Time',
      timeZone: 'Time Zone',
      itemName: 'Item',
      quantity: 'Qty',
      itemId: 'SKU',
      lineTotal: 'Net Sales',
      orderId: 'Transaction ID',
      kind: 'Event Type',
      storeCode: 'Location',
      customerId: 'Customer ID',
    })
    expect(p.missing).toEqual([])
  })

  it('matches aliases without case, spaces or punctuation, the best alias first', () => {
    expect(normalizeHeader(' Lineitem  SKU ')).toBe('lineitemsku')
    expect(normalizeHeader('Stück-Preis')).toBe('stuckpreis')
    const p = proposeMapping(['Receipt #', 'Order ID', 'Date', 'Item ID', 'Qty.', 'Unit price', 'Name'])
    expect(p.mapping).toEqual({
      orderId: { index: 1, header: 'Order ID' },
      occurredAt: { index: 2, header: 'Date' },
      itemId: { index: 3, header: 'Item ID' },
      quantity: { index: 4, header: 'Qty.' },
      unitPrice: { index: 5, header: 'Unit price' },
      itemName: { index: 6, header: 'Name' },
    })
    expect(p.unmappedColumns).toEqual([{ index: 0, header: 'Receipt #' }])
  })

  it('takes Square’s net sales (after the line’s discount) and leaves its price point name out of the variation', () => {
    const p = proposeMapping(SQUARE_ITEM_SALES_PRESET.headers)
    expect(p.mapping.lineTotal?.header).toBe('Net Sales')
    expect(p.mapping.variationId).toBeUndefined()
    expect(p.unmappedColumns.map((c) => c.header)).toContain('Price Point Name')
  })

  it('never maps Shopify’s Email column to the customer id', () => {
    const p = proposeMapping(SHOPIFY_ORDERS_PRESET.headers)
    expect(p.preset).toBe('shopify')
    expect(p.mapping.customerId).toBeUndefined()
    expect(Object.values(p.mapping).map((c) => c.header)).not.toContain('Email')
    // the line's own discount is read, so the price sent is what the customer paid
    expect(p.mapping.lineDiscount?.header).toBe('Lineitem discount')
  })

  it('leaves a customer column holding email addresses unmapped, in any layout', () => {
    const header = ['Order', 'Date', 'SKU', 'Qty', 'Price', 'Customer']
    const row = (customer: string) => ['1', '2026-03-01', 'A', '1', '2', customer]
    expect(
      proposeMapping(header, [row(''), row('Anna.Schmidt@example.de')]).mapping.customerId,
    ).toBeUndefined()
    expect(proposeMapping(header, [row('C-42')]).mapping.customerId).toEqual({ index: 5, header: 'Customer' })
    const template = proposeMapping(SALES_TEMPLATE_HEADERS, [
      [
        '1001',
        '2026-03-02 14:05',
        'BER-01',
        'anna@example.com',
        'purchase',
        'MUG',
        'Mug',
        '',
        '12.50',
        '1',
        '',
      ],
    ])
    expect(template.preset).toBe('template')
    expect(template.mapping.customerId).toBeUndefined()
  })

  it('reads "Name" as the order number in Shopify’s layout', () => {
    expect(proposeMapping(['Name', 'Created at', 'Lineitem sku']).mapping.orderId).toEqual({
      index: 0,
      header: 'Name',
    })
  })

  it('only takes a "Type" column as purchase/return when its values say so', () => {
    const header = ['Order', 'Date', 'SKU', 'Qty', 'Price', 'Type']
    expect(proposeMapping(header, [['1', '2026-03-01', 'A', '1', '2', 'Mugs']]).mapping.kind).toBeUndefined()
    expect(proposeMapping(header, [['1', '2026-03-01', 'A', '1', '2', 'Refund']]).mapping.kind).toEqual({
      index: 5,
      header: 'Type',
    })
  })

  it('lists the required fields it could not find', () => {
    expect(proposeMapping(['Order', 'SKU']).missing.map((m) => m.fields)).toEqual([
      ['occurredAt'],
      ['unitPrice', 'lineTotal'],
      ['quantity'],
    ])
  })
})

describe('applyMapping', () => {
  it('applies a person’s choices by header name or index and can unmap a field', () => {
    const r = applyMapping(['Beleg', 'Datum', 'Artikel', 'Menge', 'Preis', 'Filiale'], {
      orderId: 'beleg',
      itemId: 2,
      itemName: null,
      storeCode: null,
    })
    expect(r.mapping).toEqual({
      orderId: { index: 0, header: 'Beleg' },
      occurredAt: { index: 1, header: 'Datum' },
      itemId: { index: 2, header: 'Artikel' },
      quantity: { index: 3, header: 'Menge' },
      unitPrice: { index: 4, header: 'Preis' },
    })
    expect(r.errors).toEqual([])
    expect(r.missing).toEqual([])
  })

  it('reports choices that name no column of the file', () => {
    expect(applyMapping(['a', 'b'], { quantity: 'Qty', unitPrice: 7 }).errors).toEqual([
      {
        field: 'quantity',
        message: "This file has no column 'Qty' for Quantity — choose one of its columns",
      },
      {
        field: 'unitPrice',
        message: "This file has no column '7' for Unit price — choose one of its columns",
      },
    ])
  })
})
