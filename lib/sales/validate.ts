// The rules of schema.ts as plain checks, for bulk ingestion: much cheaper than zod per row (docs/performance.md), and no
// work for valid events.

import { hasUnstorableCharacter, itemsTotalOverflow } from './limits'
import {
  amountMessage,
  amountProblem,
  type ColumnHints,
  type EventKind,
  formatSaleTime,
  type LineItemRole,
  type ReturnPreference,
  type ReturnType,
  SALE_LIMITS,
  SALE_MESSAGES,
  type SaleIssue,
  TEXT_LABELS,
} from './schema'

export interface SaleLineItemCheckInput {
  role: LineItemRole
  itemId?: string | null
  itemName?: string | null
  variationId?: string | null
  unitPrice?: string | null
  quantity?: number | null
}

/** What both validators accept: the shape of SaleEventInput, with absent optional fields allowed. */
export interface SaleEventCheckInput {
  kind: EventKind
  storeId?: string | null
  orderId?: string | null
  occurredAt?: Date | null
  customerId?: string | null
  revenue?: string | null
  refund?: string | null
  returnExpenses?: string | null
  returnShippingCost?: string | null
  returnReason?: string | null
  returnType?: ReturnType | null
  returnPreference?: ReturnPreference | null
  returnDropOff?: string | null
  lineItems: readonly SaleLineItemCheckInput[]
}

export interface ValidateSaleEventOptions {
  /** ms since epoch; defaults to Date.now() */
  now?: number
  maxAgeDays?: number
  clockSkewMs?: number
  /** file column names, so messages say where to fix */
  columns?: ColumnHints
  /** store's zone, so times in messages read as local time */
  timeZone?: string
  /** file row of each line item, copied onto that item's issues */
  itemRows?: readonly number[]
  /** file row for event-level issues */
  eventRow?: number
}

const AMOUNT_FIELDS = ['revenue', 'refund', 'returnExpenses', 'returnShippingCost'] as const

function text(value: string | null | undefined): string | null {
  if (value == null || value === '') return null
  // printable ASCII at both ends: nothing to trim (the common case, checked without allocating)
  const first = value.charCodeAt(0)
  const last = value.charCodeAt(value.length - 1)
  if (first > 32 && first < 127 && last > 32 && last < 127) return value
  const t = value.trim()
  return t === '' ? null : t
}

// Issues are rare: one small object per problem, and no closures built for events without any.
class IssueList {
  readonly items: SaleIssue[] = []
  constructor(private readonly eventRow: number | undefined) {}

  add(field: string, message: string, row?: number): void {
    const r = row ?? this.eventRow
    this.items.push(r === undefined ? { field, message } : { field, message, row: r })
  }
}

/** a text field's limits: characters a column can store, and the contract's length */
function checkText(
  issues: IssueList,
  field: string,
  label: string,
  value: string,
  column?: string,
  row?: number,
): void {
  if (hasUnstorableCharacter(value)) issues.add(field, SALE_MESSAGES.textUnstorable(label, column), row)
  if (value.length > SALE_LIMITS.maxTextLength)
    issues.add(field, SALE_MESSAGES.textTooLong(label, value.length, column), row)
}

/** Every rule the event breaks, as { field, message, row? }; empty when valid. */
export function validateSaleEvent(
  event: SaleEventCheckInput,
  options: ValidateSaleEventOptions = {},
): SaleIssue[] {
  const issues = new IssueList(options.eventRow)
  const columns = options.columns ?? {}

  if (text(event.storeId) === null) issues.add('storeId', SALE_MESSAGES.storeMissing())
  const orderId = text(event.orderId)
  if (orderId === null) issues.add('orderId', SALE_MESSAGES.orderIdMissing(columns.orderId))
  else checkText(issues, 'orderId', TEXT_LABELS.orderId, orderId, columns.orderId)

  const at = event.occurredAt
  if (at == null || Number.isNaN(at.getTime())) {
    issues.add('occurredAt', SALE_MESSAGES.occurredAtMissing(columns.occurredAt))
  } else {
    const now = options.now ?? Date.now()
    const t = at.getTime()
    const maxAgeDays = options.maxAgeDays ?? SALE_LIMITS.defaultMaxAgeDays
    if (t > now + (options.clockSkewMs ?? SALE_LIMITS.defaultClockSkewMs))
      issues.add('occurredAt', SALE_MESSAGES.occurredAtFuture(formatSaleTime(at, options.timeZone)))
    else if (t < now - maxAgeDays * 86_400_000)
      issues.add(
        'occurredAt',
        SALE_MESSAGES.occurredAtTooOld(formatSaleTime(at, options.timeZone), maxAgeDays),
      )
  }

  const customerId = text(event.customerId)
  if (customerId !== null)
    checkText(issues, 'customerId', TEXT_LABELS.customerId, customerId, columns.customerId)

  for (const field of AMOUNT_FIELDS) {
    const v = text(event[field])
    if (v === null) continue
    const problem = amountProblem(v)
    if (problem !== null)
      issues.add(field, amountMessage(field, problem, v, field === 'revenue' ? columns.revenue : undefined))
  }
  const dropOff = text(event.returnDropOff)
  if (dropOff !== null) checkText(issues, 'returnDropOff', TEXT_LABELS.returnDropOff, dropOff)
  const reason = text(event.returnReason)
  if (reason !== null) {
    if (hasUnstorableCharacter(reason))
      issues.add('returnReason', SALE_MESSAGES.textUnstorable(TEXT_LABELS.returnReason, columns.returnReason))
    if (reason.length > SALE_LIMITS.maxReturnReasonLength)
      issues.add('returnReason', SALE_MESSAGES.returnReasonTooLong(reason.length, columns.returnReason))
  }

  const items = event.lineItems
  const rows = options.itemRows
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!
    const row = rows?.[i]
    const itemId = text(item.itemId)
    const itemName = text(item.itemName)
    const variationId = text(item.variationId)
    if (itemId !== null)
      checkText(issues, `lineItems.${i}.itemId`, TEXT_LABELS.itemId, itemId, columns.itemId, row)
    if (itemName !== null)
      checkText(issues, `lineItems.${i}.itemName`, TEXT_LABELS.itemName, itemName, columns.itemName, row)
    if (variationId !== null)
      checkText(
        issues,
        `lineItems.${i}.variationId`,
        TEXT_LABELS.variationId,
        variationId,
        columns.variationId,
        row,
      )
    const price = text(item.unitPrice)
    if (price === null)
      issues.add(`lineItems.${i}.unitPrice`, SALE_MESSAGES.priceMissing(columns.unitPrice), row)
    else {
      const problem = amountProblem(price)
      if (problem !== null)
        issues.add(
          `lineItems.${i}.unitPrice`,
          amountMessage('unitPrice', problem, price, columns.unitPrice),
          row,
        )
    }
    const q = item.quantity
    if (q == null || !Number.isFinite(q))
      issues.add(`lineItems.${i}.quantity`, SALE_MESSAGES.quantityMissing(columns.quantity), row)
    else if (!Number.isInteger(q))
      issues.add(`lineItems.${i}.quantity`, SALE_MESSAGES.quantityNotWhole(String(q)), row)
    else if (q < SALE_LIMITS.minQuantity || q > SALE_LIMITS.maxQuantity)
      issues.add(`lineItems.${i}.quantity`, SALE_MESSAGES.quantityOutOfRange(String(q)), row)
    if (itemId === null && itemName === null)
      issues.add(
        `lineItems.${i}.itemId`,
        SALE_MESSAGES.itemIdentityMissing(columns.itemId, columns.itemName),
        row,
      )
  }

  const overflow = itemsTotalOverflow(items)
  if (overflow !== null) issues.add('lineItems', SALE_MESSAGES.itemsTotalTooLarge(overflow))

  if (event.kind === 'PURCHASE') {
    if (items.length === 0) issues.add('lineItems', SALE_MESSAGES.itemsMissing())
    else if (items.length > SALE_LIMITS.maxItemsPerList)
      issues.add('lineItems', SALE_MESSAGES.tooManyItems(items.length))
    for (let i = 0; i < items.length; i++)
      if (items[i]!.role !== 'PURCHASED')
        issues.add(`lineItems.${i}.role`, SALE_MESSAGES.purchaseRole(), rows?.[i])
  } else {
    let returned = 0
    let kept = 0
    let crossSold = 0
    for (let i = 0; i < items.length; i++) {
      const role = items[i]!.role
      if (role === 'RETURNED') returned++
      else if (role === 'KEPT') kept++
      else if (role === 'CROSS_SOLD') crossSold++
      else issues.add(`lineItems.${i}.role`, SALE_MESSAGES.returnRole(), rows?.[i])
    }
    const largest = Math.max(returned, kept, crossSold)
    if (returned === 0) issues.add('lineItems', SALE_MESSAGES.returnedItemsMissing())
    else if (largest > SALE_LIMITS.maxItemsPerList)
      issues.add('lineItems', SALE_MESSAGES.tooManyItems(largest))
  }
  return issues.items
}
