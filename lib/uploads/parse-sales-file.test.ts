import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import iconv from 'iconv-lite'
import { describe, expect, it } from 'vitest'
import { SALE_MESSAGES } from '@/lib/sales/schema'
import { saleEventContentHash } from './content-hash'
import { UPLOAD_MESSAGES } from './messages'
import { type ParseSalesFileOptions, parseSalesFile, previewSalesFile } from './parse-sales-file'
import { SALES_TEMPLATE_CSV, SALES_TEMPLATE_HEADERS } from './presets'
import type { ParsedLineItem, ParsedSaleEvent, StoreInfo } from './types'

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '__fixtures__', name))
const NOW = new Date('2026-03-10T12:00:00Z')
const BERLIN: Record<string, StoreInfo> = { 'BER-01': { id: 'store-ber', timeZone: 'Europe/Berlin' } }

type ExpectedEvent = Pick<
  ParsedSaleEvent,
  'kind' | 'storeId' | 'storeCode' | 'orderId' | 'occurredAt' | 'lineItems' | 'sourceRows' | 'itemsTotal'
> &
  Partial<ParsedSaleEvent>

// The whole event as it must come out; the content hash is recomputed from the expected content.
function event(e: ExpectedEvent): ParsedSaleEvent {
  const full: ParsedSaleEvent = {
    orderIdGenerated: false,
    customerId: null,
    revenue: null,
    refund: null,
    returnExpenses: null,
    returnShippingCost: null,
    returnReason: null,
    returnType: null,
    returnPreference: null,
    returnDropOff: null,
    status: 'READY',
    issues: [],
    ...e,
    itemCount: e.lineItems.length,
    contentHash: '',
  }
  full.contentHash = saleEventContentHash(full)
  return full
}

function item(
  lineNumber: number,
  role: ParsedLineItem['role'],
  itemId: string | null,
  itemName: string | null,
  variationId: string | null,
  unitPrice: string | null,
  quantity: number | null,
): ParsedLineItem {
  return { lineNumber, role, itemId, itemName, variationId, unitPrice, quantity }
}

async function parse(input: Buffer | string | Buffer[], options: Partial<ParseSalesFileOptions> = {}) {
  return parseSalesFile(input, { stores: BERLIN, now: NOW, ...options })
}

async function failure(input: Buffer | string | Buffer[], options: Partial<ParseSalesFileOptions> = {}) {
  try {
    await parse(input, options)
  } catch (e) {
    const { code, line, message } = e as { code: string; line: number | null; message: string }
    return { code, line, message }
  }
  throw new Error('expected the file to be refused')
}

const templateEvents = [
  event({
    kind: 'PURCHASE',
    storeId: 'store-ber',
    storeCode: 'BER-01',
    orderId: '1001',
    occurredAt: new Date('2026-03-02T13:05:00Z'),
    customerId: 'C-42',
    lineItems: [
      item(1, 'PURCHASED', 'MUG-BLUE', 'Blue mug', 'large', '12.5', 2),
      item(2, 'PURCHASED', 'TOWEL-01', 'Tea towel, linen', null, '4', 1),
    ],
    sourceRows: [2, 3],
    itemsTotal: '29',
  }),
  event({
    kind: 'RETURN',
    storeId: 'store-ber',
    storeCode: 'BER-01',
    orderId: '1001',
    occurredAt: new Date('2026-03-05T09:30:00Z'),
    customerId: 'C-42',
    returnReason: 'Chipped on arrival',
    refund: '12.5',
    returnType: 'PARTIAL',
    returnPreference: 'REFUND',
    lineItems: [item(1, 'RETURNED', 'MUG-BLUE', 'Blue mug', 'large', '12.5', 1)],
    sourceRows: [4],
    itemsTotal: '12.5',
  }),
  event({
    kind: 'PURCHASE',
    storeId: 'store-ber',
    storeCode: 'BER-01',
    orderId: 'GEN-522796ABB9E5F1AC',
    orderIdGenerated: true,
    occurredAt: new Date('2026-03-02T15:20:00Z'),
    lineItems: [item(1, 'PURCHASED', null, 'Gift wrapping', null, '2', 1)],
    sourceRows: [5],
    itemsTotal: '2',
  }),
]

// The template as offered before it had a return's own columns: such files read exactly as they always did.
const OLDER_TEMPLATE_CSV = `order_id,occurred_at,store_code,customer_id,kind,item_id,item_name,variation_id,unit_price,quantity,return_reason
1001,2026-03-02 14:05,BER-01,C-42,purchase,MUG-BLUE,Blue mug,large,12.50,2,
1001,2026-03-02 14:05,BER-01,C-42,purchase,TOWEL-01,"Tea towel, linen",,4.00,1,
1001,2026-03-05 10:30,BER-01,C-42,return,MUG-BLUE,Blue mug,large,12.50,1,Chipped on arrival
,2026-03-02T16:20:00+01:00,BER-01,,purchase,,Gift wrapping,,2.00,1,
`
const olderTemplateEvents = templateEvents.map((e) =>
  event({
    ...e,
    refund: null,
    returnType: null,
    returnPreference: null,
    ...(e.orderIdGenerated && { orderId: 'GEN-13045A07A6F11415' }),
  }),
)

describe('parseSalesFile: our template', () => {
  it('turns the downloadable example into one purchase, one return and a sale with a generated order number', async () => {
    const r = await parse(SALES_TEMPLATE_CSV)
    expect(r.events).toEqual(templateEvents)
    expect(r).toMatchObject({
      encoding: 'utf-8',
      bom: false,
      delimiter: ',',
      headerRowNumber: 1,
      preset: 'template',
      dateOrder: 'YMD',
      decimalSeparator: '.',
      rowIssues: [],
      warnings: [],
      counts: {
        rows: 4,
        blankRows: 0,
        lineItems: 4,
        events: 3,
        validEvents: 3,
        invalidEvents: 0,
        returns: 1,
        rowIssues: 0,
      },
    })
  })

  it('reads a template file without the return columns exactly as before they were added', async () => {
    const r = await parse(OLDER_TEMPLATE_CSV)
    expect(r.events).toEqual(olderTemplateEvents)
    expect(r).toMatchObject({ preset: 'template', rowIssues: [], warnings: [] })
  })

  it.each([
    ['tab', '\t'],
    ['semicolon', ';'],
    ['pipe', '|'],
  ] as const)('reads the same file delimited by %s', async (_name, delimiter) => {
    const text = SALES_TEMPLATE_CSV.split('\n')
      .map((line) => line.replace(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/g, delimiter))
      .join('\n')
    const r = await parse(text)
    expect(r.delimiter).toBe(delimiter)
    // the generated order number hashes the row's cells, which don't change with the delimiter
    expect(r.events).toEqual(templateEvents)
  })

  it.each([
    [
      'UTF-8 with BOM',
      (s: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s)]),
      'utf-8',
      true,
    ],
    ['UTF-16 LE with BOM', (s: string) => iconv.encode(s, 'utf-16le', { addBOM: true }), 'utf-16le', true],
    ['UTF-16 BE with BOM', (s: string) => iconv.encode(s, 'utf-16be', { addBOM: true }), 'utf-16be', true],
    ['Windows-1252', (s: string) => iconv.encode(s, 'windows-1252'), 'windows-1252', false],
  ])('reads %s and says so', async (_name, encode, encoding, bom) => {
    const text = SALES_TEMPLATE_CSV.replace('Blue mug', 'Crème brûlée mug').replaceAll('12.50', '€ 12.50')
    const expected = await parse(text)
    const r = await parse(encode(text))
    expect({ encoding: r.encoding, bom: r.bom }).toEqual({ encoding, bom })
    expect(r.events).toEqual(expected.events)
    expect(r.events[0]?.lineItems[0]).toEqual(
      item(1, 'PURCHASED', 'MUG-BLUE', 'Crème brûlée mug', 'large', '12.5', 2),
    )
  })

  it('gives the same events whatever the chunk boundaries', async () => {
    const bytes = iconv.encode(SALES_TEMPLATE_CSV.replace('Blue mug', 'Crème mug'), 'utf-16le', {
      addBOM: true,
    })
    const chunks: Buffer[] = []
    for (let i = 0; i < bytes.length; i += 7) chunks.push(bytes.subarray(i, i + 7))
    const r = await parse(chunks)
    expect(r.events).toEqual((await parse(bytes)).events)
  })
})

describe('parseSalesFile: a return’s own columns', () => {
  const header =
    'order_id,occurred_at,store_code,kind,item_id,unit_price,quantity,refund,return_expenses,return_shipping_cost,return_type,return_preference,return_drop_off,item_role'

  it('reads refund, costs, type, preference, drop-off and item roles from any of the return’s rows', async () => {
    const r = await parse(
      `${header}
R-1,2026-03-05 10:30,BER-01,return,A,10,1,,,,,,,
R-1,2026-03-05 10:30,BER-01,,B,5,2,-12.50,"1,5",4.95,Full,Replacement,Locker 7,kept
R-1,2026-03-05 10:30,BER-01,return,C,3,1,99,,,partial,refund,Elsewhere,Cross-Sold
`,
    )
    expect(r.rowIssues).toEqual([])
    expect(r.events).toHaveLength(1)
    expect(r.events[0]).toMatchObject({
      kind: 'RETURN',
      status: 'READY',
      // the first value of each column; money given back written negative is read as given back
      refund: '12.5',
      returnExpenses: '1.5',
      returnShippingCost: '4.95',
      returnType: 'FULL',
      returnPreference: 'REPLACEMENT',
      returnDropOff: 'Locker 7',
      lineItems: [
        item(1, 'RETURNED', 'A', null, null, '10', 1),
        item(2, 'KEPT', 'B', null, null, '5', 2),
        item(3, 'CROSS_SOLD', 'C', null, null, '3', 1),
      ],
    })
  })

  it('makes a row with a kept item a return, and leaves a purchase without return values', async () => {
    const r = await parse(
      `${header}
P-1,2026-03-05 10:30,BER-01,,A,10,1,,,,,,,
P-1,2026-03-05 10:30,BER-01,,K,10,1,,,,,,,kept
P-2,2026-03-05 10:30,BER-01,purchase,A,10,1,5,1,1,full,refund,Desk,
`,
    )
    expect(r.events.map((e) => [e.orderId, e.kind, e.lineItems.map((l) => l.role)])).toEqual([
      ['P-1', 'PURCHASE', ['PURCHASED']],
      ['P-1', 'RETURN', ['KEPT']],
      ['P-2', 'PURCHASE', ['PURCHASED']],
    ])
    // a purchase has no refund or return details: the cells are not read, as a purchase's return reason isn't
    expect(r.events[2]).toMatchObject({
      refund: null,
      returnType: null,
      returnPreference: null,
      returnDropOff: null,
    })
    // a return needs a returned item
    expect(r.events[1]?.status).toBe('INVALID')
  })

  it('reads one row without item cells in our own layout as a sale without items (how the export writes one)', async () => {
    const ours = `${SALES_TEMPLATE_HEADERS.join(',')}
R-9,2026-03-05 10:30,BER-01,,return,,,,,,,4,,,partial,,,
`
    const r = await parse(ours)
    expect(r.events).toHaveLength(1)
    expect(r.events[0]).toMatchObject({
      kind: 'RETURN',
      refund: '4',
      returnType: 'PARTIAL',
      lineItems: [],
      sourceRows: [2],
      status: 'INVALID',
      issues: [{ field: 'lineItems', message: SALE_MESSAGES.returnedItemsMissing(), row: 2 }],
    })
    // in a till's layout such a row is still an item, with the reasons it can't be sent
    const till = await parse(`${header}
R-9,2026-03-05 10:30,BER-01,return,,,,4,,,partial,,,
`)
    expect(till.events[0]?.lineItems).toHaveLength(1)
    expect(till.events[0]?.status).toBe('INVALID')
  })

  it('gives words it does not know and unreadable amounts a reason on the sale, naming the column', async () => {
    const r = await parse(
      `${header}
R-2,2026-03-05 10:30,BER-01,return,A,10,1,ten,,,some,cash,,gifted
`,
    )
    expect(r.rowIssues).toEqual([])
    expect(r.events[0]?.status).toBe('INVALID')
    expect(r.events[0]?.issues).toEqual([
      { field: 'lineItems.0.role', message: UPLOAD_MESSAGES.unknownItemRole('gifted', 'item_role'), row: 2 },
      { field: 'refund', message: SALE_MESSAGES.amountFormat('Refund', 'ten', 'refund'), row: 2 },
      {
        field: 'returnPreference',
        message: UPLOAD_MESSAGES.unknownReturnPreference('cash', 'return_preference'),
        row: 2,
      },
      { field: 'returnType', message: UPLOAD_MESSAGES.unknownReturnType('some', 'return_type'), row: 2 },
    ])
  })
})

describe('parseSalesFile: quoting, blank lines and title lines', () => {
  it('finds the header below title lines and keeps spreadsheet row numbers', async () => {
    const r = await parse(fixture('quoting-and-titles.csv'))
    expect(r.events).toEqual([
      event({
        kind: 'PURCHASE',
        storeId: 'store-ber',
        storeCode: 'BER-01',
        orderId: 'A-1',
        occurredAt: new Date('2026-03-02T13:05:00Z'),
        lineItems: [
          item(1, 'PURCHASED', 'SKU-1', 'Mug, blue', null, '12.5', 1),
          item(2, 'PURCHASED', 'SKU-2', 'Poster "Sunset"', 'A3', '1234', 1),
        ],
        sourceRows: [5, 7],
        itemsTotal: '1246.5',
      }),
      event({
        kind: 'PURCHASE',
        storeId: 'store-ber',
        storeCode: 'BER-01',
        orderId: 'A-2',
        occurredAt: new Date('2026-03-02T14:00:00Z'),
        customerId: 'C-7',
        lineItems: [item(1, 'PURCHASED', 'SKU-3', 'Card with\r\ntwo lines', null, '3', 2)],
        sourceRows: [8],
        itemsTotal: '6',
      }),
      event({
        kind: 'RETURN',
        storeId: 'store-ber',
        storeCode: 'BER-01',
        orderId: 'A-2',
        occurredAt: new Date('2026-03-02T14:00:00Z'),
        customerId: 'C-7',
        returnReason: 'Broken, sadly',
        lineItems: [item(1, 'RETURNED', 'SKU-1', 'Mug, blue', null, '12.5', 1)],
        sourceRows: [9],
        itemsTotal: '12.5',
      }),
    ])
    expect(r).toMatchObject({
      headerRowNumber: 4,
      preset: 'template',
      counts: { rows: 4, blankRows: 1, rowIssues: 0 },
    })
  })
})

describe('parseSalesFile: line ends', () => {
  const rows = [
    'order_id,occurred_at,store_code,item_id,item_name,unit_price,quantity',
    '1,2026-03-02 10:00,BER-01,A,"Mug, blue",12.50,1',
    '2,2026-03-02 11:00,BER-01,B,Towel,4.00,2',
    '3,2026-03-02 12:00,BER-01,C,Plate,3.00,1',
  ]

  const lf = `${rows.join('\n')}\n`
  const inCell = (text: string) => text.replace('Mug, blue', 'Mug,\nblue')

  it.each([
    ['CR alone (old Mac files)', `${rows.join('\r')}\r`, lf],
    ['CR alone, and a LF ending the file', `${rows.join('\r')}\r\n`, lf],
    ['CR alone, with a line break inside a quoted cell', inCell(`${rows.join('\r')}\r`), inCell(lf)],
    ['a Windows header above rows ending in CR alone', `${rows[0]}\r\n${rows.slice(1).join('\r')}\r`, lf],
    ['LF and CR alone mixed', `${rows[0]}\n${rows[1]}\r${rows[2]}\n${rows[3]}\r`, lf],
  ])('reads a file whose lines end in %s like the same file with LF', async (_name, text, same) => {
    const expected = await parse(same)
    const read = await parse(text)
    expect(read.rowIssues).toEqual([])
    expect(read.events.map((e) => ({ ...e, contentHash: '' }))).toEqual(
      expected.events.map((e) => ({ ...e, contentHash: '' })),
    )
    expect(read.events.map((e) => e.sourceRows)).toEqual([[2], [3], [4]])
  })
})

describe('parseSalesFile: Shopify orders export', () => {
  const stores: Record<string, StoreInfo> = {
    Mitte: { id: 'store-mitte', timeZone: 'Europe/Berlin' },
    ONLINE: { id: 'store-online', timeZone: 'Europe/Berlin' },
  }
  const base = { storeId: 'store-mitte', storeCode: 'Mitte' }

  it('inherits order columns from the first row, and turns refunds into returns', async () => {
    const r = await parse(fixture('shopify-orders.csv'), { stores, defaultStoreCode: 'ONLINE' })
    const p1003 = [
      item(1, 'PURCHASED', 'POT-NORD', 'Teapot "Nordic"', null, '16', 1),
      item(2, 'PURCHASED', 'TOWEL-01', 'Tea towel, linen', null, '4', 1),
    ]
    expect(r.events).toEqual([
      event({
        ...base,
        kind: 'PURCHASE',
        orderId: '#1001',
        occurredAt: new Date('2026-03-02T13:05:12Z'),
        revenue: '29',
        lineItems: [
          item(1, 'PURCHASED', 'MUG-BLUE-L', 'Blue mug - Large', null, '12.5', 2),
          item(2, 'PURCHASED', 'TOWEL-01', 'Tea towel, linen', null, '4', 1),
        ],
        sourceRows: [2, 3],
        itemsTotal: '29',
      }),
      event({
        kind: 'PURCHASE',
        storeId: 'store-online',
        storeCode: 'ONLINE',
        orderId: '#1002',
        occurredAt: new Date('2026-03-02T15:30:00Z'),
        revenue: '12.5',
        lineItems: [item(1, 'PURCHASED', 'MUG-BLUE-L', 'Blue mug - Large', null, '12.5', 1)],
        sourceRows: [4],
        itemsTotal: '12.5',
      }),
      event({
        kind: 'RETURN',
        storeId: 'store-online',
        storeCode: 'ONLINE',
        orderId: '#1002',
        occurredAt: new Date('2026-03-03T08:00:00Z'),
        refund: '12.5',
        returnType: 'FULL',
        lineItems: [item(1, 'RETURNED', 'MUG-BLUE-L', 'Blue mug - Large', null, '12.5', 1)],
        sourceRows: [4],
        itemsTotal: '12.5',
      }),
      event({
        ...base,
        kind: 'PURCHASE',
        orderId: '#1003',
        occurredAt: new Date('2026-03-04T10:00:00Z'),
        revenue: '20',
        lineItems: p1003,
        sourceRows: [5, 6],
        itemsTotal: '20',
      }),
      event({
        ...base,
        kind: 'RETURN',
        orderId: '#1003',
        occurredAt: new Date('2026-03-04T10:00:00Z'),
        refund: '4',
        returnType: 'PARTIAL',
        lineItems: [],
        status: 'INVALID',
        issues: [
          {
            field: 'lineItems',
            message:
              "Shopify's export says 4 of order #1003 was refunded but not which items — add the returned items to this return",
            row: 5,
          },
        ],
        sourceRows: [5, 6],
        itemsTotal: '0',
      }),
      event({
        ...base,
        kind: 'PURCHASE',
        orderId: '#1004',
        occurredAt: new Date('2026-03-05T09:00:00Z'),
        revenue: '8',
        lineItems: [item(1, 'PURCHASED', null, 'Postcard', null, '4', 2)],
        status: 'INVALID',
        issues: [
          {
            field: 'kind',
            message:
              "Shopify marks order #1004 as voided (the payment was cancelled), so it isn't a sale — exclude it",
            row: 7,
          },
        ],
        sourceRows: [7],
        itemsTotal: '8',
      }),
    ])
    expect(r).toMatchObject({
      preset: 'shopify',
      dateOrder: 'YMD',
      counts: {
        rows: 6,
        lineItems: 6,
        events: 6,
        validEvents: 4,
        invalidEvents: 2,
        returns: 2,
        rowIssues: 0,
      },
    })
    expect(r.mapping.orderId).toEqual({ index: 0, header: 'Name' })
    expect(r.mapping.storeCode).toEqual({ index: 53, header: 'Location' })
  })
})

describe('parseSalesFile: Square item sales export', () => {
  it('reads payments and refunds, the Time Zone column, unit price from net sales, and reports unknown stores', async () => {
    const stores = { Downtown: { id: 'store-dt', timeZone: 'America/Chicago' } }
    const r = await parse(fixture('square-item-sales.csv'), { stores })
    const base = { storeId: 'store-dt', storeCode: 'Downtown' }
    expect(r.events).toEqual([
      event({
        ...base,
        kind: 'PURCHASE',
        orderId: 'tx-AAA',
        occurredAt: new Date('2026-03-07T19:05:12Z'),
        customerId: 'CUST-9',
        lineItems: [
          item(1, 'PURCHASED', 'LAT-L', 'Latte', null, '6', 2),
          item(2, 'PURCHASED', null, 'Croissant', null, '3.5', 1),
        ],
        sourceRows: [2, 3],
        itemsTotal: '15.5',
      }),
      event({
        ...base,
        kind: 'RETURN',
        orderId: 'tx-AAA',
        occurredAt: new Date('2026-03-07T21:20:00Z'),
        customerId: 'CUST-9',
        lineItems: [item(1, 'RETURNED', 'LAT-L', 'Latte', null, '6', 1)],
        sourceRows: [4],
        itemsTotal: '6',
      }),
      event({
        ...base,
        kind: 'PURCHASE',
        orderId: 'tx-BBB',
        // 02:30 doesn't exist in New York that night: read as 03:30 EDT
        occurredAt: new Date('2026-03-08T07:30:00Z'),
        lineItems: [item(1, 'PURCHASED', 'ESP-1', 'Espresso', null, '3.3333', 3)],
        sourceRows: [5],
        itemsTotal: '9.9999',
      }),
    ])
    const raw = fixture('square-item-sales.csv').toString('utf8').split('\r\n')[5]!.split(',')
    raw.splice(2, 2, 'Eastern Time (US & Canada)', 'Coffee')
    expect(r.rowIssues).toEqual([
      {
        rowNumber: 6,
        raw: expect.arrayContaining(['Uptown', 'tx-CCC']),
        reasons: [
          {
            field: 'storeCode',
            message:
              "Store 'Uptown' is not one of your stores — use a store code from Settings → Stores (Downtown) in column 'Location', or ask an admin to add the store",
          },
        ],
      },
    ])
    expect(r.rowIssues[0]?.raw).toHaveLength(32)
    expect(r).toMatchObject({
      preset: 'square',
      counts: { rows: 5, lineItems: 4, events: 3, validEvents: 3, returns: 1, rowIssues: 1 },
    })
  })
})

describe('parseSalesFile: European Excel export', () => {
  const expected = [
    event({
      kind: 'PURCHASE',
      storeId: 'store-ber',
      storeCode: 'BER-01',
      orderId: 'B-1',
      occurredAt: new Date('2026-03-08T13:05:00Z'),
      customerId: 'K-1',
      lineItems: [
        item(1, 'PURCHASED', '4711', 'Kaffeebecher "Blau"', null, '12.5', 2),
        item(2, 'PURCHASED', '4712', 'Geschirrtuch', null, '1234.5', 1),
      ],
      sourceRows: [5, 6],
      itemsTotal: '1259.5',
    }),
    event({
      kind: 'RETURN',
      storeId: 'store-ber',
      storeCode: 'BER-01',
      orderId: 'B-2',
      // no time: the default 12:00 in Berlin
      occurredAt: new Date('2026-03-09T11:00:00Z'),
      lineItems: [item(1, 'RETURNED', '4711', 'Kaffeebecher "Blau"', null, '12.5', 1)],
      sourceRows: [8],
      itemsTotal: '12.5',
    }),
    event({
      kind: 'PURCHASE',
      storeId: 'store-ber',
      storeCode: 'BER-01',
      orderId: 'B-3',
      occurredAt: new Date('2026-03-03T09:00:00Z'),
      lineItems: [item(1, 'PURCHASED', null, 'Crème brûlée', null, '2.5', 1)],
      sourceRows: [9],
      itemsTotal: '2.5',
    }),
    event({
      kind: 'PURCHASE',
      storeId: 'store-ber',
      storeCode: 'BER-01',
      orderId: 'B-4',
      occurredAt: new Date('2026-03-03T09:30:00Z'),
      // "1,234" in a decimal-comma file
      lineItems: [item(1, 'PURCHASED', '4713', 'Untersetzer', null, '1.234', 3)],
      sourceRows: [10],
      itemsTotal: '3.702',
    }),
  ]

  it('reads semicolons, decimal commas, DD.MM.YYYY and German headers below title lines', async () => {
    const r = await parse(fixture('european-excel.csv'))
    expect(r.events).toEqual(expected)
    expect(r).toMatchObject({
      encoding: 'utf-8',
      delimiter: ';',
      headerRowNumber: 4,
      preset: 'custom',
      dateOrder: 'DMY',
      decimalSeparator: ',',
      warnings: [],
      counts: { rows: 5, blankRows: 1, events: 4, validEvents: 4, returns: 1, rowIssues: 0 },
    })
  })

  it('reads the same file saved as Windows-1252', async () => {
    const r = await parse(iconv.encode(fixture('european-excel.csv').toString('utf8'), 'windows-1252'))
    expect(r.encoding).toBe('windows-1252')
    expect(r.events).toEqual(expected)
  })
})

describe('parseSalesFile: rows to events', () => {
  const header = 'order_id,occurred_at,store_code,kind,item_id,item_name,unit_price,quantity\n'

  it('groups an order’s rows wherever they are in the file', async () => {
    const r = await parse(
      `${header}1,2026-03-02 10:00,BER-01,,A,,1.00,1\n2,2026-03-02 11:00,BER-01,,B,,2.00,1\n1,2026-03-02 10:00,BER-01,,C,,3.00,1\n`,
    )
    expect(r.events.map((e) => [e.orderId, e.sourceRows, e.lineItems.map((i) => i.itemId)])).toEqual([
      ['1', [2, 4], ['A', 'C']],
      ['2', [3], ['B']],
    ])
  })

  it('gives rows without an order number a stable generated one, different for identical rows', async () => {
    const text = `${header},2026-03-02 10:00,BER-01,,A,,1.00,1\n,2026-03-02 10:00,BER-01,,A,,1.00,1\n,2026-03-02 10:05,BER-01,,A,,1.00,1\n`
    const first = await parse(text)
    const again = await parse(text)
    const ids = first.events.map((e) => e.orderId)
    expect(ids).toEqual(again.events.map((e) => e.orderId))
    expect(ids[0]).toMatch(/^GEN-[0-9A-F]{16}$/)
    expect(ids[1]).toBe(`${ids[0]}-2`)
    expect(ids[2]).not.toBe(ids[0])
    expect(first.events.every((e) => e.orderIdGenerated)).toBe(true)
  })

  it('makes rows with a negative quantity a return with a positive quantity', async () => {
    const r = await parse(`${header}9,2026-03-02 10:00,BER-01,,A,,(4.50),-2\n`)
    expect(r.events.map((e) => [e.kind, e.lineItems[0]])).toEqual([
      ['RETURN', item(1, 'RETURNED', 'A', null, null, '4.5', 2)],
    ])
  })

  it('keeps rows it cannot attribute as row issues with their cells and a reason', async () => {
    const r = await parse(
      `${header}1,2026-03-02 10:00,PAR-01,,A,,1.00,1\n2,2026-03-02 10:00,BER-01,swap,A,,1.00,1\n3,2026-03-02 10:00,BER-01,,A,,1,00,1\n`,
    )
    expect(r.events).toEqual([])
    expect(r.rowIssues).toEqual([
      {
        rowNumber: 2,
        raw: ['1', '2026-03-02 10:00', 'PAR-01', '', 'A', '', '1.00', '1'],
        reasons: [
          { field: 'storeCode', message: UPLOAD_MESSAGES.unknownStore('PAR-01', 'store_code', ['BER-01']) },
        ],
      },
      {
        rowNumber: 3,
        raw: ['2', '2026-03-02 10:00', 'BER-01', 'swap', 'A', '', '1.00', '1'],
        reasons: [
          {
            field: 'kind',
            message: "'swap' in column 'kind' is neither a purchase nor a return — write purchase or return",
          },
        ],
      },
      {
        rowNumber: 4,
        raw: ['3', '2026-03-02 10:00', 'BER-01', '', 'A', '', '1', '00', '1'],
        reasons: [
          {
            field: 'row',
            message:
              "This row has 9 cells but the header has 8 — a value probably contains a ',' without quotes around it; put quotes around that value",
          },
        ],
      },
    ])
    expect(r.counts).toMatchObject({ rows: 3, events: 0, rowIssues: 3 })
  })

  it('skips the header where a file repeats it, and counts it', async () => {
    const r = await parse(
      `${header}1,2026-03-02 10:00,BER-01,,A,,1.00,1\n${header}2,2026-03-02 10:00,BER-01,,B,,1.00,1\n`,
    )
    expect(r.events.map((e) => e.orderId)).toEqual(['1', '2'])
    expect(r.counts).toMatchObject({ rows: 2, repeatedHeaders: 1, rowIssues: 0 })
  })

  it('lets an order’s next rows inherit its store, also when that store is unknown', async () => {
    const r = await parse(
      `${header}1,2026-03-02 10:00,BER-01,,A,,1.00,1\n1,,,,B,,1.00,1\n2,2026-03-02 10:00,XX,,A,,1.00,1\n2,,,,B,,1.00,1\n`,
      { defaultStoreCode: 'BER-01' },
    )
    expect(r.events.map((e) => [e.orderId, e.storeCode, e.sourceRows])).toEqual([['1', 'BER-01', [2, 3]]])
    expect(r.rowIssues.map((i) => [i.rowNumber, i.reasons[0]?.field])).toEqual([
      [4, 'storeCode'],
      [5, 'storeCode'],
    ])
  })

  it('uses the upload’s store when the file has no store column, and refuses when there is neither', async () => {
    const text = 'order_id,occurred_at,item_id,unit_price,quantity\n1,2026-03-02 10:00,A,1.00,1\n'
    const r = await parse(text, { defaultStoreCode: 'ber-01' })
    expect(r.events.map((e) => [e.storeId, e.storeCode])).toEqual([['store-ber', 'BER-01']])
    expect(await failure(text)).toEqual({
      code: 'STORE_REQUIRED',
      line: null,
      message:
        "Choose the store these sales belong to, or include a store column (such as 'Location') in the file.",
    })
  })

  it('makes events that break rules INVALID with issues that name the column and row', async () => {
    const r = await parse(
      `${header}1,2026-03-02 10:00,BER-01,,,,abc,1\n1,2026-03-02 10:00,BER-01,,B,,2.00,x\n2,2027-01-01,BER-01,,C,,2.00,20000\n3,32.13.2026,BER-01,,D,,1.00,1\n`,
    )
    expect(r.events.map((e) => [e.orderId, e.status, e.issues])).toEqual([
      [
        '1',
        'INVALID',
        [
          {
            field: 'lineItems.0.itemId',
            message: SALE_MESSAGES.itemIdentityMissing('item_id', 'item_name'),
            row: 2,
          },
          {
            field: 'lineItems.0.unitPrice',
            message: "Price 'abc' is not an amount — write it like 12.50 in column 'unit_price'",
            row: 2,
          },
          {
            field: 'lineItems.1.quantity',
            message: "Quantity 'x' is not a number — write whole units like 2 in column 'quantity'",
            row: 3,
          },
        ],
      ],
      [
        '2',
        'INVALID',
        [
          {
            field: 'lineItems.0.quantity',
            message: 'Quantity 20000 is outside 1 to 10,000 — correct it, or split the sale',
            row: 4,
          },
          {
            field: 'occurredAt',
            message:
              "Sale time 2027-01-01 12:00 (Europe/Berlin) is in the future — check the date, the time and the store's time zone",
            row: 4,
          },
        ],
      ],
      [
        '3',
        'INVALID',
        [
          {
            field: 'occurredAt',
            message: "Date '32.13.2026' is not a real date — correct it in column 'occurred_at'",
            row: 5,
          },
        ],
      ],
    ])
  })

  it('flags an order number used for sales far apart in time', async () => {
    const r = await parse(
      `${header}7,2026-03-02 10:00,BER-01,,A,,1.00,1\n7,2026-03-04 10:00,BER-01,,B,,1.00,1\n`,
    )
    expect(r.events[0]?.issues).toEqual([
      {
        field: 'occurredAt',
        message:
          'Rows 2 and 3 both belong to order 7 but are more than 12 hours apart — give each sale its own order number, or correct the date',
        row: 3,
      },
    ])
  })

  it('decides day/month order from the whole file, and says when it had to guess', async () => {
    const dates = ['03/04/2026', '05/04/2026', '04/13/2026', '04/14/2026', '13/04/2026']
    const rows = dates.map((d, i) => `${i},${d} 10:00,BER-01,,A,,1.00,1`).join('\n')
    const r = await parse(`${header}${rows}\n`, { now: new Date('2026-05-01T00:00:00Z') })
    expect(r.dateOrder).toBe('MDY')
    expect(r.events.map((e) => e.occurredAt?.toISOString() ?? e.issues[0]?.message)).toEqual([
      '2026-03-04T09:00:00.000Z',
      '2026-05-04T08:00:00.000Z',
      '2026-04-13T08:00:00.000Z',
      '2026-04-14T08:00:00.000Z',
      "Date '13/04/2026 10:00' doesn't fit this file, whose dates are month first (MM/DD/YYYY) — correct it in column 'occurred_at'",
    ])
    const guessed = await parse(`${header}1,03/04/2026 10:00,BER-01,,A,,1.00,1\n`, {
      locale: 'de-DE',
      now: NOW,
    })
    expect(guessed.dateOrder).toBe('DMY')
    expect(guessed.warnings).toEqual([
      "Dates like 03/04/2026 could be read day first or month first; we read them day first (DD/MM/YYYY). If that's wrong, choose the date order and read the file again.",
    ])
  })

  it('refuses a sale with more than 500 items as INVALID', async () => {
    const rows = Array.from({ length: 501 }, (_, i) => `big,2026-03-02 10:00,BER-01,,S${i},,1.00,1`).join(
      '\n',
    )
    const r = await parse(`${header}${rows}\n`)
    expect(r.events[0]?.issues).toEqual([
      { field: 'lineItems', message: SALE_MESSAGES.tooManyItems(501), row: 2 },
    ])
  })

  it('streams events and row issues in chunks and reports progress', async () => {
    const rows = Array.from(
      { length: 30 },
      (_, i) => `${i},2026-03-02 10:00,${i % 10 === 0 ? 'XX' : 'BER-01'},,A,,1.00,1`,
    )
    const chunks: number[] = []
    const issueChunks: number[] = []
    const progress: string[] = []
    const r = await parse(`${header}${rows.join('\n')}\n`, {
      eventChunkSize: 10,
      onEvents: (c) => {
        chunks.push(c.length)
      },
      onRowIssues: (c) => {
        issueChunks.push(c.length)
      },
      onProgress: (p) => progress.push(p.phase),
    })
    expect(chunks).toEqual([10, 10, 7])
    expect(issueChunks).toEqual([3])
    expect(r.events).toEqual([])
    expect(r.rowIssues).toEqual([])
    expect(r.counts).toMatchObject({ events: 27, rowIssues: 3 })
    expect(progress[0]).toBe('reading')
    expect(progress.at(-1)).toBe('building')
  })
})

describe('parseSalesFile: handing events on while reading', () => {
  const header = 'order_id,occurred_at,store_code,kind,item_id,item_name,unit_price,quantity\n'
  const split = (b: Buffer) => {
    const chunks: Buffer[] = []
    for (let i = 0; i < b.length; i += 4096) chunks.push(b.subarray(i, i + 4096))
    return chunks
  }

  it.each([
    ['our template', Buffer.from(SALES_TEMPLATE_CSV), {}],
    [
      'a Shopify orders export',
      fixture('shopify-orders.csv'),
      {
        stores: {
          Mitte: { id: 'store-mitte', timeZone: 'Europe/Berlin' },
          ONLINE: { id: 'store-online', timeZone: 'Europe/Berlin' },
        },
        defaultStoreCode: 'ONLINE',
      },
    ],
    [
      'a Square export',
      fixture('square-item-sales.csv'),
      { stores: { Downtown: { id: 'store-dt', timeZone: 'America/Chicago' } } },
    ],
    ['a European Excel export', fixture('european-excel.csv'), {}],
    [
      'a Shopify POS export with line discounts',
      fixture('shopify-pos-orders.csv'),
      {
        stores: {
          'Brooklyn Flagship': { id: 'store-bk', timeZone: 'America/New_York' },
          'Williamsburg Pop-Up': { id: 'store-wb', timeZone: 'America/New_York' },
        },
      },
    ],
    [
      'a Square item detail export with discounts',
      fixture('square-item-detail.csv'),
      {
        stores: {
          'Mission St': { id: 'store-ms', timeZone: 'America/Los_Angeles' },
          'Valencia Kiosk': { id: 'store-vk', timeZone: 'America/Los_Angeles' },
        },
      },
    ],
  ] as const)(
    'builds the same events from %s with the decisions of a first read',
    async (_name, bytes, options) => {
      const first = await parse(bytes, options)
      expect(first.ordersContiguous).toBe(true)
      const streamDecisions = { decimalSeparator: first.decimalSeparator, dayMonthOrder: first.dayMonthOrder }
      const handed: ParsedSaleEvent[] = []
      const again = await parse(split(bytes), {
        ...options,
        streamDecisions,
        eventChunkSize: 1,
        onEvents: (c) => {
          handed.push(...c)
        },
      })
      expect(handed).toEqual(first.events)
      expect(again.counts).toEqual(first.counts)
    },
  )

  // larger than the part read to detect the format (128 KiB), so orders go on while the rest is being read
  const bigFile = () => {
    const rows: string[] = []
    for (let i = 0; i < 4000; i++) {
      const t = `2026-03-0${1 + (i % 5)} 1${i % 10}:00`
      if (i % 6 === 0)
        rows.push(`O${i},${t},BER-01,,A-${i},Mug,1.50,2`, `O${i},${t},BER-01,,B-${i},"Towel, linen",2.00,1`)
      else if (i % 6 === 1) rows.push(`O${i - 1},${t},BER-01,,A-${i - 1},Mug,1.50,-1`)
      else if (i % 6 === 2) rows.push(`,${t},BER-01,,C-${i},Card,0.50,1`)
      else if (i % 6 === 3) rows.push(`O${i},${t},XX,,D-${i},Lost,1.00,1`)
      else if (i % 6 === 4) rows.push(`O${i},${t},BER-01,,E-${i},Odd,abc,1`)
      else rows.push(`O${i},${t},BER-01,,F-${i},Fine,3.25,3`)
    }
    return Buffer.from(`${header}${rows.join('\n')}\n`)
  }

  it('builds the same events and row issues from a large file, handing orders on while reading', async () => {
    const bytes = bigFile()
    const first = await parse(bytes)
    expect(first.ordersContiguous).toBe(true)
    const seen: string[] = []
    const handed: ParsedSaleEvent[] = []
    let issues = 0
    const again = await parse(split(bytes), {
      streamDecisions: { decimalSeparator: first.decimalSeparator, dayMonthOrder: first.dayMonthOrder },
      eventChunkSize: 100,
      onEvents: (c) => {
        handed.push(...c)
        seen.push('events')
      },
      onRowIssues: (c) => {
        issues += c.length
      },
      onProgress: (p) => {
        if (p.phase === 'reading') seen.push('reading')
      },
    })
    expect(handed).toEqual(first.events)
    expect(issues).toBe(first.rowIssues.length)
    expect(again.counts).toEqual(first.counts)
    // the first events went on while rows were still coming
    expect(seen.indexOf('events')).toBeGreaterThan(-1)
    expect(seen.indexOf('events')).toBeLessThan(seen.lastIndexOf('reading'))
  })

  it('says when an order’s rows are apart, and refuses to hand on an order a later row joins', async () => {
    const between = Array.from({ length: 4000 }, (_, i) => `N${i},2026-03-02 11:00,BER-01,,B,Mug,2.00,1`)
    const scattered = Buffer.from(
      `${header}1,2026-03-02 10:00,BER-01,,A,,1.00,1\n${between.join('\n')}\n1,2026-03-02 10:00,BER-01,,C,,3.00,1\n`,
    )
    expect((await parse(scattered)).ordersContiguous).toBe(false)
    expect(
      await failure(split(scattered), {
        streamDecisions: { decimalSeparator: '.', dayMonthOrder: 'MDY' },
        onEvents: () => {},
      }),
    ).toEqual({
      code: 'FILE_CHANGED',
      line: 4003,
      message:
        'Row 4003 belongs to order 1, which the check of this file found complete above it. Check the file again before storing it.',
    })
  })
})

describe('parseSalesFile: files it refuses', () => {
  it.each([
    [
      'an empty file',
      Buffer.alloc(0),
      'EMPTY_FILE',
      null,
      'The file is empty. Export the sales from your till again and upload that file.',
    ],
    [
      'blank lines only',
      '\r\n\r\n   \r\n',
      'EMPTY_FILE',
      null,
      'The file has no rows, only blank lines. Export the sales from your till again and upload that file.',
    ],
    [
      'a binary file',
      Buffer.from('order_id,occurred_at\n1,2\n\u0000\u0001\u0002', 'latin1'),
      'BINARY_FILE',
      3,
      "This file contains binary data (first at line 3), so it isn't a CSV text file. Upload the CSV export of your sales, not a workbook, image or database file.",
    ],
    [
      'a workbook',
      Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 6, 0]),
      'SPREADSHEET_FILE',
      null,
      "This is an Excel workbook (.xlsx) or another zipped file, not a CSV file. In Excel choose File → Save As → 'CSV UTF-8 (Comma delimited) (*.csv)' and upload that file.",
    ],
    [
      'binary data in a later chunk',
      [
        Buffer.from(
          `order_id,occurred_at,store_code,item_id,unit_price,quantity\n${'1,2026-03-02,BER-01,A,1,1\n'.repeat(3000)}`,
        ),
        Buffer.from('2,2026-03-02,BER-01,A,1,1\n\u0000'),
      ],
      'BINARY_FILE',
      3003,
      "This file contains binary data (first at line 3003), so it isn't a CSV text file. Upload the CSV export of your sales, not a workbook, image or database file.",
    ],
  ])('refuses %s', async (_name, input, code, line, message) => {
    expect(await failure(input)).toEqual({ code, line, message })
  })

  it('refuses text that is not a table', async () => {
    expect(await failure('Dear store manager,\nplease find the numbers attached.\nBest regards\n')).toEqual({
      code: 'NOT_CSV',
      line: null,
      message:
        "This file is text, not a table: its rows don't share columns. Upload the CSV export with one row per item sold and columns such as order number, date, item, quantity and price.",
    })
    expect(await failure('[{"order": 1, "sku": "A"}]')).toEqual({
      code: 'NOT_CSV',
      line: null,
      message:
        'This file looks like JSON data, not a CSV table. Export the sales as CSV from your till or spreadsheet and upload that file.',
    })
    expect(await failure('<?xml version="1.0"?>\n<orders><order id="1"/></orders>\n')).toMatchObject({
      code: 'NOT_CSV',
      message:
        'This file looks like XML or a web page, not a CSV table. Export the sales as CSV from your till or spreadsheet and upload that file.',
    })
  })

  it('refuses a table without a recognisable header', async () => {
    expect(await failure('a,b,c\n1,2,3\n4,5,6\n')).toEqual({
      code: 'NO_HEADER',
      line: null,
      message:
        "We couldn't find the row with the column names in the first 30 rows. Add a header row naming the columns (for example Order ID, Date, SKU, Quantity, Price), or start from our template.",
    })
  })

  it('refuses a header without data rows', async () => {
    expect(await failure('order_id,occurred_at,item_id,unit_price,quantity,store_code\n\n')).toEqual({
      code: 'NO_DATA_ROWS',
      line: 1,
      message:
        'The file has column names (row 1) but no sales rows below them. Export a period that has sales, or check that this is the right file.',
    })
  })

  it('refuses an over-long row, naming it', async () => {
    const text = `order_id,occurred_at,store_code,item_id,unit_price,quantity\n1,2026-03-02,BER-01,A,1,1\n2,2026-03-02,BER-01,${'x'.repeat(70_000)},1,1\n`
    expect(await failure(text)).toEqual({
      code: 'LINE_TOO_LONG',
      line: 3,
      message:
        'Row 3 is longer than 65,536 characters, which a sales row never is. Check that this is the sales export; if a cell really holds that much text, shorten it.',
    })
    expect(await failure(text, { maxLineLength: 200 })).toMatchObject({ code: 'LINE_TOO_LONG', line: 3 })
  })

  it('refuses a 5 MB line and 10,000 columns as over-long rows', async () => {
    const header = 'order_id,occurred_at,store_code,item_id,unit_price,quantity'
    expect(await failure(`${header}\n1,2026-03-02,BER-01,${'x'.repeat(5 * 1024 * 1024)},1,1\n`)).toEqual({
      code: 'LINE_TOO_LONG',
      line: 2,
      message:
        'Row 2 is longer than 65,536 characters, which a sales row never is. Check that this is the sales export; if a cell really holds that much text, shorten it.',
    })
    const columns = Array.from({ length: 10_000 - 6 }, (_, i) => `,Extra column ${i + 1}`).join('')
    expect(await failure(`${header}${columns}\n1,2026-03-02,BER-01,A,1,1\n`)).toEqual({
      code: 'LINE_TOO_LONG',
      line: 1,
      message:
        'Row 1 is longer than 65,536 characters, which a sales row never is. Check that this is the sales export; if a cell really holds that much text, shorten it.',
    })
  })

  it('refuses a quote that is never closed, naming the row where it opens', async () => {
    const header = 'order_id,occurred_at,store_code,item_id,unit_price,quantity'
    const message = (row: number) =>
      `Row ${row} opens a quote (") that is never closed, so everything after it would be one cell. Close the quote, or remove it; a quote inside a cell is written twice ("").`
    const row = (n: number) => `${n},2026-03-02,BER-01,A,1,1\n`
    // in a short file, in a file longer than the part read for its layout, and in the header itself
    expect(await failure(`${header}\n${row(1)}2,2026-03-02,BER-01,"Blue mug,1,1\n${row(3)}`)).toEqual({
      code: 'UNCLOSED_QUOTE',
      line: 3,
      message: message(3),
    })
    expect(
      await failure(`${header}\n${row(1)}2,2026-03-02,BER-01,"Blue mug,1,1\n${row(3).repeat(10_000)}`),
    ).toEqual({ code: 'UNCLOSED_QUOTE', line: 3, message: message(3) })
    expect(await failure(`order_id,"occurred_at,store_code,item_id,unit_price,quantity\n${row(1)}`)).toEqual({
      code: 'UNCLOSED_QUOTE',
      line: 1,
      message: message(1),
    })
  })

  it('refuses a file whose required columns are missing', async () => {
    expect(await failure('order_id,occurred_at,store_code,item_id\n1,2026-03-02,BER-01,A\n')).toEqual({
      code: 'MAPPING_INCOMPLETE',
      line: null,
      message:
        "We couldn't find a column for Unit price (or line total) and Quantity. Match them to your file's columns in the column mapping step.",
    })
  })
})

describe('previewSalesFile and a person’s mapping', () => {
  const text = 'Bon;Zeit;Art.;Bezeichnung;Stk;Betrag EUR\n1;02.03.2026 10:00;A;Becher;2;5,00\n'

  it('shows the header, the first rows and what is still unmapped', async () => {
    const p = await previewSalesFile(text)
    expect(p).toMatchObject({
      delimiter: ';',
      headerRowNumber: 1,
      headerRecognized: false,
      header: ['Bon', 'Zeit', 'Art.', 'Bezeichnung', 'Stk', 'Betrag EUR'],
      sampleRows: [{ rowNumber: 2, cells: ['1', '02.03.2026 10:00', 'A', 'Becher', '2', '5,00'] }],
    })
    expect(p.proposal.mapping).toEqual({
      occurredAt: { index: 1, header: 'Zeit' },
      itemName: { index: 3, header: 'Bezeichnung' },
    })
    expect(p.proposal.missing.map((m) => m.label)).toEqual(['Unit price (or line total)', 'Quantity'])
  })

  it('reads only the start of a large stream and closes it', async () => {
    let served = 0
    const rows = Buffer.from('1,2026-03-02 10:00,BER-01,,A,,1.00,1\n'.repeat(2000))
    const stream = new Readable({
      read() {
        served++
        this.push(
          served === 1
            ? Buffer.from('order_id,occurred_at,store_code,kind,item_id,item_name,unit_price,quantity\n')
            : rows,
        )
      },
    })
    const p = await previewSalesFile(stream)
    expect(p).toMatchObject({
      headerRowNumber: 1,
      headerRecognized: true,
      proposal: { preset: 'template', missing: [] },
    })
    expect(p.sampleRows).toHaveLength(20)
    expect(served).toBeLessThan(10)
    expect(stream.destroyed).toBe(true)
  })

  it('parses with the header row and mapping a person chose', async () => {
    const r = await parse(text, {
      headerRowNumber: 1,
      defaultStoreCode: 'BER-01',
      mapping: { orderId: 'Bon', occurredAt: 'Zeit', itemId: 2, quantity: 'stk', lineTotal: 'Betrag EUR' },
    })
    expect(r.events).toEqual([
      event({
        kind: 'PURCHASE',
        storeId: 'store-ber',
        storeCode: 'BER-01',
        orderId: '1',
        occurredAt: new Date('2026-03-02T09:00:00Z'),
        lineItems: [item(1, 'PURCHASED', 'A', 'Becher', null, '2.5', 2)],
        sourceRows: [2],
        itemsTotal: '5',
      }),
    ])
    expect(await failure(text, { headerRowNumber: 1, mapping: { orderId: 'Nope' } })).toMatchObject({
      code: 'MAPPING_INCOMPLETE',
      message: "This file has no column 'Nope' for Order number — choose one of its columns",
    })
  })
})
