import { canonicalDecimal } from '@/lib/money/decimal'
import {
  MAX_ACTIONS_PER_REQUEST,
  MAX_ITEMS_PER_LIST,
  type OfflineBehavioralAction,
  type OfflineBehavioralActionsBody,
  type OfflineItem,
  type OfflinePurchaseData,
  type OfflineReturnData,
  offlineBehavioralActionSchema,
} from './schema'

// Prisma's Decimal has toString(); plain strings and numbers are accepted too, so callers need not import Prisma.
export type DecimalLike = { toString(): string } | string | number

export type LineItemRoleForPayload = 'PURCHASED' | 'RETURNED' | 'KEPT' | 'CROSS_SOLD'

export type StoredLineItemForPayload = {
  lineNumber: number
  role: LineItemRoleForPayload
  itemId: string | null
  itemName: string | null
  variationId: string | null
  unitPrice: DecimalLike | null
  quantity: number | null
}

// Mirrors `prisma.saleEvent.findMany({ include: { store: true, lineItems: true } })` without importing Prisma.
export type StoredEventForPayload = {
  kind: 'PURCHASE' | 'RETURN'
  orderId: string
  occurredAt: Date | null
  customerId: string | null
  revenue: DecimalLike | null
  returnExpenses: DecimalLike | null
  refund: DecimalLike | null
  returnShippingCost: DecimalLike | null
  returnReason: string | null
  returnType: 'FULL' | 'PARTIAL' | null
  returnPreference: 'REFUND' | 'REPLACEMENT' | null
  returnDropOff: string | null
  store: { code: string; latitude: string | null; longitude: string | null }
  lineItems: readonly StoredLineItemForPayload[]
}

export type PayloadBuildErrorCode =
  | 'no_actions'
  | 'too_many_actions'
  | 'too_many_items'
  | 'missing_time'
  | 'invalid_money'
  | 'money_not_representable'
  | 'role_mismatch'

// One problem with one field of a stored event, named both as sent on the wire and as stored.
export type ContractIssue = {
  /** wire field inside `data`, e.g. `items_returned[2].item_id`; `action` for the action itself */
  field: string
  /** full path inside the action, e.g. ['data', 'items_returned', 2, 'item_id'] */
  path: (string | number)[]
  message: string
  /** the stored column the problem comes from, e.g. `itemId`, `store.latitude` */
  storedField?: string
  /** the line item's lineNumber when the problem is in a line item */
  lineNumber?: number
}

export type ActionValidationResult =
  | { ok: true; action: OfflineBehavioralAction }
  | { ok: false; issues: ContractIssue[] }

export class PayloadBuildError extends Error {
  readonly code: PayloadBuildErrorCode
  readonly field: string | undefined
  readonly storedField: string | undefined
  readonly lineNumber: number | undefined
  /** position of the offending event in the list given to buildRequestBody */
  readonly eventIndex: number | undefined

  constructor(
    code: PayloadBuildErrorCode,
    message: string,
    details: { field?: string; storedField?: string; lineNumber?: number; eventIndex?: number } = {},
  ) {
    super(message)
    this.name = 'PayloadBuildError'
    this.code = code
    this.field = details.field
    this.storedField = details.storedField
    this.lineNumber = details.lineNumber
    this.eventIndex = details.eventIndex
  }
}

export class PayloadValidationError extends Error {
  readonly issues: (ContractIssue & { eventIndex: number })[]

  constructor(issues: (ContractIssue & { eventIndex: number })[]) {
    const indices = [...new Set(issues.map((issue) => issue.eventIndex))]
    super(`${issues.length} contract issue(s) in event(s) at position ${indices.join(', ')}`)
    this.name = 'PayloadValidationError'
    this.issues = issues
  }
}

const DECIMAL_PATTERN = /^([+-]?)(\d+)(?:\.(\d+))?$/
// Up to 15 significant decimal digits always survive the trip through a double unchanged.
const SAFE_SIGNIFICANT_DIGITS = 15

function significantDigits(canonical: string): number {
  return canonical.replace(/[-.]/g, '').replace(/^0+/, '').length
}

// Number#toString switches to exponent form outside 1e-7..1e21; expand it to compare digit by digit.
function plainNumberString(value: number): string {
  const text = String(value)
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(text)
  if (!match) return text
  const [, sign = '', lead = '', rest = '', exp = '0'] = match
  const digits = lead + rest
  const point = 1 + Number(exp)
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`
}

// Converts a stored decimal to the JSON number sent, by parsing its text: no float arithmetic, so no drift.
export function toMoneyNumber(value: DecimalLike, field = 'amount'): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new PayloadBuildError('invalid_money', `${field} is not a finite number`)
    return value === 0 ? 0 : value
  }
  const text = (typeof value === 'string' ? value : value.toString()).trim()
  const match = DECIMAL_PATTERN.exec(text)
  if (!match) throw new PayloadBuildError('invalid_money', `${field} is not a decimal number`)
  const [, sign = '', integer = '0', fraction = ''] = match
  const canonical = canonicalDecimal(sign === '-', integer, fraction)
  const number = Number(text)
  if (
    !Number.isFinite(number) ||
    (significantDigits(canonical) > SAFE_SIGNIFICANT_DIGITS && plainNumberString(number) !== canonical)
  ) {
    throw new PayloadBuildError(
      'money_not_representable',
      `${field} ${canonical} has more digits than a JSON number can carry exactly`,
    )
  }
  return number === 0 ? 0 : number
}

function present(value: string | null | undefined): value is string {
  return value !== null && value !== undefined && value !== ''
}

const ITEM_FIELD_TO_STORED: Record<string, string> = {
  item_id: 'itemId',
  item_name: 'itemName',
  variation_id: 'variationId',
  price: 'unitPrice',
  count: 'quantity',
}

const DATA_FIELD_TO_STORED: Record<string, string> = {
  _dt: 'occurredAt',
  ui: 'customerId',
  order_id: 'orderId',
  store_id: 'store.code',
  lat: 'store.latitude',
  lon: 'store.longitude',
  revenue: 'revenue',
  return_expenses: 'returnExpenses',
  refund: 'refund',
  return_shipping_cost: 'returnShippingCost',
  return_reason: 'returnReason',
  return_type: 'returnType',
  return_preference: 'returnPreference',
  return_drop_off: 'returnDropOff',
  items: 'lineItems',
  items_returned: 'lineItems',
  items_kept: 'lineItems',
  items_cross_sold: 'lineItems',
}

const LIST_FOR_ROLE = {
  PURCHASED: 'items',
  RETURNED: 'items_returned',
  KEPT: 'items_kept',
  CROSS_SOLD: 'items_cross_sold',
} as const satisfies Record<LineItemRoleForPayload, string>

type ListName = (typeof LIST_FOR_ROLE)[LineItemRoleForPayload]

function sortedLines(event: StoredEventForPayload, role: LineItemRoleForPayload): StoredLineItemForPayload[] {
  return event.lineItems.filter((line) => line.role === role).sort((a, b) => a.lineNumber - b.lineNumber)
}

function buildItems(lines: StoredLineItemForPayload[], list: ListName): OfflineItem[] {
  if (lines.length > MAX_ITEMS_PER_LIST) {
    throw new PayloadBuildError(
      'too_many_items',
      `${list} has ${lines.length} items; the contract allows at most ${MAX_ITEMS_PER_LIST}`,
      { field: list, storedField: 'lineItems' },
    )
  }
  return lines.map((line, index) => {
    const item: OfflineItem = {}
    if (present(line.itemId)) item.item_id = line.itemId
    if (present(line.itemName)) item.item_name = line.itemName
    if (present(line.variationId)) item.variation_id = line.variationId
    if (line.unitPrice !== null) {
      try {
        item.price = toMoneyNumber(line.unitPrice, `line ${line.lineNumber} price`)
      } catch (error) {
        if (!(error instanceof PayloadBuildError)) throw error
        throw new PayloadBuildError(error.code, error.message, {
          field: `${list}[${index}].price`,
          storedField: 'unitPrice',
          lineNumber: line.lineNumber,
        })
      }
    }
    if (line.quantity !== null) item.count = line.quantity
    return item
  })
}

function money(value: DecimalLike | null, field: string, storedField: string): number | undefined {
  if (value === null) return undefined
  try {
    return toMoneyNumber(value, field)
  } catch (error) {
    if (!(error instanceof PayloadBuildError)) throw error
    throw new PayloadBuildError(error.code, error.message, { field, storedField })
  }
}

function unixSeconds(occurredAt: Date | null): number {
  const ms = occurredAt?.getTime()
  if (ms === undefined || !Number.isFinite(ms)) {
    throw new PayloadBuildError('missing_time', 'the event has no valid time', {
      field: '_dt',
      storedField: 'occurredAt',
    })
  }
  return Math.floor(ms / 1000)
}

function assertRoles(event: StoredEventForPayload, allowed: readonly LineItemRoleForPayload[]): void {
  const stray = event.lineItems.find((line) => !allowed.includes(line.role))
  if (stray) {
    throw new PayloadBuildError(
      'role_mismatch',
      `a ${event.kind.toLowerCase()} cannot carry a ${stray.role} line item (line ${stray.lineNumber})`,
      { storedField: 'role', lineNumber: stray.lineNumber },
    )
  }
}

// Builds one action exactly as sent; optional fields are omitted, never sent empty or null.
export function buildAction(event: StoredEventForPayload): OfflineBehavioralAction {
  const _dt = unixSeconds(event.occurredAt)
  if (event.kind === 'PURCHASE') {
    assertRoles(event, ['PURCHASED'])
    const data: OfflinePurchaseData = { _dt, items: buildItems(sortedLines(event, 'PURCHASED'), 'items') }
    if (present(event.customerId)) data.ui = event.customerId
    if (present(event.orderId)) data.order_id = event.orderId
    if (present(event.store.code)) data.store_id = event.store.code
    if (present(event.store.latitude)) data.lat = event.store.latitude
    if (present(event.store.longitude)) data.lon = event.store.longitude
    const revenue = money(event.revenue, 'revenue', 'revenue')
    if (revenue !== undefined) data.revenue = revenue
    return { action: 'purchase', data }
  }

  assertRoles(event, ['RETURNED', 'KEPT', 'CROSS_SOLD'])
  const data: OfflineReturnData = {
    _dt,
    items_returned: buildItems(sortedLines(event, 'RETURNED'), 'items_returned'),
  }
  if (present(event.customerId)) data.ui = event.customerId
  if (present(event.orderId)) data.order_id = event.orderId
  const kept = sortedLines(event, 'KEPT')
  if (kept.length > 0) data.items_kept = buildItems(kept, 'items_kept')
  const crossSold = sortedLines(event, 'CROSS_SOLD')
  if (crossSold.length > 0) data.items_cross_sold = buildItems(crossSold, 'items_cross_sold')
  const amounts = [
    ['revenue', event.revenue, 'revenue'],
    ['return_expenses', event.returnExpenses, 'returnExpenses'],
    ['refund', event.refund, 'refund'],
    ['return_shipping_cost', event.returnShippingCost, 'returnShippingCost'],
  ] as const
  for (const [field, value, storedField] of amounts) {
    const amount = money(value, field, storedField)
    if (amount !== undefined) data[field] = amount
  }
  if (present(event.returnReason)) data.return_reason = event.returnReason
  if (event.returnType !== null) data.return_type = event.returnType === 'FULL' ? 'full' : 'partial'
  if (event.returnPreference !== null) {
    data.return_preference = event.returnPreference === 'REFUND' ? 'refund' : 'replacement'
  }
  if (present(event.store.latitude)) data.lat = event.store.latitude
  if (present(event.store.longitude)) data.lon = event.store.longitude
  if (present(event.returnDropOff)) data.return_drop_off = event.returnDropOff
  return { action: 'return', data }
}

function fieldName(path: readonly PropertyKey[]): string {
  const inner = path[0] === 'data' ? path.slice(1) : path
  let text = ''
  for (const segment of inner) {
    if (typeof segment === 'number') text += `[${segment}]`
    else text += text ? `.${String(segment)}` : String(segment)
  }
  return text || (path[0] === 'data' ? 'data' : 'action')
}

function storedFieldFor(path: readonly (string | number)[]): string | undefined {
  if (path[0] !== 'data') return undefined
  const dataField = path[1]
  if (typeof dataField !== 'string') return undefined
  const itemField = path[3]
  if (typeof path[2] === 'number' && typeof itemField === 'string') return ITEM_FIELD_TO_STORED[itemField]
  return DATA_FIELD_TO_STORED[dataField]
}

// Checks one built action against the contract rules and returns one issue per offending field.
export function validateAction(action: unknown): ActionValidationResult {
  const result = offlineBehavioralActionSchema.safeParse(action)
  if (result.success) return { ok: true, action: result.data }
  const issues = result.error.issues.map((issue): ContractIssue => {
    const path = issue.path.map((segment) => (typeof segment === 'number' ? segment : String(segment)))
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : []
    const contractIssue: ContractIssue = {
      field: keys.length > 0 ? fieldName([...path, ...keys.slice(0, 1)]) : fieldName(path),
      path,
      message: issue.message,
    }
    const storedField = storedFieldFor(path)
    if (storedField) contractIssue.storedField = storedField
    return contractIssue
  })
  return { ok: false, issues }
}

function lineNumberFor(event: StoredEventForPayload, path: readonly (string | number)[]): number | undefined {
  const list = path[1]
  const index = path[2]
  if (path[0] !== 'data' || typeof index !== 'number') return undefined
  const role = (Object.keys(LIST_FOR_ROLE) as LineItemRoleForPayload[]).find((r) => LIST_FOR_ROLE[r] === list)
  return role ? sortedLines(event, role)[index]?.lineNumber : undefined
}

// Everything that would stop this stored event from being sent, as per-field issues (empty when sendable).
export function checkEventAgainstContract(event: StoredEventForPayload): ContractIssue[] {
  let action: OfflineBehavioralAction
  try {
    action = buildAction(event)
  } catch (error) {
    if (!(error instanceof PayloadBuildError)) throw error
    const issue: ContractIssue = {
      field: error.field ?? 'data',
      path: error.field ? ['data', error.field] : ['data'],
      message: error.message,
    }
    if (error.storedField) issue.storedField = error.storedField
    if (error.lineNumber !== undefined) issue.lineNumber = error.lineNumber
    return [issue]
  }
  const result = validateAction(action)
  if (result.ok) return []
  return result.issues.map((issue) => {
    const lineNumber = lineNumberFor(event, issue.path)
    return lineNumber === undefined ? issue : { ...issue, lineNumber }
  })
}

const ITEM_LISTS = ['items', 'items_returned', 'items_kept', 'items_cross_sold'] as const

// The size rules, checked on any body before it leaves (the builder and the client's submit both call it).
export function assertWithinLimits(body: { behavioral_actions: readonly OfflineBehavioralAction[] }): void {
  const count = body.behavioral_actions.length
  if (count === 0) throw new PayloadBuildError('no_actions', 'a request needs at least one action')
  if (count > MAX_ACTIONS_PER_REQUEST) {
    throw new PayloadBuildError(
      'too_many_actions',
      `${count} actions in one request; the contract allows at most ${MAX_ACTIONS_PER_REQUEST}`,
    )
  }
  body.behavioral_actions.forEach((action, eventIndex) => {
    for (const list of ITEM_LISTS) {
      const items = (action.data as Partial<Record<(typeof ITEM_LISTS)[number], readonly unknown[]>>)[list]
      if (items && items.length > MAX_ITEMS_PER_LIST) {
        throw new PayloadBuildError(
          'too_many_items',
          `event at position ${eventIndex}: ${list} has ${items.length} items; the contract allows at most ${MAX_ITEMS_PER_LIST}`,
          { field: list, storedField: 'lineItems', eventIndex },
        )
      }
    }
  })
}

export type BuildRequestBodyOptions = {
  /** validate every action with the contract schema before returning (default true) */
  validate?: boolean
}

// The whole request body, action i built from events[i], so a 400's index points back at the event.
export function buildRequestBody(
  events: readonly StoredEventForPayload[],
  options: BuildRequestBodyOptions = {},
): OfflineBehavioralActionsBody {
  if (events.length === 0) throw new PayloadBuildError('no_actions', 'a request needs at least one action')
  if (events.length > MAX_ACTIONS_PER_REQUEST) {
    throw new PayloadBuildError(
      'too_many_actions',
      `${events.length} actions in one request; the contract allows at most ${MAX_ACTIONS_PER_REQUEST}`,
    )
  }
  const actions = events.map((event, eventIndex) => {
    try {
      return buildAction(event)
    } catch (error) {
      if (!(error instanceof PayloadBuildError)) throw error
      throw new PayloadBuildError(error.code, `event at position ${eventIndex}: ${error.message}`, {
        ...(error.field !== undefined && { field: error.field }),
        ...(error.storedField !== undefined && { storedField: error.storedField }),
        ...(error.lineNumber !== undefined && { lineNumber: error.lineNumber }),
        eventIndex,
      })
    }
  })
  if (options.validate !== false) {
    const issues = actions.flatMap((action, eventIndex) => {
      const result = validateAction(action)
      return result.ok ? [] : result.issues.map((issue) => ({ ...issue, eventIndex }))
    })
    if (issues.length > 0) throw new PayloadValidationError(issues)
  }
  return { behavioral_actions: actions }
}
