// Inputs of the sales table's actions (bulk, inline correction, group fixes). Imports zod and constants
// only (and the shared value reader), so the browser validates with the same objects the server parses with.
import { z } from 'zod'
import { hasUnstorableCharacter, SALE_LIMITS } from '@/lib/sales/limits'
import { readAmount, readSaleTime } from '@/lib/sales/read-values'
import { amountMessage, amountProblem, SALE_MESSAGES, saleEventSchema, TEXT_LABELS } from '@/lib/sales/schema'

const ids = z
  .array(z.uuid())
  .min(1, 'Select at least one sale')
  .max(100_000, 'Select at most 100,000 sales at a time')

export const saleEventIdsSchema = z.object({ eventIds: ids })
export type SaleEventIdsInput = z.infer<typeof saleEventIdsSchema>

export const setExcludedSchema = z.object({ eventIds: ids, excluded: z.boolean() })

/** an inline correction: the whole event as the form holds it, and the version it was read at */
export const updateSaleEventSchema = z.object({
  eventId: z.uuid(),
  version: z.int().min(1),
  event: saleEventSchema,
})
export type UpdateSaleEventInput = z.input<typeof updateSaleEventSchema>

/** a price read as hand entry reads one, within the limits of the price column */
const price = z.string().transform((v, ctx) => {
  const read = readAmount(v, 'unitPrice', null)
  if (!read.ok) ctx.addIssue({ code: 'custom', message: read.message })
  else if (read.value === null) ctx.addIssue({ code: 'custom', message: 'Write the price like 12.50' })
  else {
    const problem = amountProblem(read.value)
    if (problem === null) return read.value
    ctx.addIssue({ code: 'custom', message: amountMessage('unitPrice', problem, read.value) })
  }
  return z.NEVER
})

/** an item id a group fix writes: the contract's length, and only characters a column can store */
const itemText = z
  .string()
  .max(SALE_LIMITS.maxTextLength)
  .refine((v) => !hasUnstorableCharacter(v), { message: SALE_MESSAGES.textUnstorable(TEXT_LABELS.itemId) })

/** what a group fix does to every event of a reason group */
export const groupFixSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('setTime'),
    /** local wall time in each event's store, YYYY-MM-DDTHH:mm */
    localTime: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'Choose a date and time')
      .superRefine((v, ctx) => {
        // read as hand entry reads a time (the zone is each store's; UTC only checks the calendar and clock)
        const [date = '', time = ''] = v.split('T')
        const read = readSaleTime(date, time, 'UTC', 'DMY')
        if (!read.ok) ctx.addIssue({ code: 'custom', message: read.message })
      }),
  }),
  z.object({
    type: z.literal('setPrice'),
    prices: z
      .array(
        z.object({
          itemId: itemText.nullable(),
          itemName: itemText.nullable(),
          unitPrice: price,
        }),
      )
      .min(1, 'Enter at least one price')
      .max(200),
  }),
  z.object({
    type: z.literal('setQuantity'),
    quantity: z.int().min(SALE_LIMITS.minQuantity).max(SALE_LIMITS.maxQuantity),
  }),
  z.object({
    type: z.literal('setItemId'),
    itemId: z.string().trim().min(1, 'Enter an item id').pipe(itemText),
  }),
  /** a "not in your Constructor catalog" group: the catalog's id for the till's SKU, remembered for the store */
  z.object({
    type: z.literal('mapItem'),
    catalogItemId: z
      .string()
      .trim()
      .min(1, 'Enter the catalog’s item id')
      .max(250, 'Use at most 250 characters'),
  }),
  z.object({ type: z.literal('exclude') }),
  z.object({ type: z.literal('resubmit') }),
])
export type GroupFix = z.infer<typeof groupFixSchema>

export const fixGroupSchema = z.object({ reason: z.string().min(1).max(600), fix: groupFixSchema })
export type FixGroupInput = z.infer<typeof fixGroupSchema>

/** "Submit all fixed": every corrected READY event of the caller's stores, or of the stores named; with the count
 * the page showed, nothing is submitted when it no longer matches */
export const submitFixedSchema = z
  .object({
    store: z.array(z.string().max(250)).max(200).optional(),
    expectedCount: z.int().min(1).optional(),
  })
  .default({})

/** the sales table's URL query, as the table holds it: the server parses it with the table's own parser */
const filterQuery = z.string().max(4_000, 'This filter is too long')

/** "select all N matching this filter": the filter and the N the person was shown */
export const matchingSchema = z.object({ filter: filterQuery, expectedCount: z.int().min(1) })
export type MatchingInput = z.infer<typeof matchingSchema>

export const countMatchingSchema = z.object({ filter: filterQuery })

/** why an inline correction was refused: never a silent overwrite */
export const CONFLICT_MESSAGES = {
  queued:
    'This sale was queued for sending while you were editing, so your changes were not saved. Wait until its batch finishes (or cancel the batch), then edit it again.',
  changed:
    'Someone else changed this sale while you were editing, so your changes were not saved. Reload to see their version, then make your changes again.',
  gone: 'This sale no longer exists.',
} as const

/** a refund without lines, completed by picking the returned lines (and how many of each) from its purchase */
export const completeRefundSchema = z.object({
  eventId: z.uuid(),
  version: z.int().min(1),
  lines: z
    .array(z.object({ lineNumber: z.int().min(1), quantity: z.int().min(1, 'At least 1').max(1_000_000) }))
    .min(1, 'Pick at least one returned item')
    .max(500, 'A return lists at most 500 items')
    .refine(
      (ls) => new Set(ls.map((l) => l.lineNumber)).size === ls.length,
      'Each line of the purchase once',
    ),
})
export type CompleteRefundInput = z.infer<typeof completeRefundSchema>
