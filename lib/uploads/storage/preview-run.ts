import 'server-only'
import { createHash } from 'node:crypto'
import type { Caller } from '@/lib/auth/caller'
import { db } from '@/lib/db'
import { isUploadFileError } from '../errors'
import { normalizeHeader, SALES_FIELDS, type SalesField } from '../fields'
import type { FilePreview } from '../parse-sales-file'
import { applyMapping, type ColumnMapping, type PresetId } from '../presets'
import { getIngestStores, getOtherStoreNames, getRememberedMapping, getUpload } from '../queries'
import type { PreviewUploadInput } from '../schema'
import { isCheckable } from '../transitions'
import { type IngestProgress, previewUpload, type UploadPreview } from './ingest'

// The preview as the page runs it: authorize, read the whole file with progress, remember the mapping.

/** the key a mapping is remembered under: the preset, or the header row's signature for a custom layout */
export function mappingSource(preset: PresetId, header: readonly string[]): string {
  if (preset !== 'custom') return preset
  return `custom:${createHash('sha256').update(header.map(normalizeHeader).join('|')).digest('hex').slice(0, 32)}`
}

// Every field is remembered, an unused one as null: "— not in this file —" (say, for the store column, so the
// store chosen on the upload page takes the whole file) must outlast the next proposal for the same layout.
async function rememberMapping(storeId: string, source: string, mapping: ColumnMapping) {
  const byHeader: Record<string, string | null> = {}
  for (const field of SALES_FIELDS) byHeader[field] = mapping[field]?.header ?? null
  await db.columnMappingPreset.upsert({
    where: { storeId_source: { storeId, source } },
    create: { storeId, source, mapping: byHeader },
    update: { mapping: byHeader },
  })
}

/** the mapping the page starts from for a file not checked yet: the one remembered for its layout, else the proposal */
export async function initialMappingFor(
  storeId: string | null,
  head: FilePreview,
): Promise<Partial<Record<SalesField, number | null>>> {
  const remembered = storeId
    ? await getRememberedMapping(storeId, mappingSource(head.proposal.preset, head.header))
    : null
  const proposal = remembered
    ? applyMapping(
        head.header,
        remembered,
        head.sampleRows.map((r) => r.cells),
      )
    : head.proposal
  const initial: Partial<Record<SalesField, number | null>> = {}
  for (const [field, col] of Object.entries(proposal.mapping))
    if (col) initial[field as SalesField] = col.index
  return initial
}

export type PreviewStart =
  | { ok: false; status: 404 | 409; error: string }
  | { ok: true; run: (onProgress: (p: IngestProgress) => void) => Promise<UploadPreview> }

/** the caller has passed the route's door (lib/auth/route.ts); here the upload must be in their stores */
export async function startPreview(
  caller: Caller,
  uploadId: string,
  input: PreviewUploadInput,
): Promise<PreviewStart> {
  const upload = await getUpload(caller, uploadId)
  if (!upload)
    return { ok: false, status: 404, error: 'That upload does not exist or is not in one of your stores.' }
  if (!isCheckable(upload.status))
    return {
      ok: false,
      status: 409,
      error:
        upload.status === 'CANCELLED'
          ? 'This upload was cancelled. Upload the file again.'
          : 'This file is already stored; nothing to check again.',
    }
  const [stores, otherStoreNames] = await Promise.all([getIngestStores(caller), getOtherStoreNames(caller)])
  return {
    ok: true,
    run: async (onProgress) => {
      const preview = await previewUpload({
        uploadId: upload.id,
        sizeBytes: Number(upload.sizeBytes),
        sha256: upload.sha256,
        storeId: upload.storeId,
        stores,
        otherStoreNames,
        ...(upload.store && { defaultStoreCode: upload.store.code }),
        settings: {
          ...(input.mapping !== undefined && { mapping: input.mapping }),
          ...(input.dateOrder !== undefined && { dateOrder: input.dateOrder }),
          ...(input.decimalSeparator !== undefined && { decimalSeparator: input.decimalSeparator }),
        },
        onProgress,
      })
      if (upload.storeId)
        await rememberMapping(upload.storeId, mappingSource(preview.preset, preview.header), preview.mapping)
      return preview
    },
  }
}

export function previewErrorMessage(e: unknown): string {
  // a message about a row already names it
  if (isUploadFileError(e)) return e.message
  return 'The file could not be checked. Try again; if it keeps failing, tell your administrator.'
}
