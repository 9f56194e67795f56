// The hand-entry form as typed (strings), turned into a SaleEventInput and checked by THE sale event
// schema, in the browser and again on the server. Values are read by lib/sales/read-values.ts, the upload's
// reader, with the store's locale. Imports zod, constants and that reader only.
import { z } from 'zod'
import {
  localeDateOrder,
  localeDecimalSeparator,
  readAmount,
  readQuantity,
  readSaleTime,
} from '@/lib/sales/read-values'
import { EVENT_KINDS, saleEventSchema } from '@/lib/sales/schema'

export const handEntryItemSchema = z.object({
  itemId: z.string().optional(),
  itemName: z.string().optional(),
  variationId: z.string().optional(),
  unitPrice: z.string(),
  quantity: z.string(),
})
export type HandEntryItemValues = z.infer<typeof handEntryItemSchema>

/** the instant a date and time in the store's zone name; null when either is missing or unreadable */
export function localToUtc(date: string, time: string, timeZone: string): Date | null {
  const read = readSaleTime(date, time, timeZone, 'DMY')
  return read.ok ? read.value : null
}

// the generated order number is made on the server; this stands in while the schema checks the rest
const ORDER_PLACEHOLDER = 'HAND-ENTRY'

export const handEntrySchema = z
  .object({
    storeId: z.string(),
    timeZone: z.string(),
    /** the store's locale the form read amounts and dates with; the server checks it is still the store's */
    locale: z.string(),
    kind: z.enum(EVENT_KINDS, { error: 'Choose whether this is a purchase or a return' }),
    date: z.string(),
    time: z.string(),
    customerId: z.string().optional(),
    orderId: z.string().optional(),
    returnReason: z.string().optional(),
    lineItems: z.array(handEntryItemSchema),
  })
  .transform((v, ctx) => {
    const orderId = v.orderId?.trim() ?? ''
    const separator = localeDecimalSeparator(v.locale)
    // a value the reader refuses is reported on its field; the schema then checks the rest
    const refused = new Set<string>()
    const refuse = (path: (string | number)[], message: string) => {
      refused.add(path.join('.'))
      ctx.addIssue({ code: 'custom', path, message })
    }
    const at = readSaleTime(v.date, v.time, v.timeZone, localeDateOrder(v.locale) ?? 'DMY')
    if (!at.ok) refuse([at.field], at.message)
    const lineItems = v.lineItems.map((i, n) => {
      const price = readAmount(i.unitPrice, 'unitPrice', separator)
      if (!price.ok) refuse(['lineItems', n, 'unitPrice'], price.message)
      const quantity = readQuantity(i.quantity)
      if (!quantity.ok) refuse(['lineItems', n, 'quantity'], quantity.message)
      return {
        role: v.kind === 'RETURN' ? ('RETURNED' as const) : ('PURCHASED' as const),
        itemId: i.itemId,
        itemName: i.itemName,
        variationId: i.variationId,
        unitPrice: price.ok ? price.value : null,
        quantity: quantity.ok ? quantity.value : null,
      }
    })
    const candidate = {
      kind: v.kind,
      storeId: v.storeId,
      orderId: orderId || ORDER_PLACEHOLDER,
      occurredAt: at.ok ? at.value : null,
      customerId: v.customerId,
      returnReason: v.kind === 'RETURN' ? v.returnReason : undefined,
      lineItems,
    }
    const checked = saleEventSchema.safeParse(candidate)
    if (!checked.success) {
      for (const issue of checked.error.issues) {
        // the form has one date and one time field for occurredAt
        const path = issue.path[0] === 'occurredAt' ? ['date'] : issue.path
        // a refused value reads as missing to the schema: the reader's message already says why
        if (refused.has(path.join('.')) || (path[0] === 'date' && refused.has('time'))) continue
        ctx.addIssue({ code: 'custom', path, message: issue.message })
      }
      return z.NEVER
    }
    if (refused.size > 0) return z.NEVER
    return { event: checked.data, orderIdGiven: orderId !== '', timeZone: v.timeZone, locale: v.locale }
  })

export type HandEntryValues = z.input<typeof handEntrySchema>
