import type { NextRequest } from 'next/server'
import { MESSAGES } from '@/lib/auth/action'
import type { Caller } from '@/lib/auth/caller'
import { authorizedRoute, routeError } from '@/lib/auth/route'
import { type ExportSelection, exportSaleEventsCsv } from '@/lib/sales/export'
import { getVisibleStores } from '@/lib/sales/queries'
import { parseSalesSearchParams } from '@/lib/sales/search-params'

// The sales CSV export, streamed (it can be large): GET exports what the table's filters match (the
// inbox links here with status=INVALID,FAILED), POST exports a selection of ids. Authorized on every request.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function csvResponse(req: NextRequest, caller: Caller, selection: ExportSelection) {
  const rows = exportSaleEventsCsv(caller, selection)
  const encoder = new TextEncoder()
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await rows.next()
        if (next.done) controller.close()
        else controller.enqueue(encoder.encode(next.value))
      } catch (error) {
        controller.error(error)
      }
    },
    async cancel() {
      await rows.return(undefined)
    },
  })
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '')
  const name = req.nextUrl.searchParams.get('name') === 'problems' ? 'sales-problems' : 'sales'
  return new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${name}-${stamp}.csv"`,
      'cache-control': 'no-store',
    },
  })
}

export const GET = authorizedRoute<NextRequest>({
  name: 'sales.exportFiltered',
  access: 'signed-in',
  handler: async (req, caller) => {
    const params = parseSalesSearchParams(req.nextUrl.searchParams)
    if (params.store.length) {
      const visible = new Set((await getVisibleStores(caller)).map((s) => s.code))
      if (!params.store.every((code) => visible.has(code))) return routeError(404, MESSAGES.notFound)
    }
    return csvResponse(req, caller, { filter: params })
  },
})

export const POST = authorizedRoute<NextRequest>({
  name: 'sales.exportSelected',
  access: 'signed-in',
  // no cross-site form posts
  sameOrigin: true,
  handler: async (req, caller) => {
    const form = await req.formData().catch(() => null)
    const ids = [...new Set((form?.getAll('ids') ?? []).map(String))].filter((id) => UUID.test(id))
    if (ids.length === 0 || ids.length > 100_000)
      return routeError(400, 'Select between 1 and 100,000 sales to export.')
    const { db, Prisma } = await import('@/lib/db')
    const stores = await db.$queryRaw<{ storeId: string; n: number }[]>(
      Prisma.sql`SELECT "storeId", count(*)::int AS n FROM "SaleEvent" WHERE id = ANY(${ids}::uuid[]) GROUP BY "storeId"`,
    )
    const found = stores.reduce((s, r) => s + r.n, 0)
    if (found !== ids.length || !stores.every((s) => caller.allStores || caller.storeIds.includes(s.storeId)))
      return routeError(404, MESSAGES.notFound)
    return csvResponse(req, caller, { ids })
  },
})
