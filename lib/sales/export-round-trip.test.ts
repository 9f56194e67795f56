import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { loadCaller } from '@/lib/auth/caller'
import { makeStore, makeUser, uniq } from '@/lib/auth/test-fixtures'
import { sessionFor } from '@/lib/auth/testing'
import { closeDbPool, db } from '@/lib/db'
import { sumLineTotals } from '@/lib/money/decimal'
import { saleEventContentHash } from '@/lib/uploads/content-hash'
import { commitUpload } from '@/lib/uploads/storage/ingest'
import { makeUpload } from '@/lib/uploads/storage/testing'
import { exportSaleEventsCsv } from './export'

vi.mock('server-only', () => ({}))

// Any file the product exports, uploaded again unchanged, stores exactly the values it exported: the formula
// guard (a leading apostrophe) keeps the file safe in a spreadsheet and is undone when the file comes back.
afterAll(async () => {
  await closeDbPool()
})

let store: Awaited<ReturnType<typeof makeStore>>
let manager: Awaited<ReturnType<typeof makeUser>>
beforeAll(async () => {
  store = await makeStore({ code: `RT-${uniq()}` })
  manager = await makeUser({ storeIds: [store.id] })
})

const HOSTILE = ["'+4915112345678", "'-20% Rabatt Gutschein", "'@home pickup", "'=1+1"].map((v) => v.slice(1))

const HEADER =
  'order_id,occurred_at,store_code,customer_id,kind,item_id,item_name,variation_id,unit_price,quantity,return_reason,revenue'

/** the raw file quotes cells as a till would, without any guard */
function rawCell(value: string) {
  return /[",\r\n\t]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

async function stored(tag: string) {
  const events = await db.saleEvent.findMany({
    where: { storeId: store.id, orderId: { endsWith: tag } },
    include: { lineItems: { orderBy: { lineNumber: 'asc' } } },
    orderBy: [{ orderId: 'asc' }, { kind: 'asc' }],
  })
  return events.map((e) => ({
    orderId: e.orderId,
    kind: e.kind,
    occurredAt: e.occurredAt?.toISOString(),
    customerId: e.customerId,
    revenue: e.revenue?.toString() ?? null,
    refund: e.refund?.toString() ?? null,
    returnExpenses: e.returnExpenses?.toString() ?? null,
    returnShippingCost: e.returnShippingCost?.toString() ?? null,
    returnReason: e.returnReason,
    returnType: e.returnType,
    returnPreference: e.returnPreference,
    returnDropOff: e.returnDropOff,
    status: e.status,
    issues: e.issues,
    contentHash: e.contentHash,
    version: e.version,
    isCorrection: e.isCorrection,
    lineItems: e.lineItems.map((l) => [
      l.role,
      l.itemId,
      l.itemName,
      l.variationId,
      l.unitPrice?.toString() ?? null,
      l.quantity,
    ]),
  }))
}

async function exportOf(selection: string | { ids: string[] }) {
  const caller = await loadCaller(sessionFor(manager))
  if (!caller) throw new Error('no caller')
  let text = ''
  for await (const part of exportSaleEventsCsv(
    caller,
    typeof selection !== 'string'
      ? selection
      : {
          filter: {
            status: [],
            store: [],
            kind: [],
            from: null,
            to: null,
            upload: selection,
            batch: null,
            q: null,
            reason: null,
            returns: null,
          },
        },
  ))
    text += part
  return text
}

describe('exports round-trip', () => {
  it('stores exactly the exported values when the export is uploaded unchanged, and counts nothing as changed', async () => {
    const tag = uniq()
    // the till's file: every exported column, hostile values in each, written raw as a till writes them
    const raw = `${[
      HEADER,
      ...[
        [
          `=A-${tag}`,
          '+4915112345678',
          'purchase',
          '=1+1',
          '-20% Rabatt Gutschein',
          '@home pickup',
          '12.5',
          '2',
          '',
          '25.0001',
        ],
        [
          `=A-${tag}`,
          '+4915112345678',
          'purchase',
          '@SKU',
          'Tab\tinside',
          "'quoted",
          '0.0001',
          '1',
          '',
          '25.0001',
        ],
        [
          `+B-${tag}`,
          '@home pickup',
          'return',
          '-SKU',
          '"Quoted", with comma',
          '+large',
          '99999.9999',
          '1',
          '=HYPERLINK("x")',
          '',
        ],
        [`-C-${tag}`, "''twice", 'purchase', "'=already guarded", 'Ünïcødé ✓', '', '3', '1', '', '3'],
        [`@D-${tag}`, '-1', 'purchase', '+X', '=SUM(A1:A2)', '', '', '1', '', ''],
      ].map((r, i) => {
        const day = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10)
        const time = ['09:15:07', '09:15:07', '10:00:00.25', '11:30:00', '12:00:00'][i]
        const [order, customer, kind, ...rest] = r
        return [order, `${day} ${time}`, store.code, customer, kind, ...rest]
          .map((c) => rawCell(c ?? ''))
          .join(',')
      }),
      // the second 02:30 of the night Berlin leaves summer time: its local time alone would read as the first
      `E-${tag},2025-10-26T02:30:00+01:00,${store.code},,purchase,SKU-E,Night,,1,1,,`,
    ].join('\n')}\n`
    const first = await makeUpload({ store, uploaderId: manager.id, csv: raw })
    await commitUpload({
      uploadId: first,
      actor: { userId: manager.id, email: manager.email },
      stores: [store],
      defaultStoreCode: store.code,
    })
    const before = await stored(tag)
    expect(before.map((e) => [e.orderId, e.status])).toEqual([
      [`+B-${tag}`, 'READY'],
      [`-C-${tag}`, 'READY'],
      [`=A-${tag}`, 'READY'],
      [`@D-${tag}`, 'INVALID'],
      [`E-${tag}`, expect.any(String)],
    ])
    expect(before.at(-1)?.occurredAt).toBe('2025-10-26T01:30:00.000Z')
    expect(before.find((e) => e.orderId === `=A-${tag}`)).toMatchObject({
      customerId: '+4915112345678',
      revenue: '25.0001',
      lineItems: [
        ['PURCHASED', '=1+1', '-20% Rabatt Gutschein', '@home pickup', '12.5', 2],
        ['PURCHASED', '@SKU', 'Tab\tinside', "'quoted", '0.0001', 1],
      ],
    })
    // one of them was sent: coming back unchanged it must not become a correction
    await db.saleEvent.updateMany({
      where: { storeId: store.id, orderId: `-C-${tag}` },
      data: { status: 'SUBMITTED', submittedAt: new Date() },
    })

    const exported = await exportOf(first)
    // formula-safe in a spreadsheet: no cell starts with = + - @ (a tab or CR) unguarded
    for (const cell of exported.replace(/^\uFEFF/, '').split(/[,\r\n]+/))
      expect(cell.replace(/^"/, '')).not.toMatch(/^[=+\-@\t\r]/)
    for (const value of HOSTILE) expect(exported).toContain(`'${value}`)

    const again = await makeUpload({ store, uploaderId: manager.id, csv: exported })
    const summary = await commitUpload({
      uploadId: again,
      actor: { userId: manager.id, email: manager.email },
      stores: [store],
      defaultStoreCode: store.code,
    })
    expect(summary.counts).toMatchObject({ events: 5, unchanged: 5, new: 0, updated: 0, corrections: 0 })
    const after = await stored(tag)
    expect(after).toEqual(before.map((e) => (e.orderId === `-C-${tag}` ? { ...e, status: 'SUBMITTED' } : e)))
  })
  it('carries every field of a return: refund, costs, type, preference, drop-off and kept and cross-sold items', async () => {
    const tag = uniq()
    const at = new Date(Date.now() - 3 * 86_400_000 + 1234)
    // returns as hand edits and Shopify refunds leave them: every field set, hostile text in each text column
    const returns = [
      {
        orderId: `=R1-${tag}`,
        customerId: '+4915112345678',
        refund: '12.3456',
        returnExpenses: '1.5',
        returnShippingCost: '4.95',
        returnReason: '=1+1',
        returnType: 'PARTIAL' as const,
        returnPreference: 'REPLACEMENT' as const,
        returnDropOff: '@home pickup',
        lineItems: [
          ['RETURNED', '-20% Rabatt Gutschein', '=SUM(A1:A2)', '+large', '19.99', 1],
          ['KEPT', '@KEEP', "'quoted", '-blue', '5', 2],
          ['CROSS_SOLD', '+CROSS', '"Quoted", with comma', '=1+1', '0.0001', 3],
        ] as const,
      },
      {
        orderId: `R2-${tag}`,
        customerId: null,
        refund: '0',
        returnExpenses: '0.0001',
        returnShippingCost: '99999999999999.9999',
        returnReason: 'Tab\tinside, "quoted"',
        returnType: 'FULL' as const,
        returnPreference: 'REFUND' as const,
        returnDropOff: "-20% Rabatt Gutschein, ''twice",
        lineItems: [['RETURNED', 'SKU-2', 'Ünïcødé ✓', null, '3', 1]] as const,
      },
      {
        orderId: `R3-${tag}`,
        customerId: null,
        refund: null,
        returnExpenses: null,
        returnShippingCost: null,
        returnReason: null,
        returnType: null,
        returnPreference: null,
        returnDropOff: '=HYPERLINK("x")',
        lineItems: [
          ['RETURNED', 'SKU-3', null, null, '2', 1],
          ['CROSS_SOLD', 'SKU-4', null, null, '7.5', 1],
        ] as const,
      },
      // a partial refund from a Shopify export: Shopify doesn't say which items, so it has none and needs attention
      {
        orderId: `R4-${tag}`,
        customerId: null,
        refund: '4',
        returnExpenses: null,
        returnShippingCost: null,
        returnReason: null,
        returnType: 'PARTIAL' as const,
        returnPreference: null,
        returnDropOff: null,
        lineItems: [] as const,
      },
    ]
    const ids: string[] = []
    for (const r of returns) {
      const itemless = r.lineItems.length === 0
      const lineItems = r.lineItems.map(([role, itemId, itemName, variationId, unitPrice, quantity], i) => ({
        lineNumber: i + 1,
        role,
        itemId,
        itemName,
        variationId,
        unitPrice,
        quantity,
      }))
      const content = {
        ...r,
        kind: 'RETURN' as const,
        storeId: store.id,
        occurredAt: at,
        revenue: null,
        lineItems,
      }
      const row = await db.saleEvent.create({
        data: {
          ...content,
          ...(itemless
            ? { status: 'INVALID', issues: [{ field: 'lineItems', message: 'add the returned items' }] }
            : { status: 'SUBMITTED', submittedAt: new Date(), issues: [] }),
          itemCount: lineItems.length,
          itemsTotal: sumLineTotals(lineItems),
          contentHash: saleEventContentHash(content),
          lineItems: { create: lineItems },
        },
      })
      ids.push(row.id)
    }
    const before = await stored(tag)
    expect(before).toHaveLength(4)
    expect(before.find((e) => e.orderId === `=R1-${tag}`)).toMatchObject({
      refund: '12.3456',
      returnExpenses: '1.5',
      returnShippingCost: '4.95',
      returnType: 'PARTIAL',
      returnPreference: 'REPLACEMENT',
      returnDropOff: '@home pickup',
    })

    const exported = await exportOf({ ids })
    for (const cell of exported.replace(/^\uFEFF/, '').split(/[,\r\n]+/))
      expect(cell.replace(/^"/, '')).not.toMatch(/^[=+\-@\t\r]/)
    expect(exported).toContain("'@home pickup")

    const again = await makeUpload({ store, uploaderId: manager.id, csv: exported })
    const summary = await commitUpload({
      uploadId: again,
      actor: { userId: manager.id, email: manager.email },
      stores: [store],
      defaultStoreCode: store.code,
    })
    expect(summary.counts).toMatchObject({
      events: 4,
      returns: 4,
      unchanged: 4,
      new: 0,
      updated: 0,
      corrections: 0,
    })
    expect(await stored(tag)).toEqual(before)
  })
})
