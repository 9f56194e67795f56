// The hand-entry form as typed (strings), turned into a SaleEventInput and checked by THE sale event
// schema, in the browser and again on the server. Imports zod and constants only (and the zone maths).
import { z } from 'zod'
import { EVENT_KINDS, saleEventSchema } from '@/lib/sales/schema'
import { zonedWallTimeToUtc } from '@/lib/time/zoned'

export const handEntryItemSchema = z.object({
  itemId: z.string().optional(),
  itemName: z.string().optional(),
  variationId: z.string().optional(),
  unitPrice: z.string(),
  quantity: z.string(),
})
export type HandEntryItemValues = z.infer<typeof handEntryItemSchema>

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/
const TIME = /^(\d{2}):(\d{2})$/

/** the instant a date and time in the store's zone name; null when either is missing or unreadable */
export function localToUtc(date: string, time: string, timeZone: string): Date | null {
  const d = DATE.exec(date.trim())
  const t = TIME.exec(time.trim())
  if (!d || !t) return null
  try {
    const { utcMs } = zonedWallTimeToUtc(
      timeZone,
      Number(d[1]),
      Number(d[2]),
      Number(d[3]),
      Number(t[1]),
      Number(t[2]),
    )
    return new Date(utcMs)
  } catch {
    return null
  }
}

/** an amount as typed: spaces dropped and a decimal comma read as a point */
const amount = (v: string) => v.replace(/\s/g, '').replace(',', '.')

// the generated order number is made on the server; this stands in while the schema checks the rest
const ORDER_PLACEHOLDER = 'HAND-ENTRY'

export const handEntrySchema = z
  .object({
    storeId: z.string(),
    timeZone: z.string(),
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
    const candidate = {
      kind: v.kind,
      storeId: v.storeId,
      orderId: orderId || ORDER_PLACEHOLDER,
      occurredAt: localToUtc(v.date, v.time, v.timeZone),
      customerId: v.customerId,
      returnReason: v.kind === 'RETURN' ? v.returnReason : undefined,
      lineItems: v.lineItems.map((i) => ({
        role: v.kind === 'RETURN' ? ('RETURNED' as const) : ('PURCHASED' as const),
        itemId: i.itemId,
        itemName: i.itemName,
        variationId: i.variationId,
        unitPrice: amount(i.unitPrice),
        quantity: i.quantity.trim() === '' ? null : Number(amount(i.quantity)),
      })),
    }
    const checked = saleEventSchema.safeParse(candidate)
    if (!checked.success) {
      for (const issue of checked.error.issues) {
        // the form has one date and one time field for occurredAt
        const path = issue.path[0] === 'occurredAt' ? ['date'] : issue.path
        ctx.addIssue({ code: 'custom', path, message: issue.message })
      }
      return z.NEVER
    }
    return { event: checked.data, orderIdGiven: orderId !== '', timeZone: v.timeZone }
  })

export type HandEntryValues = z.input<typeof handEntrySchema>
