// The sales feed's wire format (POST /api/v1/sales), named like the upload template's columns. These zod
// schemas check the shape only; the rules of a valid sale are lib/sales/validate.ts's, as for an upload.
// The OpenAPI document (lib/feed/openapi.ts) is generated from them. Imports zod and constants only.
import { z } from 'zod'

export const FEED_LIMITS = {
  /** sales in one request: one more is refused whole */
  maxSales: 1_000,
  /** bytes of one request body (JSON or CSV) */
  maxBodyBytes: 2 * 1024 * 1024,
} as const

const text = (description: string) => z.string().max(10_000).nullish().meta({ description })
const amount = (description: string) =>
  z
    .union([z.string().max(40), z.number()])
    .nullish()
    .meta({ description })

// a key the feed does not know is answered, never dropped: a misspelt field would otherwise lose its value
const unknownKeys = {
  error: (issue: { code?: string; keys?: string[] }) =>
    issue.code === 'unrecognized_keys'
      ? `Unknown field${issue.keys?.length === 1 ? '' : 's'} ${(issue.keys ?? []).map((k) => `'${k}'`).join(', ')} — check the spelling against the API description (GET /api/v1/openapi.json)`
      : undefined,
}

export const feedItemSchema = z
  .strictObject(
    {
      item_id: text('SKU or item id; item_id or item_name is required'),
      item_name: text('the item as the receipt names it'),
      variation_id: text('size, colour or other variation id'),
      unit_price: z
        .union([z.string().max(40), z.number()])
        .nullish()
        .meta({
          description: 'what the customer paid for one unit, a decimal like "12.50" (a point, no currency)',
        }),
      quantity: z
        .number()
        .nullish()
        .meta({ description: 'whole units, 1 to 10,000; returned units are positive' }),
      item_role: text(
        'for a return: returned, kept (the customer kept it) or cross_sold (bought with the return); left out: purchased on a purchase, returned on a return',
      ),
    },
    unknownKeys,
  )
  .meta({ id: 'SaleItem' })

export const feedSaleSchema = z
  .strictObject(
    {
      order_id: z
        .string()
        .max(10_000)
        .meta({ description: 'the receipt or order number; with store and kind, the sale’s identity' }),
      occurred_at: z.string().max(64).meta({
        description:
          'ISO 8601: "2026-03-02T14:05:00+01:00" (an offset or Z), or "2026-03-02 14:05" read in the store’s time zone',
      }),
      store_code: text('the store’s code; may be left out when the key writes one store'),
      kind: z.enum(['purchase', 'return']).meta({ description: 'purchase, or return (items brought back)' }),
      customer_id: text('the customer’s id in your loyalty system, if known'),
      return_reason: text('for a return: why the customer brought the items back'),
      refund: amount('for a return: the money given back, a decimal like "12.50" (may be written negative)'),
      return_expenses: amount('for a return: what handling the return cost, a decimal'),
      return_shipping_cost: amount('for a return: what shipping it back cost, a decimal'),
      return_type: text('for a return: full or partial'),
      return_preference: text('for a return: refund or replacement'),
      return_drop_off: text('for a return: where the items were brought back (a store or drop-off point)'),
      items: z.array(feedItemSchema).max(10_000).meta({ description: 'the sale’s items, at least one' }),
    },
    unknownKeys,
  )
  .meta({ id: 'Sale' })

export type FeedSale = z.infer<typeof feedSaleSchema>

/** the JSON body: an array of sales; its length is checked by the route, which says how many were sent */
export const feedRequestSchema = z.array(z.unknown()).meta({
  description: `1 to ${FEED_LIMITS.maxSales} sales (see Sale); each is checked on its own and answered in order`,
})

export const FEED_OUTCOMES = ['stored', 'unchanged', 'corrected', 'invalid', 'busy'] as const
export type FeedOutcome = (typeof FEED_OUTCOMES)[number]

export const feedReasonSchema = z
  .object({
    field: z.string().meta({ description: 'the field, as "items[0].unit_price"' }),
    message: z.string().meta({ description: 'what is wrong and how to fix it' }),
  })
  .meta({ id: 'Reason' })

export const feedResultSchema = z
  .object({
    index: z
      .int()
      .meta({ description: 'the sale’s position in the request (0-based; a CSV body: the event’s)' }),
    order_id: z.string().nullable(),
    outcome: z.enum(FEED_OUTCOMES).meta({
      description:
        'stored: new or brought up to date; unchanged: already stored as sent; corrected: it had been submitted and is stored again as a correction; invalid: see reasons (kept for a manager to fix when store, kind and order id are known); busy: being sent to Constructor right now, not changed — send it again later',
    }),
    reasons: z.array(feedReasonSchema),
  })
  .meta({ id: 'SaleResult' })

export const feedResponseSchema = z
  .object({
    results: z.array(feedResultSchema),
    counts: z.record(z.enum(FEED_OUTCOMES), z.int()),
    /** rows of a CSV body that could not become part of a sale */
    rowProblems: z
      .array(z.object({ row: z.int(), reasons: z.array(feedReasonSchema) }))
      .meta({ description: 'CSV body only: rows that could not become part of any sale' }),
  })
  .meta({ id: 'SalesFeedResponse' })

export type FeedResult = z.infer<typeof feedResultSchema>
export type FeedResponse = z.infer<typeof feedResponseSchema>

export const feedErrorSchema = z
  .object({ error: z.string().meta({ description: 'what was wrong with the request; nothing was stored' }) })
  .meta({ id: 'Error' })

// ——— keys and schedules (Settings, admin) ———

export const createApiKeySchema = z.object({
  name: z.string().trim().min(1, 'Give the key a name, such as the till it is for').max(100),
  storeIds: z.array(z.uuid()).min(1, 'Choose at least one store the key may write'),
})
export type CreateApiKeyInput = z.input<typeof createApiKeySchema>

export const revokeApiKeySchema = z.object({ keyId: z.uuid() })

export const SCHEDULE_MODES = ['OFF', 'WHEN_READY', 'DAILY'] as const
export const SCHEDULE_LABELS: Record<(typeof SCHEDULE_MODES)[number], string> = {
  OFF: 'Off: a person submits',
  WHEN_READY: 'As soon as sales are ready',
  DAILY: 'Daily at a local time',
}

export const setScheduleSchema = z
  .object({
    storeId: z.uuid(),
    mode: z.enum(SCHEDULE_MODES, { error: 'Choose when sales are submitted' }),
    dailyAt: z.string().trim().optional(),
  })
  .superRefine((v, ctx) => {
    if (v.mode === 'DAILY' && !/^([01]\d|2[0-3]):[0-5]\d$/.test(v.dailyAt ?? ''))
      ctx.addIssue({
        code: 'custom',
        path: ['dailyAt'],
        message: 'Enter the time as HH:MM, for example 23:30',
      })
  })
export type SetScheduleInput = z.input<typeof setScheduleSchema>
