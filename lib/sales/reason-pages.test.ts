import { describe, expect, it, vi } from 'vitest'
import { getCaller } from '@/lib/auth/caller'
import { makeStore, makeUser, signedIn, uniq } from '@/lib/auth/test-fixtures'
import { runAs } from '@/lib/auth/testing'
import { db, Prisma } from '@/lib/db'
import { COUNT_LIMIT, getSaleEvents } from '@/lib/sales/queries'
import { parseSalesSearchParams } from '@/lib/sales/search-params'

vi.mock('server-only', () => ({}))

// The inbox's drill-down into a reason group of more than COUNT_LIMIT events walks an index in the table's
// order and tests each row; its pages must be the very rows a plain sort of the whole group gives.

const sql = Prisma.sql
const EVENTS = Math.ceil(COUNT_LIMIT * 1.6)

describe('a reason group larger than the count limit', () => {
  it('pages in every sort exactly as sorting the whole group would', async () => {
    const store = await makeStore()
    const manager = await makeUser({ storeIds: [store.id] })
    const caller = (await runAs(signedIn(manager), () => getCaller()))!
    const tag = uniq()
    // a third without a time (time missing), a third with a price missing, a third with both; times and amounts
    // repeat so that ties fall back to the id
    await db.$executeRaw(sql`
      INSERT INTO "SaleEvent" (id, kind, "storeId", "orderId", "occurredAt", status, issues, "itemsTotal", "updatedAt")
      SELECT gen_random_uuid(), 'PURCHASE', ${store.id}::uuid, ${`R-${tag}-`} || lpad(((g * 7919) % 100000)::text, 6, '0'),
        CASE WHEN g % 3 = 1 THEN now() - (g % 500) * interval '1 minute' END, 'INVALID',
        (CASE g % 3
          WHEN 0 THEN '[{"field":"occurredAt","message":"Sale date is missing"}]'
          WHEN 1 THEN '[{"field":"lineItems.0.unitPrice","message":"Price is missing"}]'
          ELSE '[{"field":"occurredAt","message":"Sale date is missing"},{"field":"lineItems.1.unitPrice","message":"Price is missing"}]'
        END)::jsonb,
        g % 97, now()
      FROM generate_series(1, ${EVENTS}::int) g`)
    await db.$executeRaw(sql`ANALYZE "SaleEvent"`)

    const orders = {
      'sort=occurredAt.desc': sql`e."occurredAt" DESC NULLS FIRST, e.id DESC`,
      'sort=occurredAt.asc': sql`e."occurredAt" ASC NULLS LAST, e.id ASC`,
      'sort=orderId.asc': sql`e."orderId" ASC, e.id ASC`,
      'sort=revenue.desc': sql`e."itemsTotal" DESC, e.id DESC`,
    }
    for (const reason of ['price-missing', 'time-missing']) {
      for (const [sort, order] of Object.entries(orders)) {
        // page 107 holds the last events without a time of the price-missing group and the first dated ones
        for (const page of [1, 4, 107]) {
          const params = parseSalesSearchParams(new URLSearchParams(`reason=${reason}&${sort}&page=${page}`))
          const got = await getSaleEvents(caller, params)
          const expected = await db.$queryRaw<{ id: string }[]>(sql`
            SELECT e.id FROM "SaleEvent" e
            WHERE e."storeId" = ${store.id}::uuid AND e.status = 'INVALID'
              AND e.issues::text LIKE ${reason === 'price-missing' ? '%unitPrice%' : '%occurredAt%'}
            ORDER BY ${order} LIMIT ${params.size} OFFSET ${(page - 1) * params.size}`)
          expect(got.countCapped, `${reason} ${sort}`).toBe(true)
          expect(
            got.rows.map((r) => r.id),
            `${reason} ${sort} page ${page}`,
          ).toEqual(expected.map((r) => r.id))
        }
      }
    }
  }, 120_000)
})
