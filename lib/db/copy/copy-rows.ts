import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'

/** COPY table (columns) FROM STDIN with rows already in text (text.ts) or binary (binary.ts) COPY format; nothing to do for no rows */
export async function copyRows(
  client: pg.ClientBase,
  table: string,
  columns: readonly string[],
  rows: Uint8Array,
  format: 'text' | 'binary' = 'text',
) {
  if (rows.byteLength === 0) return
  const sql = `COPY ${table} (${columns.map((c) => `"${c}"`).join(', ')}) FROM STDIN${format === 'binary' ? ' WITH (FORMAT binary)' : ''}`
  const bytes = Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength)
  await pipeline(Readable.from([bytes]), client.query(copyFrom(sql)))
}
