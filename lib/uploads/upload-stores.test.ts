import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseSalesFile } from './parse-sales-file'
import type { StoreInfo } from './types'

// Tills name shops in their own words ("Brooklyn Flagship", "KOELN-01"): a store is found by its code or by
// one of the names it keeps, whatever the case and spacing; names of stores the uploader can't write are
// row issues that say so; the store chosen for the upload fills rows that name none.

const NOW = new Date('2026-03-10T12:00:00Z')
const STORES: Record<string, StoreInfo> = {
  'NYC-001': { id: 'store-nyc', timeZone: 'America/New_York', aliases: ['Brooklyn Flagship', 'Register 7'] },
  'SFO-001': { id: 'store-sfo', timeZone: 'America/Los_Angeles', aliases: ['Mission St'] },
}

const HEADER = 'order_id,occurred_at,store_code,kind,item_id,unit_price,quantity'
const row = (order: string, store: string) => `${order},2026-03-02 10:00,${store},purchase,SKU-1,12.50,1`

describe('store names in a file', () => {
  it('spreads the rows of a file with several locations over the matching stores, by code or name', async () => {
    const csv = [
      HEADER,
      row('A1', 'Brooklyn Flagship'),
      row('A2', '  brooklyn   FLAGSHIP '),
      row('A3', 'mission st'),
      row('A4', 'nyc-001'),
      row('A5', 'REGISTER 7'),
    ].join('\n')
    const r = await parseSalesFile(csv, { stores: STORES, now: NOW })
    expect(r.rowIssues).toEqual([])
    expect(r.events.map((e) => [e.orderId, e.storeCode, e.storeId])).toEqual([
      ['A1', 'NYC-001', 'store-nyc'],
      ['A2', 'NYC-001', 'store-nyc'],
      ['A3', 'SFO-001', 'store-sfo'],
      ['A4', 'NYC-001', 'store-nyc'],
      ['A5', 'NYC-001', 'store-nyc'],
    ])
  })

  it('keeps punctuation: "Mission St." is a different name from "Mission St"', async () => {
    const r = await parseSalesFile([HEADER, row('B1', 'Mission St.')].join('\n'), {
      stores: STORES,
      now: NOW,
    })
    expect(r.events).toEqual([])
    expect(r.unknownStores).toEqual([{ name: 'Mission St.', rows: 1 }])
  })

  it('lists each unknown name once, with its row count, for the preview to ask about', async () => {
    const csv = [
      HEADER,
      row('C1', 'Queens Outlet'),
      row('C2', 'queens  outlet'),
      row('C3', 'Brooklyn Flagship'),
      row('C4', 'Harlem'),
    ].join('\n')
    const r = await parseSalesFile(csv, { stores: STORES, now: NOW })
    expect(r.unknownStores).toEqual([
      { name: 'Queens Outlet', rows: 2 },
      { name: 'Harlem', rows: 1 },
    ])
    expect(r.rowIssues.map((i) => i.rowNumber)).toEqual([2, 3, 5])
    expect(r.rowIssues[0]?.reasons[0]?.message).toMatch(/Store 'Queens Outlet' is not one of your stores/)
  })

  it('keeps rows for a store the uploader may not write as row issues that say why', async () => {
    const csv = [HEADER, row('D1', 'Brooklyn Flagship'), row('D2', 'Other Town'), row('D3', 'LAX-009')].join(
      '\n',
    )
    const r = await parseSalesFile(csv, {
      stores: STORES,
      otherStoreNames: ['other town', 'lax-009'],
      now: NOW,
    })
    expect(r.events.map((e) => e.orderId)).toEqual(['D1'])
    expect(r.rowIssues.map((i) => [i.rowNumber, i.reasons[0]?.field])).toEqual([
      [3, 'storeCode'],
      [4, 'storeCode'],
    ])
    for (const issue of r.rowIssues)
      expect(issue.reasons[0]?.message).toMatch(/belongs to a store you can't upload sales for/)
    // a store that exists but isn't theirs is not offered as a name to assign
    expect(r.unknownStores).toEqual([])
  })

  it('fills rows with an empty store cell from the store chosen for the upload', async () => {
    const csv = [HEADER, row('E1', ''), row('E2', 'Mission St')].join('\n')
    const r = await parseSalesFile(csv, { stores: STORES, defaultStoreCode: 'NYC-001', now: NOW })
    expect(r.events.map((e) => [e.orderId, e.storeCode])).toEqual([
      ['E1', 'NYC-001'],
      ['E2', 'SFO-001'],
    ])
  })

  it('gives the whole file to the chosen store when the mapping says there is no store column', async () => {
    const csv = [HEADER, row('F1', 'Brooklyn Flagship'), row('F2', 'Somewhere else')].join('\n')
    const r = await parseSalesFile(csv, {
      stores: STORES,
      defaultStoreCode: 'SFO-001',
      mapping: { storeCode: null },
      now: NOW,
    })
    expect(r.rowIssues).toEqual([])
    expect(r.unknownStores).toEqual([])
    expect(r.events.map((e) => [e.orderId, e.storeCode])).toEqual([
      ['F1', 'SFO-001'],
      ['F2', 'SFO-001'],
    ])
  })

  it("reads a Shopify POS export whose Location is the till's name for the store", async () => {
    const file = readFileSync(
      path.resolve(import.meta.dirname, '../../e2e/fixtures/shopify-pos-brooklyn.csv'),
    )
    const unnamed = await parseSalesFile(file, {
      stores: { 'NYC-001': { id: 'n', timeZone: 'America/New_York' } },
      now: NOW,
    })
    expect(unnamed.preset).toBe('shopify')
    expect(unnamed.unknownStores).toEqual([{ name: 'Brooklyn Flagship', rows: 4 }])
    const named = await parseSalesFile(file, { stores: STORES, now: NOW })
    expect(named.rowIssues).toEqual([])
    expect(named.events.map((e) => [e.orderId, e.storeCode, e.status])).toEqual([
      ['#B1001', 'NYC-001', 'READY'],
      ['#B1002', 'NYC-001', 'READY'],
      ['#B1003', 'NYC-001', 'READY'],
    ])
  })
})
