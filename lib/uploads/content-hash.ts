// A stable fingerprint of what an event says, so storage can tell an unchanged re-upload from a correction.
import { hash } from 'node:crypto'

export interface HashableSaleEvent {
  kind: string
  storeId: string
  orderId: string
  occurredAt: Date | null
  customerId: string | null
  revenue: string | null
  refund: string | null
  returnExpenses: string | null
  returnShippingCost: string | null
  returnReason: string | null
  returnType: string | null
  returnPreference: string | null
  returnDropOff: string | null
  lineItems: readonly {
    role: string
    itemId: string | null
    itemName: string | null
    variationId: string | null
    unitPrice: string | null
    quantity: number | null
  }[]
}

// Length-prefixed, so no two different contents serialize alike ("~" is null).
function field(v: string | null): string {
  return v === null ? '~' : `${v.length}:${v}`
}

/**
 * sha256 (hex, 64 chars) of the event's content in a fixed order. Amounts must be canonical decimal
 * strings ("12.5", not "12.50"), so an event read back from the database hashes the same.
 */
export function saleEventContentHash(e: HashableSaleEvent): string {
  const at =
    e.occurredAt === null || Number.isNaN(e.occurredAt.getTime()) ? '~' : String(e.occurredAt.getTime())
  let s = `v1|${e.kind}|${field(e.storeId)}${field(e.orderId)}${at}|${field(e.customerId)}${field(e.revenue)}`
  s += `${field(e.refund)}${field(e.returnExpenses)}${field(e.returnShippingCost)}${field(e.returnReason)}`
  s += `${field(e.returnType)}${field(e.returnPreference)}${field(e.returnDropOff)}`
  for (const i of e.lineItems) {
    s += `|${i.role}|${field(i.itemId)}${field(i.itemName)}${field(i.variationId)}${field(i.unitPrice)}`
    s += i.quantity === null ? '~' : String(i.quantity)
  }
  return hash('sha256', s, 'hex')
}
