// Known export layouts (Shopify orders, Square item sales, Toast item selections, Loyverse receipts, our template)
// and the column mapping proposal.

import { readDateTime } from '@/lib/time/parse-date'
import {
  countKnownFields,
  FIELD_LABELS,
  fieldForHeader,
  isShopifyLayout,
  normalizeHeader,
  REQUIRED_FIELD_GROUPS,
  SALES_FIELDS,
  type SalesField,
} from './fields'
import { parseKindValue } from './kind'

/** Matches Upload.source: the layout a mapping came from. */
export type PresetId = 'shopify' | 'square' | 'toast' | 'loyverse' | 'template' | 'custom'

export interface SalesPreset {
  id: Exclude<PresetId, 'custom'>
  label: string
  /** the export's header row, in order, as the system writes it */
  headers: readonly string[]
  /** headers that must all be present for the file to be recognised as this export */
  signature: readonly string[]
  columns: Partial<Record<SalesField, string>>
  /** fields no column of this export may fill through a header alias (a column whose name fits but whose values don't) */
  unmapped?: readonly SalesField[]
}

/**
 * Shopify admin → Orders → Export (CSV for Excel or plain CSV): one row per line item. "Lineitem price" is
 * the price before the line's discount, so "Lineitem discount" (the line's whole discount) is read too:
 * Constructor gets what the customer paid. Email is not mapped: it would go out as the customer id.
 */
export const SHOPIFY_ORDERS_PRESET: SalesPreset = {
  id: 'shopify',
  label: 'Shopify orders export',
  headers: [
    'Name',
    'Email',
    'Financial Status',
    'Paid at',
    'Fulfillment Status',
    'Fulfilled at',
    'Accepts Marketing',
    'Currency',
    'Subtotal',
    'Shipping',
    'Taxes',
    'Total',
    'Discount Code',
    'Discount Amount',
    'Shipping Method',
    'Created at',
    'Lineitem quantity',
    'Lineitem name',
    'Lineitem price',
    'Lineitem compare at price',
    'Lineitem sku',
    'Lineitem requires shipping',
    'Lineitem taxable',
    'Lineitem fulfillment status',
    'Billing Name',
    'Billing Street',
    'Billing Address1',
    'Billing Address2',
    'Billing Company',
    'Billing City',
    'Billing Zip',
    'Billing Province',
    'Billing Country',
    'Billing Phone',
    'Shipping Name',
    'Shipping Street',
    'Shipping Address1',
    'Shipping Address2',
    'Shipping Company',
    'Shipping City',
    'Shipping Zip',
    'Shipping Province',
    'Shipping Country',
    'Shipping Phone',
    'Notes',
    'Note Attributes',
    'Cancelled at',
    'Payment Method',
    'Payment Reference',
    'Refunded Amount',
    'Vendor',
    'Outstanding Balance',
    'Employee',
    'Location',
    'Device ID',
    'Id',
    'Tags',
    'Risk Level',
    'Source',
    'Lineitem discount',
    'Tax 1 Name',
    'Tax 1 Value',
    'Tax 2 Name',
    'Tax 2 Value',
    'Tax 3 Name',
    'Tax 3 Value',
    'Tax 4 Name',
    'Tax 4 Value',
    'Tax 5 Name',
    'Tax 5 Value',
    'Phone',
    'Receipt Number',
    'Duties',
    'Billing Province Name',
    'Shipping Province Name',
    'Payment ID',
    'Payment Terms Name',
    'Next Payment Due At',
    'Payment References',
  ],
  signature: [
    'Name',
    'Financial Status',
    'Created at',
    'Lineitem quantity',
    'Lineitem name',
    'Lineitem price',
  ],
  columns: {
    orderId: 'Name',
    occurredAt: 'Created at',
    storeCode: 'Location',
    financialStatus: 'Financial Status',
    refundedAmount: 'Refunded Amount',
    cancelledAt: 'Cancelled at',
    itemId: 'Lineitem sku',
    itemName: 'Lineitem name',
    unitPrice: 'Lineitem price',
    lineDiscount: 'Lineitem discount',
    quantity: 'Lineitem quantity',
    revenue: 'Total',
    currency: 'Currency',
  },
}

/**
 * Square Dashboard → Reports → Item sales → Export → Item detail CSV: one row per itemization. The unit
 * price is Net Sales ÷ Qty (Net Sales is Gross Sales less the line's discounts). "Price Point Name"
 * ("Large", "Regular") is the variation's name, not its id, so it stays unmapped (docs/till-exports.md).
 */
export const SQUARE_ITEM_SALES_PRESET: SalesPreset = {
  id: 'square',
  label: 'Square item sales export',
  headers: [
    'Date',
    'Time',
    'Time Zone',
    'Category',
    'Item',
    'Qty',
    'Price Point Name',
    'SKU',
    'Modifiers Applied',
    'Gross Sales',
    'Discounts',
    'Net Sales',
    'Tax',
    'Transaction ID',
    'Payment ID',
    'Device Name',
    'Notes',
    'Details',
    'Event Type',
    'Location',
    'Dining Option',
    'Customer ID',
    'Customer Name',
    'Customer Reference ID',
    'Unit',
    'Count',
    'Itemization Type',
    'Fulfillment Note',
    'Channel',
    'Token',
    'Card Brand',
    'PAN Suffix',
  ],
  signature: ['Date', 'Time', 'Item', 'Qty', 'Gross Sales', 'Transaction ID', 'Event Type'],
  columns: {
    occurredAt: 'Date',
    time: 'Time',
    timeZone: 'Time Zone',
    itemName: 'Item',
    quantity: 'Qty',
    itemId: 'SKU',
    lineTotal: 'Net Sales',
    orderId: 'Transaction ID',
    kind: 'Event Type',
    storeCode: 'Location',
    customerId: 'Customer ID',
  },
}

/**
 * Toast data export ItemSelectionDetails.csv: one row per item selection, columns as published in Toast's data
 * export field reference (docs/till-exports.md). "Gross Price", "Discnt" and "Net Price" are the selection's
 * amounts for its whole quantity, so the unit price is Net Price ÷ Qty. "Order #" restarts every business day;
 * "Order Id" identifies the order. A selection taken off the check before payment stays in the file with
 * "Void?" true: it is left out with its reason. The export has no refunds (Toast keeps them with the payments).
 */
export const TOAST_ITEM_SELECTIONS_PRESET: SalesPreset = {
  id: 'toast',
  label: 'Toast item selection export',
  headers: [
    'Location',
    'Order Id',
    'Order #',
    'Sent Date',
    'Order Date',
    'Check Id',
    'Server',
    'Table',
    'Dining Area',
    'Service',
    'Dining Option',
    'Item Selection Id',
    'Item Id',
    'Master Id',
    'SKU',
    'Menu Item',
    'Menu Subgroup(s)',
    'Menu Group',
    'Menu',
    'Sales Category',
    'Gross Price',
    'Discnt',
    'Net Price',
    'Qty',
    'Tax',
    'Void?',
    'Deferred',
    'Tax Exempt',
    'Tax Inclusion Option',
    'Dining Option Tax',
    'Tab Name',
  ],
  signature: ['Order Id', 'Order Date', 'Item Selection Id', 'Menu Item', 'Net Price', 'Qty'],
  columns: {
    orderId: 'Order Id',
    occurredAt: 'Order Date',
    storeCode: 'Location',
    itemId: 'SKU',
    itemName: 'Menu Item',
    lineTotal: 'Net Price',
    quantity: 'Qty',
    voided: 'Void?',
  },
}

/**
 * Loyverse Back Office receipts export by item: one row per receipt line; a refund is a receipt of its own whose
 * "Receipt type" is Refund. The unit price is Net sales ÷ Quantity (Net sales is Gross sales less Discounts).
 * "Variant" holds the variant's name ("Large"), not an id, and the customer columns hold a name and contact
 * details, so neither is sent (docs/till-exports.md).
 */
export const LOYVERSE_RECEIPTS_PRESET: SalesPreset = {
  id: 'loyverse',
  label: 'Loyverse receipts export',
  headers: [
    'Date',
    'Receipt number',
    'Receipt type',
    'Category',
    'SKU',
    'Item',
    'Variant',
    'Modifiers applied',
    'Quantity',
    'Gross sales',
    'Discounts',
    'Net sales',
    'Cost of goods',
    'Gross profit',
    'Taxes',
    'POS',
    'Store',
    'Cashier name',
    'Customer name',
    'Customer contacts',
    'Comment',
    'Status',
  ],
  // some exports name the item column "Item name" (the header alias finds it); without a Store column the
  // store chosen for the upload fills the rows: neither is needed to recognise the export
  signature: ['Date', 'Receipt number', 'Receipt type', 'Quantity', 'Net sales'],
  columns: {
    orderId: 'Receipt number',
    occurredAt: 'Date',
    kind: 'Receipt type',
    storeCode: 'Store',
    itemId: 'SKU',
    itemName: 'Item',
    lineTotal: 'Net sales',
    quantity: 'Quantity',
  },
  unmapped: ['variationId', 'customerId'],
}

export const SALES_TEMPLATE_HEADERS = [
  'order_id',
  'occurred_at',
  'store_code',
  'customer_id',
  'kind',
  'item_id',
  'item_name',
  'variation_id',
  'unit_price',
  'quantity',
  'return_reason',
  'refund',
  'return_expenses',
  'return_shipping_cost',
  'return_type',
  'return_preference',
  'return_drop_off',
  'item_role',
] as const

/** the template's first columns, which every template file and export has had; the rest came later (formula-guard.ts) */
export const SALES_TEMPLATE_BASE_LENGTH = 11

/** Our own layout, offered for download: one row per item; rows with the same order_id and kind are one sale. */
export const SALES_TEMPLATE_PRESET: SalesPreset = {
  id: 'template',
  label: 'Sales upload template',
  headers: SALES_TEMPLATE_HEADERS,
  signature: ['order_id', 'occurred_at', 'kind', 'unit_price', 'quantity'],
  columns: {
    orderId: 'order_id',
    occurredAt: 'occurred_at',
    storeCode: 'store_code',
    customerId: 'customer_id',
    kind: 'kind',
    itemId: 'item_id',
    itemName: 'item_name',
    variationId: 'variation_id',
    unitPrice: 'unit_price',
    quantity: 'quantity',
    returnReason: 'return_reason',
    refund: 'refund',
    returnExpenses: 'return_expenses',
    returnShippingCost: 'return_shipping_cost',
    returnType: 'return_type',
    returnPreference: 'return_preference',
    returnDropOff: 'return_drop_off',
    itemRole: 'item_role',
  },
}

/**
 * The template with examples: times are the store's local time (or carry an offset), prices use a
 * decimal point, kind is purchase or return, order_id may be left empty for a single-item sale. The return
 * columns (refund … return_drop_off, on any row of the return) and item_role (returned, kept, cross_sold;
 * empty: purchased on a purchase, returned on a return) may stay empty.
 */
export const SALES_TEMPLATE_CSV = `${SALES_TEMPLATE_HEADERS.join(',')}
1001,2026-03-02 14:05,BER-01,C-42,purchase,MUG-BLUE,Blue mug,large,12.50,2,,,,,,,,
1001,2026-03-02 14:05,BER-01,C-42,purchase,TOWEL-01,"Tea towel, linen",,4.00,1,,,,,,,,
1001,2026-03-05 10:30,BER-01,C-42,return,MUG-BLUE,Blue mug,large,12.50,1,Chipped on arrival,12.50,,,partial,refund,,returned
,2026-03-02T16:20:00+01:00,BER-01,,purchase,,Gift wrapping,,2.00,1,,,,,,,,
`

export const SALES_PRESETS: readonly SalesPreset[] = [
  SHOPIFY_ORDERS_PRESET,
  SQUARE_ITEM_SALES_PRESET,
  TOAST_ITEM_SELECTIONS_PRESET,
  LOYVERSE_RECEIPTS_PRESET,
  SALES_TEMPLATE_PRESET,
]

/** How a recognised layout reads on screen ("Toast item selection export"); null for a file of its own layout. */
export function presetLabel(id: PresetId): string | null {
  return SALES_PRESETS.find((p) => p.id === id)?.label ?? null
}

export interface MappedColumn {
  index: number
  header: string
}

/** Which column fills each field. */
export type ColumnMapping = Partial<Record<SalesField, MappedColumn>>

/** A person's edit of a mapping: a header name or column index per field, or null to leave it unmapped. */
export type MappingEdit = Partial<Record<SalesField, string | number | null>>

export interface MissingFieldGroup {
  fields: readonly SalesField[]
  label: string
}

export interface MappingProposal {
  preset: PresetId
  mapping: ColumnMapping
  /** required fields with no column yet */
  missing: MissingFieldGroup[]
  /** columns not used for any field */
  unmappedColumns: MappedColumn[]
}

export interface MappingResult extends MappingProposal {
  /** edits that didn't name a column of this file */
  errors: { field: SalesField; message: string }[]
}

function indexOfHeader(header: readonly string[], name: string): number {
  const exact = header.indexOf(name)
  if (exact !== -1) return exact
  const n = normalizeHeader(name)
  return header.findIndex((h) => normalizeHeader(h) === n)
}

/**
 * The layout a header row comes from: a preset when every one of its signature headers is present
 * (compared without case, spaces or punctuation), else 'custom'.
 */
export function detectPreset(header: readonly string[]): SalesPreset | null {
  const present = new Set(header.map(normalizeHeader))
  for (const preset of SALES_PRESETS) {
    if (preset.signature.every((h) => present.has(normalizeHeader(h)))) return preset
  }
  return null
}

function summarize(preset: PresetId, header: readonly string[], mapping: ColumnMapping): MappingProposal {
  const used = new Set<number>()
  for (const f of SALES_FIELDS) {
    const c = mapping[f]
    if (c !== undefined) used.add(c.index)
  }
  const missing = REQUIRED_FIELD_GROUPS.filter((g) => g.fields.every((f) => mapping[f] === undefined)).map(
    (g) => ({
      fields: g.fields,
      label: g.label,
    }),
  )
  const unmappedColumns: MappedColumn[] = []
  header.forEach((h, index) => {
    if (!used.has(index)) unmappedColumns.push({ index, header: h })
  })
  return { preset, mapping, missing, unmappedColumns }
}

// A "Type" column only means purchase/return when its values say so (it is often a product type).
function kindColumnFits(
  index: number,
  rank: number,
  sampleRows: readonly (readonly string[])[] | undefined,
): boolean {
  if (sampleRows === undefined) return true
  let known = 0
  for (const row of sampleRows) {
    const v = (row[index] ?? '').trim()
    if (v === '') continue
    if (parseKindValue(v) === undefined) return false
    known++
  }
  // "Kind" and "Event Type" are unambiguous names; "Type" needs values that prove it
  return rank < 2 || known > 0
}

function columnHoldsDates(index: number, sampleRows: readonly (readonly string[])[] | undefined): boolean {
  const values = (sampleRows ?? []).map((r) => (r[index] ?? '').trim()).filter((v) => v !== '')
  return values.length > 0 && values.every((v) => readDateTime(v, '', 'DMY', 0) !== 'unreadable-date')
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/

function columnHoldsEmails(index: number, sampleRows: readonly (readonly string[])[] | undefined): boolean {
  return (sampleRows ?? []).some((r) => EMAIL.test((r[index] ?? '').trim()))
}

/**
 * Proposes which column fills each field: a recognised export's own columns first, then header
 * aliases (best alias wins, then the leftmost column). `sampleRows` (first data rows) veto a
 * purchase/return column whose values aren't purchase/return words, and a customer column holding emails.
 */
export function proposeMapping(
  header: readonly string[],
  sampleRows?: readonly (readonly string[])[],
): MappingProposal {
  const preset = detectPreset(header)
  const mapping: ColumnMapping = {}
  const taken = new Set<number>()
  if (preset !== null) {
    for (const f of SALES_FIELDS) {
      const name = preset.columns[f]
      if (name === undefined) continue
      const index = indexOfHeader(header, name)
      if (index === -1) continue
      mapping[f] = { index, header: header[index] ?? name }
      taken.add(index)
    }
  }
  const shopify = preset?.id === 'shopify' || isShopifyLayout(header)
  const best = new Map<SalesField, { index: number; rank: number }>()
  const leftOut = new Set<SalesField>(preset?.unmapped ?? [])
  header.forEach((h, index) => {
    if (taken.has(index)) return
    const hit = fieldForHeader(h, shopify)
    if (hit === null || mapping[hit.field] !== undefined || leftOut.has(hit.field)) return
    if (hit.field === 'kind' && !kindColumnFits(index, hit.rank, sampleRows)) return
    const current = best.get(hit.field)
    if (current === undefined || hit.rank < current.rank) best.set(hit.field, { index, rank: hit.rank })
  })
  for (const [field, { index }] of best) mapping[field] = { index, header: header[index] ?? '' }
  // a "Time" column holding whole dates ("02.03.2026 10:00") is the date column the file lacks
  const time = mapping.time
  if (mapping.occurredAt === undefined && time !== undefined && columnHoldsDates(time.index, sampleRows)) {
    mapping.occurredAt = time
    delete mapping.time
  }
  // an email address must not go to Constructor as the customer id (ui): only a person may choose such a column
  const customer = mapping.customerId
  if (customer !== undefined && columnHoldsEmails(customer.index, sampleRows)) delete mapping.customerId
  return summarize(preset?.id ?? 'custom', header, mapping)
}

/**
 * Applies a person's edits on top of the proposal for this header row: a header name (exact, or
 * compared without case/punctuation) or a column index per field; null removes the field.
 */
export function applyMapping(
  header: readonly string[],
  edit: MappingEdit,
  sampleRows?: readonly (readonly string[])[],
): MappingResult {
  const proposal = proposeMapping(header, sampleRows)
  const mapping: ColumnMapping = { ...proposal.mapping }
  const errors: MappingResult['errors'] = []
  for (const field of Object.keys(edit) as SalesField[]) {
    if (!(SALES_FIELDS as readonly string[]).includes(field)) continue
    const target = edit[field]
    if (target === undefined) continue
    if (target === null) {
      delete mapping[field]
      continue
    }
    const index = typeof target === 'number' ? target : indexOfHeader(header, target)
    if (!Number.isInteger(index) || index < 0 || index >= header.length) {
      errors.push({
        field,
        message: `This file has no column '${String(target)}' for ${FIELD_LABELS[field]} — choose one of its columns`,
      })
      delete mapping[field]
      continue
    }
    mapping[field] = { index, header: header[index] ?? '' }
  }
  return { ...summarize(proposal.preset, header, mapping), errors }
}

/** How header-like a row is, for finding the header below title lines. */
export function headerScore(cells: readonly string[]): number {
  return detectPreset(cells) !== null ? 100 : countKnownFields(cells)
}
