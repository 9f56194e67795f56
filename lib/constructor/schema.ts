import { z } from 'zod'

// Limits of Constructor's Offline Behavioral Actions contract (see /work/shared/constructor/CONTRACT.md).
export const MAX_ACTIONS_PER_REQUEST = 100
export const MAX_ITEMS_PER_LIST = 500
export const MAX_ITEM_FIELD_LENGTH = 250
export const MAX_STORE_ID_LENGTH = 250
export const MAX_RETURN_DROP_OFF_LENGTH = 250
export const MAX_COORDINATE_LENGTH = 20
export const MAX_KEY_LENGTH = 100
export const MAX_SECTION_LENGTH = 100
export const DEFAULT_SECTION = 'Products'

export const RETURN_TYPES = ['full', 'partial'] as const
export const RETURN_PREFERENCES = ['refund', 'replacement'] as const

// The server counts characters as Unicode code points (Python str), not UTF-16 units as String.length does.
export function codePointLength(value: string): number {
  let count = 0
  for (const _ of value) count++
  return count
}

function boundedString(min: number, max: number) {
  return z
    .string()
    .min(min, { error: `must be ${min}–${max} characters` })
    .refine((value) => value.length <= max || codePointLength(value) <= max, {
      error: `must be ${min}–${max} characters`,
    })
}

// The contract takes any JSON number; zod already refuses NaN and ±Infinity, which JSON cannot carry.
const money = z.number()

export const constructorKeySchema = boundedString(1, MAX_KEY_LENGTH)
export const constructorSectionSchema = boundedString(1, MAX_SECTION_LENGTH)

export const offlineItemSchema = z
  .strictObject({
    item_id: boundedString(1, MAX_ITEM_FIELD_LENGTH).optional(),
    item_name: boundedString(1, MAX_ITEM_FIELD_LENGTH).optional(),
    variation_id: boundedString(1, MAX_ITEM_FIELD_LENGTH).optional(),
    price: money.optional(),
    count: z.int().optional(),
  })
  .superRefine((item, ctx) => {
    if (item.item_id !== undefined || item.item_name !== undefined) return
    if (item.variation_id !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['variation_id'],
        message: 'variation_id is only allowed together with item_id or item_name',
      })
    }
    ctx.addIssue({ code: 'custom', path: ['item_id'], message: 'item_id or item_name is required' })
  })

const itemList = z
  .array(offlineItemSchema)
  .min(1, { error: `must contain 1–${MAX_ITEMS_PER_LIST} items` })
  .max(MAX_ITEMS_PER_LIST, { error: `must contain 1–${MAX_ITEMS_PER_LIST} items` })

const coordinate = boundedString(1, MAX_COORDINATE_LENGTH)

export const offlinePurchaseDataSchema = z.strictObject({
  _dt: z.int({ error: '_dt must be an integer (Unix seconds)' }),
  ui: z.string().optional(),
  order_id: z.string().optional(),
  lat: coordinate.optional(),
  lon: coordinate.optional(),
  store_id: boundedString(1, MAX_STORE_ID_LENGTH).optional(),
  items: itemList,
  revenue: money.optional(),
})

export const offlineReturnDataSchema = z.strictObject({
  _dt: z.int({ error: '_dt must be an integer (Unix seconds)' }),
  ui: z.string().optional(),
  order_id: z.string().optional(),
  items_returned: itemList,
  items_kept: itemList.optional(),
  items_cross_sold: itemList.optional(),
  revenue: money.optional(),
  return_expenses: money.optional(),
  refund: money.optional(),
  return_shipping_cost: money.optional(),
  return_reason: z.string().optional(),
  return_type: z.enum(RETURN_TYPES).optional(),
  return_preference: z.enum(RETURN_PREFERENCES).optional(),
  lat: coordinate.optional(),
  lon: coordinate.optional(),
  return_drop_off: boundedString(1, MAX_RETURN_DROP_OFF_LENGTH).optional(),
})

export const offlinePurchaseActionSchema = z.strictObject({
  action: z.literal('purchase'),
  data: offlinePurchaseDataSchema,
})

export const offlineReturnActionSchema = z.strictObject({
  action: z.literal('return'),
  data: offlineReturnDataSchema,
})

export const offlineBehavioralActionSchema = z.discriminatedUnion('action', [
  offlinePurchaseActionSchema,
  offlineReturnActionSchema,
])

export const offlineBehavioralActionsBodySchema = z.strictObject({
  behavioral_actions: z
    .array(offlineBehavioralActionSchema)
    .min(1, { error: `must contain 1–${MAX_ACTIONS_PER_REQUEST} actions` })
    .max(MAX_ACTIONS_PER_REQUEST, { error: `must contain 1–${MAX_ACTIONS_PER_REQUEST} actions` }),
})

export const offlineBehavioralActionsParamsSchema = z.strictObject({
  key: constructorKeySchema,
  section: constructorSectionSchema.optional(),
})

export type OfflineItem = z.infer<typeof offlineItemSchema>
export type OfflinePurchaseData = z.infer<typeof offlinePurchaseDataSchema>
export type OfflineReturnData = z.infer<typeof offlineReturnDataSchema>
export type OfflinePurchaseAction = z.infer<typeof offlinePurchaseActionSchema>
export type OfflineReturnAction = z.infer<typeof offlineReturnActionSchema>
export type OfflineBehavioralAction = z.infer<typeof offlineBehavioralActionSchema>
export type OfflineBehavioralActionsBody = z.infer<typeof offlineBehavioralActionsBodySchema>
export type OfflineBehavioralActionsParams = z.infer<typeof offlineBehavioralActionsParamsSchema>
export type ReturnTypeValue = (typeof RETURN_TYPES)[number]
export type ReturnPreferenceValue = (typeof RETURN_PREFERENCES)[number]
