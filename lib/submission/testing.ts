import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { encryptSecret } from '@/lib/crypto/secret-box'
import { SQL_UUID_V7 } from './sql'

// Test and benchmark fixtures: stores, a connection to a sandbox, and READY events, made with set-based SQL.

export function ensureEncryptionKey() {
  process.env.ENCRYPTION_KEY ??= randomBytes(32).toString('hex')
  return process.env.ENCRYPTION_KEY
}

export async function withPg<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}

export async function createConnection(
  c: pg.Client,
  opts: {
    baseUrl: string
    token: string
    maxConcurrency?: number
    maxRequestsPerSecond?: number
    name?: string
  },
) {
  const { rows } = await c.query<{ id: string }>(
    `INSERT INTO "ConstructorConnection" (id, name, "baseUrl", "apiKey", "tokenCiphertext", "tokenHint", "maxConcurrency",
       "maxRequestsPerSecond", "updatedAt")
     VALUES (${SQL_UUID_V7}, $1, $2, 'test-key', $3, right($4, 4), $5, $6, now()) RETURNING id::text`,
    [
      opts.name ?? 'Sandbox',
      opts.baseUrl,
      encryptSecret(opts.token, ensureEncryptionKey()),
      opts.token,
      opts.maxConcurrency ?? 4,
      opts.maxRequestsPerSecond ?? 1000,
    ],
  )
  return rows[0]?.id as string
}

export async function setConnectionToken(c: pg.Client, connectionId: string, token: string) {
  await c.query(
    `UPDATE "ConstructorConnection" SET "tokenCiphertext" = $2, "updatedAt" = now() WHERE id = $1::uuid`,
    [connectionId, encryptSecret(token, ensureEncryptionKey())],
  )
}

export async function createStore(c: pg.Client, code: string) {
  const { rows } = await c.query<{ id: string }>(
    `INSERT INTO "Store" (id, code, name, latitude, longitude, "timeZone", "updatedAt")
     VALUES (${SQL_UUID_V7}, $1, $1, '40.7233', '-74.0030', 'America/New_York', now()) RETURNING id::text`,
    [code],
  )
  return rows[0]?.id as string
}

/** n READY purchases with one line item each; the events at `poisonAt` (0-based) carry item_id POISON-SKU */
export async function seedReadyEvents(
  c: pg.Client,
  storeId: string,
  n: number,
  opts: { orderPrefix: string; poisonAt?: number[] },
) {
  await c.query(
    `WITH ev AS (
       INSERT INTO "SaleEvent" (id, kind, "storeId", "orderId", "occurredAt", status, "itemCount", "itemsTotal", "updatedAt")
       SELECT ${SQL_UUID_V7}, 'PURCHASE', $1::uuid, $2 || lpad(g::text, 7, '0'),
         timestamptz '2026-11-01 10:00:00+00' + g * interval '1 second', 'READY', 1, 19.99, now()
       FROM generate_series(0, $3::int - 1) AS g
       RETURNING id, "orderId"
     )
     INSERT INTO "LineItem" (id, "eventId", "lineNumber", role, "itemId", "itemName", "unitPrice", quantity)
     SELECT ${SQL_UUID_V7}, ev.id, 1, 'PURCHASED',
       CASE WHEN right(ev."orderId", 7)::int = ANY($4::int[]) THEN 'POISON-SKU' ELSE 'SKU-TEE-BLK' END,
       'Classic tee, black', 19.99, 1
     FROM ev`,
    [storeId, opts.orderPrefix, n, opts.poisonAt ?? []],
  )
}

export async function statusCounts(c: pg.Client, storeId: string) {
  const { rows } = await c.query<{ status: string; n: number }>(
    `SELECT status::text, count(*)::int AS n FROM "SaleEvent" WHERE "storeId" = $1::uuid GROUP BY 1`,
    [storeId],
  )
  return Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>
}

export async function waitFor<T>(
  fn: () => Promise<T>,
  done: (v: T) => boolean,
  opts: { timeoutMs: number; intervalMs?: number; what?: string },
): Promise<T> {
  const until = Date.now() + opts.timeoutMs
  for (;;) {
    const v = await fn()
    if (done(v)) return v
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${opts.what ?? 'condition'}: ${JSON.stringify(v)}`)
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100))
  }
}
