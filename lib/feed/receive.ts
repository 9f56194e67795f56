import 'server-only'
import type { KeyCaller } from '@/lib/auth/api-keys'
import { db } from '@/lib/db'
import { isUploadFileError } from '@/lib/uploads/errors'
import { parseSalesFile, previewSalesFile } from '@/lib/uploads/parse-sales-file'
import { getRememberedMapping } from '@/lib/uploads/queries'
import { mappingSource } from '@/lib/uploads/storage/remembered-mapping'
import { buildFeedSale, type FeedStore, reasonsOf } from './build-event'
import { FEED_LIMITS, type FeedResponse } from './schema'
import { type FeedEntry, storeFeedSales } from './store-sales'

// POST /api/v1/sales after the key door: read the body within its limit, check it, resolve every sale's store
// against the key's stores, then store everything in one transaction (store-sales.ts). Every refusal is a
// clear 4xx naming the problem, decided before anything is written.

export type FeedAnswer = { status: 200; body: FeedResponse } | { status: number; error: string }

const refuse = (status: number, error: string): FeedAnswer => ({ status, error })

export const FEED_MESSAGES = {
  contentType: 'Send the sales as JSON (Content-Type: application/json) or as CSV (Content-Type: text/csv).',
  tooLarge: `The body is larger than ${FEED_LIMITS.maxBodyBytes / 1024 / 1024} MB — split the sales into several requests.`,
  malformed: (detail: string) => `The body is not valid JSON (${detail}). Nothing was stored.`,
  notArray:
    'The body must be a JSON array of sales: [{ "order_id": …, "occurred_at": …, "kind": …, "items": [ … ] }].',
  empty: 'The array is empty — send at least one sale.',
  tooMany: (n: number) =>
    `This request has ${n} sales; at most ${FEED_LIMITS.maxSales} are taken per request — split it. Nothing was stored.`,
  otherStore: (codes: string[]) =>
    `This key may not write sales for store ${codes.map((c) => `'${c}'`).join(', ')}. Nothing was stored.`,
  storeRequired: (codes: string[]) =>
    `This key writes several stores (${codes.join(', ')}): give each sale its store_code.`,
  csvStoreRequired: (codes: string[]) =>
    `This key writes several stores (${codes.join(', ')}): name the CSV's store as ?store=<code>.`,
  noMapping:
    'This CSV layout has no saved column mapping for the store yet. Upload one file of this layout in the app once (Uploads), then push it again.',
  noKeyStores:
    'This key may not write any active store. Ask an administrator to check the key in Settings → API keys.',
} as const

/** the body, up to the limit; null when it is larger (the rest is never read) */
async function readLimited(req: Request): Promise<Uint8Array | null> {
  const declared = Number(req.headers.get('content-length') ?? 'NaN')
  if (Number.isFinite(declared) && declared > FEED_LIMITS.maxBodyBytes) return null
  if (!req.body) return new Uint8Array()
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = req.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > FEED_LIMITS.maxBodyBytes) {
      await reader.cancel().catch(() => {})
      return null
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks)
}

async function keyStores(key: KeyCaller): Promise<FeedStore[]> {
  if (key.storeIds.length === 0) return []
  const stores = await db.store.findMany({
    where: { id: { in: key.storeIds }, active: true },
    // the names the stores' tills write for them, as the upload reads them
    select: { id: true, code: true, timeZone: true, aliases: { select: { name: true } } },
    orderBy: { code: 'asc' },
  })
  return stores.map(({ aliases, ...st }) => ({ ...st, aliases: aliases.map((a) => a.name) }))
}

export async function receiveFeed(req: Request, key: KeyCaller, ip: string): Promise<FeedAnswer> {
  const type = (req.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
  const json = type === 'application/json'
  const csv = type === 'text/csv'
  if (!json && !csv) return refuse(415, FEED_MESSAGES.contentType)
  const body = await readLimited(req)
  if (body === null) return refuse(413, FEED_MESSAGES.tooLarge)
  const stores = await keyStores(key)
  if (stores.length === 0) return refuse(403, FEED_MESSAGES.noKeyStores)
  return json ? receiveJson(body, stores, key, ip) : receiveCsv(req, body, stores, key, ip)
}

async function receiveJson(
  body: Uint8Array,
  stores: FeedStore[],
  key: KeyCaller,
  ip: string,
): Promise<FeedAnswer> {
  let sales: unknown
  try {
    sales = JSON.parse(Buffer.from(body).toString('utf8'))
  } catch (e) {
    return refuse(400, FEED_MESSAGES.malformed((e as Error).message))
  }
  if (!Array.isArray(sales)) return refuse(400, FEED_MESSAGES.notArray)
  if (sales.length === 0) return refuse(400, FEED_MESSAGES.empty)
  if (sales.length > FEED_LIMITS.maxSales) return refuse(413, FEED_MESSAGES.tooMany(sales.length))
  const byCode = new Map(stores.map((s) => [s.code, s]))
  const single = stores.length === 1 ? stores[0] : undefined
  // a code the key may not write refuses the whole request, before anything is stored: another store's code
  // and a code no store has get the same answer
  const forbidden = new Set<string>()
  const storeOf = sales.map((sale) => {
    const code = (sale as { store_code?: unknown } | null)?.store_code
    if (typeof code !== 'string' || code.trim() === '') return single ?? null
    const store = byCode.get(code.trim())
    if (!store) forbidden.add(code.trim())
    return store ?? null
  })
  if (forbidden.size > 0) return refuse(403, FEED_MESSAGES.otherStore([...forbidden].slice(0, 10)))
  const now = Date.now()
  const entries: FeedEntry[] = sales.map((sale, index) => {
    const store = storeOf[index]
    if (!store) {
      const orderId = (sale as { order_id?: unknown } | null)?.order_id
      return {
        index,
        sale: {
          ok: false,
          orderId: typeof orderId === 'string' ? orderId : null,
          reasons: [{ field: 'store_code', message: FEED_MESSAGES.storeRequired(stores.map((s) => s.code)) }],
        },
      }
    }
    return { index, sale: buildFeedSale(sale, store, now) }
  })
  return { status: 200, body: await storeFeedSales({ key, ip, entries, source: 'json' }) }
}

async function receiveCsv(
  req: Request,
  body: Uint8Array,
  stores: FeedStore[],
  key: KeyCaller,
  ip: string,
): Promise<FeedAnswer> {
  if (body.byteLength === 0)
    return refuse(400, 'The CSV body is empty — send the header row and at least one sale.')
  const code = new URL(req.url).searchParams.get('store')?.trim()
  const store = code ? stores.find((s) => s.code === code) : stores.length === 1 ? stores[0] : undefined
  if (code && !store) return refuse(403, FEED_MESSAGES.otherStore([code]))
  if (!store) return refuse(400, FEED_MESSAGES.csvStoreRequired(stores.map((s) => s.code)))
  try {
    const head = await previewSalesFile(body)
    const remembered = await getRememberedMapping(store.id, mappingSource(head.proposal.preset, head.header))
    if (!remembered && head.proposal.preset === 'custom') return refuse(422, FEED_MESSAGES.noMapping)
    const result = await parseSalesFile(body, {
      stores: Object.fromEntries(
        stores.map((s) => [s.code, { id: s.id, timeZone: s.timeZone, aliases: s.aliases ?? [] }]),
      ),
      defaultStoreCode: store.code,
      ...(remembered && { mapping: remembered }),
    })
    // the parser knows only the key's stores: a row naming any other store (or none that exists) refuses the file
    if (result.unknownStores.length > 0)
      return refuse(403, FEED_MESSAGES.otherStore(result.unknownStores.slice(0, 10).map((u) => u.name)))
    if (result.events.length > FEED_LIMITS.maxSales)
      return refuse(413, FEED_MESSAGES.tooMany(result.events.length))
    if (result.events.length === 0 && result.rowIssues.length === 0) return refuse(400, FEED_MESSAGES.empty)
    const entries: FeedEntry[] = result.events.map((event, index) => ({
      index,
      sale: { ok: true, event, reasons: reasonsOf(event.issues) },
    }))
    const rowProblems = result.rowIssues.map((r) => ({ row: r.rowNumber, reasons: r.reasons }))
    return { status: 200, body: await storeFeedSales({ key, ip, entries, rowProblems, source: 'csv' }) }
  } catch (e) {
    if (isUploadFileError(e)) return refuse(400, e.message)
    throw e
  }
}
