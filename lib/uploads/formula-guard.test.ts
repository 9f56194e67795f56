import { describe, expect, it } from 'vitest'
import { guardFormula, isOwnLayout, unguardFormula } from './formula-guard'
import { parseSalesFile } from './parse-sales-file'
import { SALES_TEMPLATE_HEADERS } from './presets'

// The guard our exports write is undone only in files of our own layout; a till's apostrophes are its data.
const NOW = new Date('2026-03-10T12:00:00Z')
const stores = { 'BER-01': { id: 'store-ber', timeZone: 'Europe/Berlin' } }

async function itemIds(csv: string) {
  const r = await parseSalesFile(Buffer.from(csv), { stores, now: NOW })
  return r.events.flatMap((e) => e.lineItems.map((l) => l.itemId))
}

describe('the formula guard', () => {
  it('is undone exactly for every value, including ones that start with an apostrophe', () => {
    for (const v of ['=1+1', '+49151', '-20%', '@home', '\tx', "'quoted", "''twice", "'=x", 'plain', ''])
      expect(unguardFormula(guardFormula(v))).toBe(v)
    expect(guardFormula("'quoted")).toBe("''quoted")
    expect(unguardFormula("'plain")).toBe("'plain")
  })

  it('recognises our template and export headers only', () => {
    expect(isOwnLayout([...SALES_TEMPLATE_HEADERS])).toBe(true)
    expect(isOwnLayout([...SALES_TEMPLATE_HEADERS, 'problem'])).toBe(true)
    expect(isOwnLayout([...SALES_TEMPLATE_HEADERS, 'revenue', 'problem'])).toBe(true)
    expect(isOwnLayout([...SALES_TEMPLATE_HEADERS, 'problem', 'revenue'])).toBe(false)
    expect(isOwnLayout([...SALES_TEMPLATE_HEADERS, 'notes'])).toBe(false)
    expect(isOwnLayout(['SKU', 'Qty'])).toBe(false)
  })

  it('still recognises files written before the template had a return’s own columns', () => {
    const older = SALES_TEMPLATE_HEADERS.slice(0, SALES_TEMPLATE_HEADERS.indexOf('return_reason') + 1)
    expect(older).toHaveLength(11)
    expect(isOwnLayout(older)).toBe(true)
    expect(isOwnLayout([...older, 'revenue', 'problem'])).toBe(true)
    expect(isOwnLayout([...older, 'refund', 'item_role', 'problem'])).toBe(true)
    expect(isOwnLayout([...older, 'item_role', 'refund'])).toBe(false)
    expect(isOwnLayout(older.slice(0, 10))).toBe(false)
  })

  it('drops the guard in our layout and keeps a till file apostrophes', async () => {
    const ours = `${SALES_TEMPLATE_HEADERS.join(',')},problem\n1,2026-03-02 10:00,BER-01,,purchase,'=1+1,Mug,,2.00,1,,x\n`
    expect(await itemIds(ours)).toEqual(['=1+1'])
    const till =
      "order_id,occurred_at,store_code,sku,unit_price,quantity\n1,2026-03-02 10:00,BER-01,'=1+1,2.00,1\n"
    expect(await itemIds(till)).toEqual(["'=1+1"])
  })
})
