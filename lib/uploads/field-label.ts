// How a problem's field reads on screen: "Price (item 2)" for lineItems.1.unitPrice. Safe in the browser.
import { FIELD_LABELS, type SalesField } from './fields'

const EVENT_FIELDS: Record<string, string> = {
  storeId: 'Store',
  orderId: 'Order number',
  occurredAt: 'Sale date',
  customerId: 'Customer id',
  revenue: 'Revenue',
  refund: 'Refund',
  returnExpenses: 'Return expenses',
  returnShippingCost: 'Return shipping cost',
  returnReason: 'Return reason',
  returnDropOff: 'Return drop-off',
  returnType: 'Return type',
  returnPreference: 'Return preference',
  lineItems: 'Items',
  itemId: 'Item id',
  itemName: 'Item name',
  variationId: 'Variation',
  unitPrice: 'Price',
  quantity: 'Quantity',
  role: 'Item kind',
}

export function fieldLabel(field: string): string {
  const item = /^lineItems\.(\d+)\.(\w+)$/.exec(field)
  if (item) return `${EVENT_FIELDS[item[2] ?? ''] ?? item[2]} (item ${Number(item[1]) + 1})`
  return EVENT_FIELDS[field] ?? FIELD_LABELS[field as SalesField] ?? field
}
