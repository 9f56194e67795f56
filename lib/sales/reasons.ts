// Why an event needs attention, as groups a manager can fix at once: one code per kind of problem
// (from a validation issue's field and message), or the API's own message for a failed event.
// Imports nothing, so the inbox (browser) and the queries (server) share the same names.

export type GroupFix = 'setTime' | 'setPrice' | 'setQuantity' | 'setItemId' | 'mapItem'

type ReasonInfo = { label: string; help: string; fix?: GroupFix }

export const REASONS: Record<string, ReasonInfo> = {
  'time-missing': {
    label: 'Sale time missing',
    help: 'The file had no readable date or time for these sales. Set the time they happened, in each store’s local time.',
    fix: 'setTime',
  },
  'time-future': {
    label: 'Sale time in the future',
    help: 'Usually a day and month read the wrong way round, or the wrong time zone. Correct each sale, or exclude it.',
  },
  'time-too-old': {
    label: 'Sale time too long ago',
    help: 'Constructor only takes recent sales. Check the year; exclude sales that really are that old.',
  },
  'time-invalid': { label: 'Sale time unreadable', help: 'Correct the date and time of each sale.' },
  'order-missing': { label: 'Order number missing', help: 'Enter the receipt or order number of each sale.' },
  'order-invalid': { label: 'Order number too long', help: 'Shorten the order number of each sale.' },
  'store-missing': { label: 'Store missing', help: 'Choose the store each sale happened in.' },
  'customer-invalid': { label: 'Customer id too long', help: 'Shorten or remove the customer id.' },
  'amount-invalid': {
    label: 'Amount unreadable',
    help: 'A revenue, refund or cost is not an amount. Write it like 12.50.',
  },
  'items-missing': {
    label: 'Items missing',
    help: 'A sale needs at least one item (a return at least one returned item). Add them, or exclude the sale. A refund that names only an amount (Shopify) takes its items from its purchase: open it and pick what came back.',
  },
  'price-missing': {
    label: 'Price missing',
    help: 'Some items have no unit price. Set the price of each item once; every sale listing it is fixed.',
    fix: 'setPrice',
  },
  'price-invalid': {
    label: 'Price unreadable or negative',
    help: 'Correct the unit price of each item.',
  },
  'quantity-missing': {
    label: 'Quantity missing',
    help: 'Some items have no quantity. Set the quantity to use for all of them (usually 1).',
    fix: 'setQuantity',
  },
  'quantity-invalid': {
    label: 'Quantity not a whole number or out of range',
    help: 'Correct the quantity of each item.',
  },
  'item-missing': {
    label: 'Item id and name missing',
    help: 'Some items have neither an item id (SKU) nor a name, usually because the item column was not mapped. Give them the item id to send.',
    fix: 'setItemId',
  },
  'item-invalid': { label: 'Item id or name too long', help: 'Shorten the item id, name or variation.' },
  'total-too-large': {
    label: 'Total too large',
    help: 'The prices times the quantities add up to more than a sale can hold. Usually a price or a quantity in the wrong column: correct it.',
  },
  'return-reason-invalid': {
    label: 'Return reason too long',
    help: 'Shorten the return reason to a short note (at most 1,000 characters).',
  },
  'text-unstorable': {
    label: 'Characters that can’t be stored',
    help: 'A value holds an invisible NUL character or half of an emoji, usually from a copy and paste. Retype the value.',
  },
  'item-role': {
    label: 'Item does not fit the sale',
    help: 'A purchase lists purchased items; a return lists returned, kept or cross-sold items.',
  },
}

const API_PREFIX = 'api:'
const UNSENT_PREFIX = 'unsent:'
const CATALOG_PREFIX = 'catalog:'

/** the reason code of sales held by the catalog pre-flight for one item id (sale_issue_reason makes it in SQL) */
export function catalogReason(itemId: string) {
  return `${CATALOG_PREFIX}${itemId}`
}

/** the till's item id of a catalog reason, or null for any other reason */
export function catalogReasonItemId(code: string): string | null {
  return code.startsWith(CATALOG_PREFIX) ? code.slice(CATALOG_PREFIX.length) : null
}

/** the reason code of a sale Constructor refused (a 400), from the API's message */
export function apiReason(message: string) {
  return `${API_PREFIX}${message}`
}

export function isApiReason(code: string) {
  return code.startsWith(API_PREFIX)
}

/** the reason code of a sale we gave up sending (Constructor did not refuse it), from our message */
export function unsentReason(message: string) {
  return `${UNSENT_PREFIX}${message}`
}

export function isUnsentReason(code: string) {
  return code.startsWith(UNSENT_PREFIX)
}

/** a failed sale's group: refused by Constructor or not sent; null for a validation reason */
export function failedReasonMessage(code: string): string | null {
  if (isApiReason(code)) return code.slice(API_PREFIX.length)
  if (isUnsentReason(code)) return code.slice(UNSENT_PREFIX.length)
  return null
}

export function reasonLabel(code: string): string {
  if (isApiReason(code))
    return `Refused by Constructor: ${code.slice(API_PREFIX.length) || 'no reason given'}`
  if (isUnsentReason(code)) return `Not sent: ${code.slice(UNSENT_PREFIX.length) || 'no reason recorded'}`
  const itemId = catalogReasonItemId(code)
  if (itemId !== null) return `Item ${itemId} is not in your Constructor catalog`
  if (code.startsWith('other:')) return `Problem with ${code.slice('other:'.length)}`
  return REASONS[code]?.label ?? 'Other problem'
}

export function reasonInfo(code: string): ReasonInfo {
  if (isApiReason(code))
    return {
      label: reasonLabel(code),
      help: 'Constructor refused these sales with this message. Correct them (or check the message is no longer true) and resubmit.',
    }
  if (isUnsentReason(code))
    return {
      label: reasonLabel(code),
      help: 'Constructor did not refuse these sales: sending them kept failing on the way (the service was unavailable, or our sending process stopped), so we stopped trying. Resubmit them as they are.',
    }
  if (catalogReasonItemId(code) !== null)
    return {
      label: reasonLabel(code),
      help: 'Constructor’s catalog has no item with this id, so these sales would teach its ranking nothing. Give the catalog’s id for it: the store remembers it for later uploads and hand entry.',
      fix: 'mapItem',
    }
  return REASONS[code] ?? { label: reasonLabel(code), help: 'Open each sale and correct it.' }
}
