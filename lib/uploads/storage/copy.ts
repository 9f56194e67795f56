import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'

// Bulk rows go to PostgreSQL with COPY (≈50× faster than Prisma's createMany); one pool per database URL.
const pools = new Map<string, pg.Pool>()

export function ingestPool(url = process.env.DATABASE_URL): pg.Pool {
  if (!url) throw new Error('DATABASE_URL is not set')
  let pool = pools.get(url)
  if (!pool) {
    pool = new pg.Pool({ connectionString: url, max: 4 })
    pools.set(url, pool)
  }
  return pool
}

export async function closeIngestPools() {
  const all = [...pools.values()]
  pools.clear()
  await Promise.all(all.map((p) => p.end()))
}

const SPECIAL = /[\\\t\n\r\0]/
const SPECIAL_ALL = /[\\\t\n\r\0]/g
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '' }

/** one field of COPY's text format: \N for null, backslash escapes for the rest (NUL can't be stored: dropped) */
export function copyField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '\\N'
  if (typeof value !== 'string') return String(value)
  return SPECIAL.test(value) ? value.replace(SPECIAL_ALL, (c) => ESCAPES[c] ?? '') : value
}

/** COPY table (columns) FROM STDIN with the rows already in text format; nothing to do for no rows */
export async function copyRows(
  client: pg.ClientBase,
  table: string,
  columns: readonly string[],
  text: string,
) {
  if (text.length === 0) return
  const sql = `COPY ${table} (${columns.map((c) => `"${c}"`).join(', ')}) FROM STDIN`
  await pipeline(Readable.from([text]), client.query(copyFrom(sql)))
}
