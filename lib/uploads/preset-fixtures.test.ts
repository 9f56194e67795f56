// Each till's own export, as the till writes it: detected without help, read at the price the customer
// paid (net of the line's discount), with its refunds, and with the till's own shop name as the store.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseSalesFile } from './parse-sales-file'
import type { ParsedSaleEvent, StoreInfo } from './types'

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '__fixtures__', name))
const NOW = new Date('2026-03-10T12:00:00Z')
const LONG_NAME =
  'Hand-thrown stoneware serving bowl with reactive celadon glaze and carved rim detail, signed by the potter, food safe, dishwasher safe, made in our Brooklyn studio - seconds, small glaze flaw on base'

// Stores keyed by the name the till writes: resolving names to our store codes is another change's job,
// so these tests show which name was read from the file's location column.
const byName = (...names: string[]): Record<string, StoreInfo> =>
  Object.fromEntries(names.map((n) => [n, { id: `store:${n}`, timeZone: 'America/New_York' }]))

/** What a manager checks: which sale, where, when, and each line as (id, name, variation, price, quantity). */
function summary(e: ParsedSaleEvent) {
  return {
    kind: e.kind,
    orderId: e.orderId,
    store: e.storeCode,
    occurredAt: e.occurredAt?.toISOString() ?? null,
    customerId: e.customerId,
    status: e.status,
    lines: e.lineItems.map((i) => [i.itemId, i.itemName, i.variationId, i.unitPrice, i.quantity]),
  }
}

describe('Shopify POS orders export', () => {
  it('is detected, maps Location as the store, reads net line prices and turns the refund into a return; no email goes out', async () => {
    const r = await parseSalesFile(fixture('shopify-pos-orders.csv'), {
      stores: byName('Brooklyn Flagship', 'Williamsburg Pop-Up'),
      now: NOW,
    })
    expect(r.preset).toBe('shopify')
    expect(r.mapping.storeCode?.header).toBe('Location')
    expect(r.mapping.customerId).toBeUndefined()
    expect(r.rowIssues).toEqual([])
    expect(r.events.map(summary)).toEqual([
      {
        kind: 'PURCHASE',
        orderId: '#B1001',
        store: 'Brooklyn Flagship',
        occurredAt: '2026-03-06T16:15:03.000Z',
        customerId: null,
        status: 'READY',
        lines: [
          // 2 × 18.00 with 3.60 off the line: the customer paid 16.20 each
          ['MUG-SAGE-L', 'Ceramic Mug - Sage / Large', null, '16.2', 2],
          ['TOWEL-LIN', 'Linen Tea Towel', null, '12', 1],
        ],
      },
      {
        kind: 'PURCHASE',
        orderId: '#B1002',
        store: 'Brooklyn Flagship',
        occurredAt: '2026-03-06T20:40:27.000Z',
        customerId: null,
        status: 'READY',
        lines: [['POT-NORD', 'Teapot "Nordic"', null, '14.4', 1]],
      },
      {
        kind: 'RETURN',
        orderId: '#B1002',
        store: 'Brooklyn Flagship',
        occurredAt: '2026-03-06T20:40:27.000Z',
        customerId: null,
        status: 'READY',
        lines: [['POT-NORD', 'Teapot "Nordic"', null, '14.4', 1]],
      },
      {
        kind: 'PURCHASE',
        orderId: '#B1003',
        store: 'Brooklyn Flagship',
        occurredAt: '2026-03-07T15:02:55.000Z',
        customerId: null,
        status: 'READY',
        lines: [[null, LONG_NAME, null, '64', 1]],
      },
      {
        kind: 'PURCHASE',
        orderId: '#B1004',
        store: 'Williamsburg Pop-Up',
        occurredAt: '2026-03-07T18:30:00.000Z',
        customerId: null,
        status: 'READY',
        lines: [['CANDLE-BW', 'Beeswax Candle', null, '9.5', 3]],
      },
    ])
    const refund = r.events.find((e) => e.kind === 'RETURN')
    expect(refund).toMatchObject({ refund: '14.4', returnType: 'FULL' })
    expect(r.events.find((e) => e.orderId === '#B1001')).toMatchObject({
      revenue: '48.34',
      itemsTotal: '44.4',
    })
    // the customers' email addresses are nowhere in what would be sent
    expect(JSON.stringify(r.events)).not.toContain('@example.com')
  })
})

describe('Square item sales export (item detail)', () => {
  it('is detected, maps Location as the store, sends net sales ÷ quantity and no price point name as a variation', async () => {
    const r = await parseSalesFile(fixture('square-item-detail.csv'), {
      stores: byName('Mission St', 'Valencia Kiosk'),
      now: NOW,
    })
    expect(r.preset).toBe('square')
    expect(r.mapping.storeCode?.header).toBe('Location')
    expect(r.mapping.lineTotal?.header).toBe('Net Sales')
    expect(r.mapping.variationId).toBeUndefined()
    expect(r.rowIssues).toEqual([])
    expect(r.events.map(summary)).toEqual([
      {
        kind: 'PURCHASE',
        orderId: 'Fk2Jd9QfZ2pV7mW1xYc4BaNqT',
        store: 'Mission St',
        occurredAt: '2026-03-07T17:12:44.000Z',
        customerId: '7Q2XW3E1BN6P8T0K4S9VJ5HRC',
        status: 'READY',
        lines: [
          ['LAT-L', 'Latte', null, '6', 2],
          // 16.00 with a 1.60 discount: sent at 14.40, what the customer paid
          ['POT-NORD', 'Teapot "Nordic"', null, '14.4', 1],
        ],
      },
      {
        kind: 'RETURN',
        orderId: 'Fk2Jd9QfZ2pV7mW1xYc4BaNqT',
        store: 'Mission St',
        occurredAt: '2026-03-08T17:05:00.000Z',
        customerId: '7Q2XW3E1BN6P8T0K4S9VJ5HRC',
        status: 'READY',
        lines: [['POT-NORD', 'Teapot "Nordic"', null, '14.4', 1]],
      },
      {
        kind: 'PURCHASE',
        orderId: 'Pq7Rs8Tu9Vw0Xy1Za2Bc3De4F',
        store: 'Mission St',
        occurredAt: '2026-03-08T18:47:09.000Z',
        customerId: null,
        status: 'READY',
        // 9.45 net for 3 (the clocks went forward at 02:00 that day: Pacific daylight time)
        lines: [[null, 'Croissant', null, '3.15', 3]],
      },
      {
        kind: 'PURCHASE',
        orderId: 'Gh5Jk6Lm7Nb8Vc9Xz0As1Df2G',
        store: 'Valencia Kiosk',
        occurredAt: '2026-03-08T23:20:31.000Z',
        customerId: null,
        status: 'READY',
        lines: [[null, LONG_NAME, null, '64', 1]],
      },
    ])
  })
})

const TOAST_LONG_NAME =
  "Chef's seasonal tasting board with house-cured charcuterie, three aged cheeses, pickled vegetables, grilled sourdough, whipped ricotta and hot honey - serves two, ask your server about today's selection"

describe('Toast ItemSelectionDetails.csv', () => {
  it('is detected, maps Location as the store, sends net price ÷ quantity per line, reads Toast’s US dates and leaves voided items out', async () => {
    const r = await parseSalesFile(fixture('toast-item-selection-details.csv'), {
      stores: byName('Dumbo Waterfront', 'Cobble Hill Kitchen'),
      now: NOW,
    })
    expect(r.preset).toBe('toast')
    // nothing else of the file is read: not the server, the table or the tab name a server types
    expect(Object.keys(r.mapping).sort()).toEqual(
      ['itemId', 'itemName', 'lineTotal', 'occurredAt', 'orderId', 'quantity', 'storeCode', 'voided'].sort(),
    )
    expect(r.mapping.storeCode?.header).toBe('Location')
    expect(r.mapping.orderId?.header).toBe('Order Id')
    expect(r.mapping.lineTotal?.header).toBe('Net Price')
    expect(r.mapping.unitPrice).toBeUndefined()
    expect(r.mapping.customerId).toBeUndefined()
    expect(r.mapping.voided?.header).toBe('Void?')
    // the milkshake taken off the check before payment (Void? true) wasn't sold: left out with its reason
    expect(r.rowIssues.map((i) => [i.rowNumber, i.raw[15], i.reasons.map((x) => x.field)])).toEqual([
      [5, 'Vanilla Milkshake', ['voided']],
    ])
    expect(r.rowIssues[0]?.reasons[0]?.message).toContain('voided')
    expect(r.events.map(summary)).toEqual([
      {
        kind: 'PURCHASE',
        orderId: '400000017654321',
        store: 'Dumbo Waterfront',
        // 02/27/2026 12:15:40 in New York (Eastern standard time)
        occurredAt: '2026-02-27T17:15:40.000Z',
        customerId: null,
        status: 'READY',
        lines: [
          // 2 burgers, 34.00 gross less a 3.40 discount: 30.60 net, 15.30 each
          ['BRG-CLASSIC', 'Classic Burger', null, '15.3', 2],
          ['FRY-REG', 'Fries, sea salt', null, '6', 1],
        ],
      },
      {
        kind: 'PURCHASE',
        orderId: '400000017654322',
        store: 'Dumbo Waterfront',
        occurredAt: '2026-02-27T18:01:55.000Z',
        customerId: null,
        status: 'READY',
        lines: [[null, TOAST_LONG_NAME, null, '64', 1]],
      },
      {
        kind: 'PURCHASE',
        orderId: '400000017654323',
        store: 'Cobble Hill Kitchen',
        occurredAt: '2026-02-27T23:39:47.000Z',
        customerId: null,
        status: 'READY',
        lines: [['SPR-LEM', 'Lemon Spritz', null, '9', 3]],
      },
    ])
  })
})

describe('Loyverse receipts by item', () => {
  it('is detected, maps Store as the store, sends net sales ÷ quantity, turns a Refund receipt into a return; no variant name or customer contact goes out', async () => {
    const r = await parseSalesFile(fixture('loyverse-receipts-by-item.csv'), {
      stores: byName('Marina Walk', 'Old Town Kiosk'),
      now: NOW,
    })
    expect(r.preset).toBe('loyverse')
    expect(Object.keys(r.mapping).sort()).toEqual(
      ['itemId', 'itemName', 'kind', 'lineTotal', 'occurredAt', 'orderId', 'quantity', 'storeCode'].sort(),
    )
    expect(r.mapping.storeCode?.header).toBe('Store')
    expect(r.mapping.lineTotal?.header).toBe('Net sales')
    expect(r.mapping.kind?.header).toBe('Receipt type')
    expect(r.mapping.variationId).toBeUndefined()
    expect(r.mapping.customerId).toBeUndefined()
    expect(r.rowIssues).toEqual([])
    expect(r.events.map(summary)).toEqual([
      {
        kind: 'PURCHASE',
        orderId: '1-1001',
        store: 'Marina Walk',
        occurredAt: '2026-02-27T14:12:00.000Z',
        customerId: null,
        status: 'READY',
        lines: [
          // 2 lattes, 9.00 gross less 0.90 discount: 8.10 net, 4.05 each
          ['10001', 'Latte', null, '4.05', 2],
          ['10007', 'Croissant', null, '3.5', 1],
        ],
      },
      {
        kind: 'PURCHASE',
        orderId: '1-1002',
        store: 'Marina Walk',
        occurredAt: '2026-02-27T16:47:00.000Z',
        customerId: null,
        status: 'READY',
        lines: [[null, LONG_NAME, null, '64', 1]],
      },
      {
        kind: 'RETURN',
        orderId: '1-1003',
        store: 'Marina Walk',
        occurredAt: '2026-02-27T21:05:00.000Z',
        customerId: null,
        status: 'READY',
        // refunded at what the customer paid: -4.05 net for one latte
        lines: [['10001', 'Latte', null, '4.05', 1]],
      },
      {
        kind: 'PURCHASE',
        orderId: '2-0410',
        store: 'Old Town Kiosk',
        occurredAt: '2026-02-27T22:30:00.000Z',
        customerId: null,
        status: 'READY',
        lines: [['20003', 'Tea "Nordic" blend', null, '4.5', 3]],
      },
    ])
    const json = JSON.stringify(r.events)
    expect(json).not.toContain('@example.com')
    expect(json).not.toContain('Large')
  })
})

describe('a voided column in any file', () => {
  it('leaves a line marked voided out with its reason, reads a line marked not voided, and asks about other words', async () => {
    const r = await parseSalesFile(
      'order_id,occurred_at,store_code,item_id,unit_price,quantity,voided\n' +
        '1,2026-03-02 10:00,BK,A,10.00,1,TRUE\n1,2026-03-02 10:00,BK,B,4.00,1,false\n' +
        '2,2026-03-03 10:00,BK,C,5.00,1,\n3,2026-03-03 11:00,BK,D,6.00,1,maybe\n',
      { stores: byName('BK'), now: NOW },
    )
    expect(r.mapping.voided?.header).toBe('voided')
    expect(r.events.map((e) => [e.orderId, e.lineItems.map((i) => i.itemId)])).toEqual([
      ['1', ['B']],
      ['2', ['C']],
    ])
    expect(r.rowIssues.map((i) => [i.rowNumber, i.reasons.map((x) => [x.field, x.message])])).toEqual([
      [2, [['voided', expect.stringContaining('left out')]]],
      [5, [['voided', expect.stringContaining("'maybe'")]]],
    ])
  })
})

describe('a line discount column in any file', () => {
  const header = 'order_id,occurred_at,store_code,item_id,unit_price,line_discount,quantity\n'
  const read = (rows: string) =>
    parseSalesFile(`${header}${rows}`, { stores: byName('BK'), now: NOW }).then((r) =>
      r.events.map((e) => e.lineItems.map((i) => [i.unitPrice, i.quantity])),
    )

  it('takes the whole line’s discount off each unit, also on a return, and leaves undiscounted prices as written', async () => {
    expect(
      await read(
        '1,2026-03-02 10:00,BK,A,10.00,1.00,3\n1,2026-03-02 10:00,BK,B,4.12345,0.00,1\n2,2026-03-03 10:00,BK,A,10.00,-1.00,-3\n',
      ),
    ).toEqual([
      [
        ['9.6667', 3],
        ['4.12345', 1],
      ],
      [['9.6667', 3]],
    ])
  })
})
