import { type NextRequest, NextResponse } from 'next/server'
import { MESSAGES } from '@/lib/auth/action'
import { getCaller } from '@/lib/auth/caller'
import { type ExportSelection, exportSaleEventsCsv } from '@/lib/sales/export'
import { getVisibleStores } from '@/lib/sales/queries'
import { parseSalesSearchParams } from '@/lib/sales/search-params'

// The sales CSV export, streamed (it can be large): GET exports what the table's filters match (the
// inbox links here with status=INVALID,FAILED), POST exports a selection of ids. Authorized on every request.

function refuse(status: number, message: string) {
  return NextResponse.json({ message }, { status })
}

async function respond(
  req: NextRequest,
  pick: (caller: NonNullable<Awaited<ReturnType<typeof getCaller>>>) => Promise<ExportSelection | Response>,
) {
  const caller = await getCaller()
  if (!caller) return refuse(401, MESSAGES.signedOut)
  if (caller.mustChangePassword) return refuse(403, MESSAGES.passwordChange)
  const selection = await pick(caller)
  if (selection instanceof Response) return selection
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

export async function GET(req: NextRequest) {
  return respond(req, async (caller) => {
    const params = parseSalesSearchParams(req.nextUrl.searchParams)
    if (params.store.length) {
      const visible = new Set((await getVisibleStores(caller)).map((s) => s.code))
      if (!params.store.every((code) => visible.has(code))) return refuse(404, MESSAGES.noStoreAccess)
    }
    return { filter: params }
  })
}

export async function POST(req: NextRequest) {
  // browsers send Origin on every POST: one from another site is refused (no cross-site form posts)
  const origin = req.headers.get('origin')
  if (origin !== null && origin !== req.nextUrl.origin) return refuse(403, MESSAGES.forbidden)
  return respond(req, async (caller) => {
    const form = await req.formData().catch(() => null)
    const ids = [...new Set((form?.getAll('ids') ?? []).map(String))].filter((id) =>
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id),
    )
    if (ids.length === 0 || ids.length > 100_000)
      return refuse(400, 'Select between 1 and 100,000 sales to export.')
    const { db, Prisma } = await import('@/lib/db')
    const stores = await db.$queryRaw<{ storeId: string; n: number }[]>(
      Prisma.sql`SELECT "storeId", count(*)::int AS n FROM "SaleEvent" WHERE id = ANY(${ids}::uuid[]) GROUP BY "storeId"`,
    )
    const found = stores.reduce((s, r) => s + r.n, 0)
    if (found !== ids.length || !stores.every((s) => caller.allStores || caller.storeIds.includes(s.storeId)))
      return refuse(404, MESSAGES.notFound)
    return { ids }
  })
}
