import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'

// Bulk rows go to PostgreSQL with COPY, on the process's one pool (the one Prisma uses too).
export { closeDbPool as closeIngestPools, dbPool as ingestPool } from '@/lib/db'

/** COPY table (columns) FROM STDIN with the rows already in text or binary COPY format; nothing to do for no rows */
export async function copyRows(
  client: pg.ClientBase,
  table: string,
  columns: readonly string[],
  text: Uint8Array,
  format: 'text' | 'binary' = 'text',
) {
  if (text.byteLength === 0) return
  const sql = `COPY ${table} (${columns.map((c) => `"${c}"`).join(', ')}) FROM STDIN${format === 'binary' ? ' WITH (FORMAT binary)' : ''}`
  const bytes = Buffer.from(text.buffer, text.byteOffset, text.byteLength)
  await pipeline(Readable.from([bytes]), client.query(copyFrom(sql)))
}
