// What ingestion produces: sale events ready for storage and rows it could not attribute.
import type { EventKind, LineItemRole, ReturnPreference, ReturnType, SaleIssue } from '@/lib/sales/schema'

export interface ParsedLineItem {
  /** 1-based position in the event (LineItem.lineNumber) */
  lineNumber: number
  role: LineItemRole
  itemId: string | null
  itemName: string | null
  variationId: string | null
  /** canonical decimal string ("12.5"); null when missing or unreadable */
  unitPrice: string | null
  /** positive for valid items; null when missing or unreadable */
  quantity: number | null
}

/** One sale event as SaleEvent + LineItem rows will store it. */
export interface ParsedSaleEvent {
  kind: EventKind
  storeId: string
  storeCode: string
  orderId: string
  /** true when the file had no order number and one was derived from the row (prefix GEN-) */
  orderIdGenerated: boolean
  /** null only when the date is missing or unreadable (then status is INVALID) */
  occurredAt: Date | null
  customerId: string | null
  revenue: string | null
  refund: string | null
  returnExpenses: string | null
  returnShippingCost: string | null
  returnReason: string | null
  returnType: ReturnType | null
  returnPreference: ReturnPreference | null
  returnDropOff: string | null
  lineItems: ParsedLineItem[]
  /** INVALID when issues is not empty */
  status: 'READY' | 'INVALID'
  issues: SaleIssue[]
  /** file rows the event was built from, in file order */
  sourceRows: number[]
  itemCount: number
  /** Σ unitPrice × quantity of items that have both, canonical decimal */
  itemsTotal: string
  /** sha256 of the content (see saleEventContentHash), to recognise an unchanged re-upload */
  contentHash: string
}

export interface RowIssueReason {
  field: string
  message: string
}

/** A row that could not become part of an event: kept with its cells and why. */
export interface RowIssue {
  rowNumber: number
  raw: string[]
  reasons: RowIssueReason[]
}

export interface StoreInfo {
  id: string
  /** IANA zone, e.g. Europe/Berlin */
  timeZone: string
  /** other names the store's tills write for it (location names, register codes) */
  aliases?: readonly string[]
}
