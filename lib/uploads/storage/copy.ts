import pg from 'pg'
import { env } from '@/lib/env'

// Bulk rows go to PostgreSQL with COPY (lib/db/copy), over raw pg: one pool per database URL.
const pools = new Map<string, pg.Pool>()

export function ingestPool(url = env().DATABASE_URL): pg.Pool {
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
