// What the upload screens send: the mapping a person chose and the commit. Imports zod and constants only.
import { z } from 'zod'
import { SALES_FIELDS } from './fields'

const uuid = z.uuid({ error: 'That upload does not exist.' })

/** a column index per field (null: not used); fields left out keep the automatic proposal */
export const mappingEditSchema = z.partialRecord(
  z.enum(SALES_FIELDS),
  z.number().int().min(0).max(10_000).nullable(),
)

export const previewUploadSchema = z.object({
  mapping: mappingEditSchema.optional(),
  dateOrder: z.enum(['DMY', 'MDY']).optional(),
  decimalSeparator: z.enum(['.', ',']).optional(),
})
export type PreviewUploadInput = z.infer<typeof previewUploadSchema>

export const commitUploadSchema = z.object({ uploadId: uuid })
export const cancelUploadSchema = z.object({ uploadId: uuid })
/** "Submit the N ready sales from this file": N as the page counted it */
export const submitUploadSchema = z.object({ uploadId: uuid, expectedCount: z.int().min(1) })
