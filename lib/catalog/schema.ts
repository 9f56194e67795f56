// The inputs of the catalog actions. Imports zod only, so forms and server parse with the same objects.
import { z } from 'zod'

const itemId = (message: string) => z.string().trim().min(1, message).max(250, 'Use at most 250 characters')

/** a till's SKU and the catalog's id it stands for, in one store */
export const mapItemIdSchema = z.object({
  storeId: z.uuid('Choose a store'),
  tillItemId: itemId('The till’s item id is missing'),
  catalogItemId: itemId('Enter the catalog’s item id'),
})
export type MapItemIdInput = z.input<typeof mapItemIdSchema>
