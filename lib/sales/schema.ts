// The one definition of a valid sale event: zod for what a person types (hand entry, inline edit),
// mirrored rule for rule by validate.ts for bulk ingestion. Imports zod and constants only.
import { z } from 'zod'
import { hasUnstorableCharacter, itemsTotalOverflow, MAX_AMOUNT, SALE_LIMITS, shownValue } from './limits'

export const EVENT_KINDS = ['PURCHASE', 'RETURN'] as const
export const LINE_ITEM_ROLES = ['PURCHASED', 'RETURNED', 'KEPT', 'CROSS_SOLD'] as const
export const RETURN_TYPES = ['FULL', 'PARTIAL'] as const
export const RETURN_PREFERENCES = ['REFUND', 'REPLACEMENT'] as const

export type EventKind = (typeof EVENT_KINDS)[number]
export type LineItemRole = (typeof LINE_ITEM_ROLES)[number]
export type ReturnType = (typeof RETURN_TYPES)[number]
export type ReturnPreference = (typeof RETURN_PREFERENCES)[number]

// the limits live in limits.ts (one table for forms, uploads, fixes and the database); re-exported for callers
export { SALE_LIMITS }

/** One problem with an event, written for a store manager; `row` is the file row when it came from one. */
export interface SaleIssue {
  field: string
  message: string
  row?: number
}

/** Fields whose messages can name the file column they came from. */
export type ColumnHintField =
  | 'orderId'
  | 'occurredAt'
  | 'customerId'
  | 'itemId'
  | 'itemName'
  | 'variationId'
  | 'unitPrice'
  | 'quantity'
  | 'revenue'
  | 'returnReason'

export type ColumnHints = Partial<Record<ColumnHintField, string>>

const inColumn = (column: string | undefined) => (column === undefined ? '' : ` in column '${column}'`)

export const AMOUNT_LABELS = {
  unitPrice: 'Price',
  revenue: 'Revenue',
  refund: 'Refund',
  returnExpenses: 'Return expenses',
  returnShippingCost: 'Return shipping cost',
} as const
export type AmountField = keyof typeof AMOUNT_LABELS

export const TEXT_LABELS = {
  orderId: 'Order number',
  customerId: 'Customer id',
  itemId: 'Item id',
  itemName: 'Item name',
  variationId: 'Variation id',
  returnDropOff: 'Return drop-off',
  returnReason: 'Return reason',
} as const

/** Every message a sale event can get, with the fix. Column-aware when the event came from a file. */
export const SALE_MESSAGES = {
  storeMissing: () => 'Choose the store where the sale happened',
  orderIdMissing: (column?: string) =>
    column === undefined
      ? 'Order number is missing — enter the order or receipt number'
      : `Order number is missing — fill in column '${column}'`,
  textTooLong: (label: string, length: number, column?: string) =>
    `${label} is ${length} characters long — shorten it to ${SALE_LIMITS.maxTextLength} or fewer${inColumn(column)}`,
  returnReasonTooLong: (length: number, column?: string) =>
    `Return reason is ${length} characters long — shorten it to ${SALE_LIMITS.maxReturnReasonLength.toLocaleString('en-US')} or fewer${inColumn(column)}`,
  textUnstorable: (label: string, column?: string) =>
    `${label} contains a character that can't be stored (an invisible NUL character or half of an emoji) — retype it${inColumn(column)}`,
  itemsTotalTooLarge: (total: string) =>
    `The items add up to ${total}, more than a sale can hold (${Number(MAX_AMOUNT.split('.')[0]).toLocaleString('en-US')}.9999) — check the prices and quantities`,
  occurredAtMissing: (column?: string) =>
    column === undefined
      ? 'Sale date is missing — enter the date and time of the sale'
      : `Sale date is missing — add the date and time of the sale in column '${column}'`,
  occurredAtFuture: (when: string) =>
    `Sale time ${when} is in the future — check the date, the time and the store's time zone`,
  occurredAtTooOld: (when: string, days: number) =>
    `Sale time ${when} is more than ${days} days ago — Constructor only takes recent sales: check the year, or exclude this sale`,
  itemsMissing: () => 'Add at least one item',
  returnedItemsMissing: () =>
    'A return needs at least one returned item — add the items the customer brought back',
  tooManyItems: (count: number) =>
    `This sale lists ${count} items; Constructor takes at most ${SALE_LIMITS.maxItemsPerList} — split it into several orders`,
  purchaseRole: () => 'A purchase can only list purchased items — record returned items on a return',
  returnRole: () =>
    'A return lists returned, kept or cross-sold items — record purchased items on a purchase',
  itemIdentityMissing: (idColumn?: string, nameColumn?: string) => {
    if (idColumn !== undefined && nameColumn !== undefined)
      return `Item needs an item id (SKU) or a name — fill in column '${idColumn}' or '${nameColumn}'`
    const column = idColumn ?? nameColumn
    return column === undefined
      ? 'Item needs an item id (SKU) or a name — enter at least one of them'
      : `Item needs an item id (SKU) or a name — fill in column '${column}'`
  },
  priceMissing: (column?: string) =>
    column === undefined
      ? 'Price is missing — enter the unit price'
      : `Price is missing — add the unit price in column '${column}'`,
  amountFormat: (label: string, value: string, column?: string) =>
    `${label} '${shownValue(value)}' is not an amount — write it like 12.50${inColumn(column)}`,
  amountPrecision: (label: string, value: string) =>
    `${label} ${shownValue(value)} has more than ${SALE_LIMITS.maxFractionDigits} decimal places — round it`,
  amountTooLarge: (label: string, value: string) =>
    `${label} ${shownValue(value)} is too large — amounts can have at most ${SALE_LIMITS.maxIntegerDigits} digits before the decimal point`,
  amountNegative: (label: string, value: string) => `${label} can't be negative (${shownValue(value)})`,
  priceNegative: (value: string) =>
    `Price can't be negative (${shownValue(value)}) — for money given back, record the item as a return with a positive price`,
  quantityMissing: (column?: string) =>
    column === undefined
      ? 'Quantity is missing — enter how many were sold'
      : `Quantity is missing — add how many were sold in column '${column}'`,
  quantityNotWhole: (value: string) =>
    `Quantity ${shownValue(value)} is not a whole number — use whole units (1, 2, 3 …)`,
  quantityOutOfRange: (value: string) =>
    `Quantity ${shownValue(value)} is outside ${SALE_LIMITS.minQuantity} to ${SALE_LIMITS.maxQuantity.toLocaleString('en-US')} — correct it, or split the sale`,
} as const

const DECIMAL = /^-?\d+(?:\.\d+)?$/

export type AmountProblem = 'format' | 'precision' | 'size' | 'negative'

/** The first rule a decimal string breaks, in the order both validators check them; null when fine. */
export function amountProblem(value: string): AmountProblem | null {
  if (!DECIMAL.test(value)) return 'format'
  const dot = value.indexOf('.')
  if (dot !== -1 && value.length - dot - 1 > SALE_LIMITS.maxFractionDigits) return 'precision'
  const start = value.charCodeAt(0) === 45 ? 1 : 0
  let i = start
  const end = dot === -1 ? value.length : dot
  while (i < end - 1 && value.charCodeAt(i) === 48) i++
  if (end - i > SALE_LIMITS.maxIntegerDigits) return 'size'
  if (start === 1 && /[1-9]/.test(value)) return 'negative'
  return null
}

/** The message for an amount problem; price has its own wording for negatives. */
export function amountMessage(
  field: AmountField,
  problem: AmountProblem,
  value: string,
  column?: string,
): string {
  const label = AMOUNT_LABELS[field]
  switch (problem) {
    case 'format':
      return SALE_MESSAGES.amountFormat(label, value, column)
    case 'precision':
      return SALE_MESSAGES.amountPrecision(label, value)
    case 'size':
      return SALE_MESSAGES.amountTooLarge(label, value)
    case 'negative':
      return field === 'unitPrice'
        ? SALE_MESSAGES.priceNegative(value)
        : SALE_MESSAGES.amountNegative(label, value)
  }
}

const saleTimeFormats = new Map<string, Intl.DateTimeFormat>()

/** How a sale time appears in messages: UTC ISO without seconds, or local time when a zone is known. */
export function formatSaleTime(date: Date, timeZone?: string): string {
  if (timeZone === undefined) return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`
  let format = saleTimeFormats.get(timeZone)
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
    saleTimeFormats.set(timeZone, format)
  }
  return `${format.format(date).replace(',', '')} (${timeZone})`
}

export interface SaleTimeWindow {
  /** now, read at each check */
  now?: () => Date
  maxAgeDays?: number
  clockSkewMs?: number
}

/** Text a person typed: trimmed, and blank or left out means absent (null). */
export function normalizeText(value: unknown): unknown {
  if (value === undefined) return null
  if (typeof value !== 'string') return value
  const t = value.trim()
  return t === '' ? null : t
}

const optionalText = (label: string) =>
  z.preprocess(
    normalizeText,
    z
      .string({ error: `${label} must be text` })
      .nullable()
      .optional()
      .superRefine((v, ctx) => {
        if (v == null) return
        if (hasUnstorableCharacter(v))
          ctx.addIssue({ code: 'custom', message: SALE_MESSAGES.textUnstorable(label) })
        if (v.length > SALE_LIMITS.maxTextLength)
          ctx.addIssue({ code: 'custom', message: SALE_MESSAGES.textTooLong(label, v.length) })
      }),
  )

const optionalAmount = (field: AmountField) =>
  z.preprocess(
    normalizeText,
    z
      .string({ error: `${AMOUNT_LABELS[field]} must be text like 12.50` })
      .nullable()
      .optional()
      .superRefine((v, ctx) => {
        if (v == null) return
        const problem = amountProblem(v)
        if (problem !== null) ctx.addIssue({ code: 'custom', message: amountMessage(field, problem, v) })
      }),
  )

export const saleLineItemSchema = z
  .object({
    role: z.enum(LINE_ITEM_ROLES, {
      error: 'Choose whether the item was purchased, returned, kept or cross-sold',
    }),
    itemId: optionalText(TEXT_LABELS.itemId),
    itemName: optionalText(TEXT_LABELS.itemName),
    variationId: optionalText(TEXT_LABELS.variationId),
    unitPrice: z.preprocess(
      normalizeText,
      z
        .string({ error: 'Price must be text like 12.50' })
        .nullable()
        .superRefine((v, ctx) => {
          if (v == null) {
            ctx.addIssue({ code: 'custom', message: SALE_MESSAGES.priceMissing() })
            return
          }
          const problem = amountProblem(v)
          if (problem !== null)
            ctx.addIssue({ code: 'custom', message: amountMessage('unitPrice', problem, v) })
        }),
    ),
    quantity: z.preprocess(
      (v) => (v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? null : v),
      z
        .number({ error: SALE_MESSAGES.quantityMissing() })
        .nullable()
        .superRefine((v, ctx) => {
          if (v == null || !Number.isFinite(v))
            ctx.addIssue({ code: 'custom', message: SALE_MESSAGES.quantityMissing() })
          else if (!Number.isInteger(v))
            ctx.addIssue({ code: 'custom', message: SALE_MESSAGES.quantityNotWhole(String(v)) })
          else if (v < SALE_LIMITS.minQuantity || v > SALE_LIMITS.maxQuantity)
            ctx.addIssue({ code: 'custom', message: SALE_MESSAGES.quantityOutOfRange(String(v)) })
        }),
    ),
  })
  .superRefine((item, ctx) => {
    if (item.itemId == null && item.itemName == null)
      ctx.addIssue({ code: 'custom', path: ['itemId'], message: SALE_MESSAGES.itemIdentityMissing() })
  })

export type SaleLineItemInput = z.infer<typeof saleLineItemSchema>

/** The sale event schema with a given time window (tests pin `now`). */
export function makeSaleEventSchema(window: SaleTimeWindow = {}) {
  const maxAgeDays = window.maxAgeDays ?? SALE_LIMITS.defaultMaxAgeDays
  const skew = window.clockSkewMs ?? SALE_LIMITS.defaultClockSkewMs
  return z
    .object({
      kind: z.enum(EVENT_KINDS, { error: 'Choose whether this is a purchase or a return' }),
      storeId: z.preprocess(
        normalizeText,
        z
          .string({ error: SALE_MESSAGES.storeMissing() })
          .nullable()
          .superRefine((v, ctx) => {
            if (v == null) ctx.addIssue({ code: 'custom', message: SALE_MESSAGES.storeMissing() })
          }),
      ),
      orderId: z.preprocess(
        normalizeText,
        z
          .string({ error: 'Order number must be text' })
          .nullable()
          .superRefine((v, ctx) => {
            if (v == null) {
              ctx.addIssue({ code: 'custom', message: SALE_MESSAGES.orderIdMissing() })
              return
            }
            if (hasUnstorableCharacter(v))
              ctx.addIssue({ code: 'custom', message: SALE_MESSAGES.textUnstorable(TEXT_LABELS.orderId) })
            if (v.length > SALE_LIMITS.maxTextLength)
              ctx.addIssue({
                code: 'custom',
                message: SALE_MESSAGES.textTooLong(TEXT_LABELS.orderId, v.length),
              })
          }),
      ),
      occurredAt: z.preprocess(
        // an unreadable date is a missing one, not a type error that would stop the other checks
        (v) => (v === undefined || (v instanceof Date && Number.isNaN(v.getTime())) ? null : v),
        z
          .date({ error: SALE_MESSAGES.occurredAtMissing() })
          .nullable()
          .superRefine((v, ctx) => {
            if (v == null) {
              ctx.addIssue({ code: 'custom', message: SALE_MESSAGES.occurredAtMissing() })
              return
            }
            const now = (window.now?.() ?? new Date()).getTime()
            const t = v.getTime()
            if (t > now + skew)
              ctx.addIssue({ code: 'custom', message: SALE_MESSAGES.occurredAtFuture(formatSaleTime(v)) })
            else if (t < now - maxAgeDays * 86_400_000)
              ctx.addIssue({
                code: 'custom',
                message: SALE_MESSAGES.occurredAtTooOld(formatSaleTime(v), maxAgeDays),
              })
          }),
      ),
      customerId: optionalText(TEXT_LABELS.customerId),
      revenue: optionalAmount('revenue'),
      refund: optionalAmount('refund'),
      returnExpenses: optionalAmount('returnExpenses'),
      returnShippingCost: optionalAmount('returnShippingCost'),
      returnReason: z.preprocess(
        normalizeText,
        z
          .string({ error: 'Return reason must be text' })
          .nullable()
          .optional()
          .superRefine((v, ctx) => {
            if (v == null) return
            if (hasUnstorableCharacter(v))
              ctx.addIssue({
                code: 'custom',
                message: SALE_MESSAGES.textUnstorable(TEXT_LABELS.returnReason),
              })
            if (v.length > SALE_LIMITS.maxReturnReasonLength)
              ctx.addIssue({ code: 'custom', message: SALE_MESSAGES.returnReasonTooLong(v.length) })
          }),
      ),
      returnType: z.enum(RETURN_TYPES, { error: 'Choose a full or partial return' }).nullable().optional(),
      returnPreference: z
        .enum(RETURN_PREFERENCES, { error: 'Choose refund or replacement' })
        .nullable()
        .optional(),
      returnDropOff: optionalText(TEXT_LABELS.returnDropOff),
      lineItems: z.array(saleLineItemSchema, { error: SALE_MESSAGES.itemsMissing() }),
    })
    .superRefine((event, ctx) => {
      const items = event.lineItems
      const overflow = itemsTotalOverflow(items)
      if (overflow !== null)
        ctx.addIssue({
          code: 'custom',
          path: ['lineItems'],
          message: SALE_MESSAGES.itemsTotalTooLarge(overflow),
        })
      if (event.kind === 'PURCHASE') {
        if (items.length === 0)
          ctx.addIssue({ code: 'custom', path: ['lineItems'], message: SALE_MESSAGES.itemsMissing() })
        else if (items.length > SALE_LIMITS.maxItemsPerList)
          ctx.addIssue({
            code: 'custom',
            path: ['lineItems'],
            message: SALE_MESSAGES.tooManyItems(items.length),
          })
        items.forEach((item, i) => {
          if (item.role !== 'PURCHASED')
            ctx.addIssue({
              code: 'custom',
              path: ['lineItems', i, 'role'],
              message: SALE_MESSAGES.purchaseRole(),
            })
        })
        return
      }
      const counts = { PURCHASED: 0, RETURNED: 0, KEPT: 0, CROSS_SOLD: 0 }
      for (const item of items) counts[item.role]++
      const largest = Math.max(counts.RETURNED, counts.KEPT, counts.CROSS_SOLD)
      if (counts.RETURNED === 0)
        ctx.addIssue({ code: 'custom', path: ['lineItems'], message: SALE_MESSAGES.returnedItemsMissing() })
      else if (largest > SALE_LIMITS.maxItemsPerList)
        ctx.addIssue({ code: 'custom', path: ['lineItems'], message: SALE_MESSAGES.tooManyItems(largest) })
      items.forEach((item, i) => {
        if (item.role === 'PURCHASED')
          ctx.addIssue({
            code: 'custom',
            path: ['lineItems', i, 'role'],
            message: SALE_MESSAGES.returnRole(),
          })
      })
    })
}

/** The sale event as a person enters or edits it; the server re-parses with the same schema. */
export const saleEventSchema = makeSaleEventSchema()

export type SaleEventInput = z.infer<typeof saleEventSchema>
