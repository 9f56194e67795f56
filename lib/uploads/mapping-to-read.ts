// The column mapping a full read uses: the proposal or a person's edit of it, refused with a message
// when a required column or the sales' store is missing.
import { UploadFileError } from './errors'
import { applyMapping, type MappingEdit, type MappingResult, proposeMapping } from './presets'
import type { StoreInfo } from './types'

function missingColumnsError(labels: string[]): UploadFileError {
  const list =
    labels.length === 1 ? labels[0] : `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`
  return new UploadFileError(
    'MAPPING_INCOMPLETE',
    `We couldn't find a column for ${list}. Match ${labels.length === 1 ? 'it' : 'them'} to your file's columns in the column mapping step.`,
  )
}

export function mappingToRead(
  header: string[],
  sampleRows: { cells: string[] }[],
  options: {
    mapping?: MappingEdit
    stores: Readonly<Record<string, StoreInfo>>
    defaultStoreCode?: string
  },
): MappingResult {
  const sample = sampleRows.map((r) => r.cells)
  const mapped: MappingResult =
    options.mapping === undefined
      ? { ...proposeMapping(header, sample), errors: [] }
      : applyMapping(header, options.mapping, sample)
  if (mapped.errors.length > 0)
    throw new UploadFileError('MAPPING_INCOMPLETE', mapped.errors.map((e) => e.message).join('. '))
  if (mapped.missing.length > 0) throw missingColumnsError(mapped.missing.map((m) => m.label))
  const defaultStoreCode = options.defaultStoreCode
  if (defaultStoreCode !== undefined) {
    const lower = defaultStoreCode.trim().toLowerCase()
    if (!Object.keys(options.stores).some((code) => code.trim().toLowerCase() === lower))
      throw new UploadFileError(
        'STORE_REQUIRED',
        `The store chosen for this upload (${defaultStoreCode}) isn't one of your stores. Choose one of your stores.`,
      )
  } else if (mapped.mapping.storeCode === undefined) {
    throw new UploadFileError(
      'STORE_REQUIRED',
      "Choose the store these sales belong to, or include a store column (such as 'Location') in the file.",
    )
  }
  return mapped
}
