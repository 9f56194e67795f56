import { newApiKey } from '@/lib/auth/api-keys'
import { db } from '@/lib/db'

// Test fixtures for the sales feed: a key as Settings → API keys makes it, and a request as a till sends it.

export async function makeApiKey(storeIds: string[], opts: { revoked?: boolean } = {}) {
  const { key, prefix, secretHash } = newApiKey()
  const row = await db.apiKey.create({
    data: {
      name: `till ${prefix}`,
      prefix,
      secretHash,
      ...(opts.revoked && { revokedAt: new Date() }),
      stores: { create: storeIds.map((storeId) => ({ storeId })) },
    },
  })
  return { id: row.id, key, prefix }
}

export const FEED_URL = 'http://127.0.0.1:3000/api/v1/sales'

/** a POST as a till's nightly job sends it */
export function feedRequest(
  key: string | null,
  body: BodyInit | null,
  opts: { contentType?: string | null; query?: string; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...opts.headers }
  if (key !== null) headers.authorization = `Bearer ${key}`
  const type = opts.contentType === undefined ? 'application/json' : opts.contentType
  if (type !== null) headers['content-type'] = type
  return new Request(`${FEED_URL}${opts.query ?? ''}`, { method: 'POST', headers, body })
}

/** a purchase as the feed takes it, dated yesterday at 10:00 in the store's zone */
export function feedSale(orderId: string, overrides: Record<string, unknown> = {}) {
  const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
  return {
    order_id: orderId,
    occurred_at: `${day} 10:00`,
    kind: 'purchase',
    customer_id: 'C-42',
    items: [
      { item_id: 'MUG-BLUE', item_name: 'Blue mug', unit_price: '12.50', quantity: 2 },
      { item_id: 'TOWEL-01', unit_price: 4, quantity: 1 },
    ],
    ...overrides,
  }
}

/**
 * The feed's route handler behind a real HTTP server on a free port, so tests send what a till sends over the
 * wire: the request body streams through, the answer comes back with its status and headers.
 */
export async function startFeedServer(handler: (req: Request) => Promise<Response>) {
  const http = await import('node:http')
  const { Readable } = await import('node:stream')
  const server = http.createServer(async (req, res) => {
    const headers = new Headers()
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v)
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
    const response = await handler(
      new Request(`http://127.0.0.1${req.url}`, {
        method: req.method,
        headers,
        ...(hasBody && { body: Readable.toWeb(req) as ReadableStream<Uint8Array>, duplex: 'half' }),
      } as RequestInit),
    )
    res.writeHead(response.status, Object.fromEntries(response.headers))
    res.end(Buffer.from(await response.arrayBuffer()))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    /** sends the request as built by feedRequest to this server */
    send: (req: Request) =>
      fetch(`http://127.0.0.1:${port}${new URL(req.url).pathname}${new URL(req.url).search}`, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        duplex: 'half',
      } as RequestInit),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
