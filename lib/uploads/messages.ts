// Messages about file cells, each naming the column to fix. Rule messages live in lib/sales/schema.ts.
import { shownValue } from '@/lib/sales/limits'
import type { DayMonthOrder } from '@/lib/time/parse-date'

const ORDER_WORDS: Record<DayMonthOrder, string> = {
  DMY: 'day first (DD/MM/YYYY)',
  MDY: 'month first (MM/DD/YYYY)',
}

export const UPLOAD_MESSAGES = {
  unknownStore: (code: string, column: string, known: readonly string[]) => {
    const examples =
      known.length === 0 ? '' : ` (${known.slice(0, 5).join(', ')}${known.length > 5 ? ', …' : ''})`
    return `Store '${shownValue(code)}' is not one of your stores — use a store code from Settings → Stores${examples} in column '${column}', or ask an admin to add the store`
  },
  otherStore: (name: string, column: string) =>
    `Store '${name}' in column '${column}' belongs to a store you can't upload sales for — ask an admin for access to it, or upload these rows from an account that has it`,
  noStore: (column?: string) =>
    column === undefined
      ? 'No store for this row — choose the store for this upload'
      : `No store for this row — fill in column '${column}', or choose the store for this upload`,
  voidedLine: (column: string) =>
    `Column '${column}' marks this item as voided (taken off the order before it was paid), so it wasn't sold — this row is left out, nothing to fix`,
  voidedValue: (value: string, column: string) =>
    `'${value}' in column '${column}' doesn't say whether the item was voided — write true or false`,
  unknownKind: (value: string, column: string) =>
    `'${shownValue(value)}' in column '${column}' is neither a purchase nor a return — write purchase or return`,
  unknownItemRole: (value: string, column: string) =>
    `Item role '${shownValue(value)}' in column '${column}' is not one we know — write returned, kept or cross_sold (or leave it empty)`,
  unknownReturnType: (value: string, column: string) =>
    `Return type '${shownValue(value)}' in column '${column}' is not one we know — write full or partial (or leave it empty)`,
  unknownReturnPreference: (value: string, column: string) =>
    `Return preference '${shownValue(value)}' in column '${column}' is not one we know — write refund or replacement (or leave it empty)`,
  extraCells: (count: number, expected: number, delimiter: string) =>
    `This row has ${count} cells but the header has ${expected} — a value probably contains ${delimiter === '\t' ? 'a tab' : `a '${delimiter}'`} without quotes around it; put quotes around that value`,
  quantityFormat: (value: string, column: string) =>
    `Quantity '${shownValue(value)}' is not a number — write whole units like 2 in column '${column}'`,
  dateUnreadable: (value: string, column: string) =>
    `Date '${shownValue(value)}' can't be read — write it like 2026-03-08 14:05 in column '${column}'`,
  dateImpossible: (value: string, column: string) =>
    `Date '${shownValue(value)}' is not a real date — correct it in column '${column}'`,
  dateWrongOrder: (value: string, order: DayMonthOrder, column: string) =>
    `Date '${shownValue(value)}' doesn't fit this file, whose dates are ${ORDER_WORDS[order]} — correct it in column '${column}'`,
  timeUnreadable: (value: string, column: string) =>
    `Time '${shownValue(value)}' can't be read — write it like 14:05 or 2:05 PM in column '${column}'`,
  timeZoneUnknown: (value: string, column: string) =>
    `Time zone '${shownValue(value)}' is not recognised — use a name like Europe/Berlin in column '${column}', or leave it empty to use the store's time zone`,
  orderTimesDiffer: (orderId: string, firstRow: number, otherRow: number) =>
    `Rows ${firstRow} and ${otherRow} both belong to order ${orderId} but are more than 12 hours apart — give each sale its own order number, or correct the date`,
  shopifyVoided: (orderId: string) =>
    `Shopify marks order ${orderId} as voided (the payment was cancelled), so it isn't a sale — exclude it`,
  shopifyPartialRefund: (amount: string | null, orderId: string) =>
    `Shopify's export says ${amount === null ? 'part' : amount} of order ${orderId} was refunded but not which items — add the returned items to this return`,
}
