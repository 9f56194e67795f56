import { createHash } from 'node:crypto'
import { type Queryable, SQL_UUID_V7 } from '@/lib/submission/sql'
import { normalizeHeader, SALES_FIELDS } from '../fields'
import type { ColumnMapping, PresetId } from '../presets'

// The column mapping a store last used for a layout, remembered by the preview job and offered by the page next time.

/** the key a mapping is remembered under: the preset, or the header row's signature for a custom layout */
export function mappingSource(preset: PresetId, header: readonly string[]): string {
  if (preset !== 'custom') return preset
  return `custom:${createHash('sha256').update(header.map(normalizeHeader).join('|')).digest('hex').slice(0, 32)}`
}

// Every field is remembered, an unused one as null: "— not in this file —" (say, for the store column, so the
// store chosen on the upload page takes the whole file) must outlast the next proposal for the same layout.
export async function rememberMapping(q: Queryable, storeId: string, source: string, mapping: ColumnMapping) {
  const byHeader: Record<string, string | null> = {}
  for (const field of SALES_FIELDS) byHeader[field] = mapping[field]?.header ?? null
  await q.query(
    `INSERT INTO "ColumnMappingPreset" (id, "storeId", source, mapping, "updatedAt")
     VALUES (${SQL_UUID_V7}, $1::uuid, $2, $3::jsonb, now())
     ON CONFLICT ("storeId", source) DO UPDATE SET mapping = EXCLUDED.mapping, "updatedAt" = now()`,
    [storeId, source, JSON.stringify(byHeader)],
  )
}
