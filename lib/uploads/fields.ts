// The fields a sales file can fill, and the header names we recognise for each.

export const SALES_FIELDS = [
  'orderId',
  'occurredAt',
  'time',
  'timeZone',
  'storeCode',
  'customerId',
  'kind',
  'financialStatus',
  'refundedAmount',
  'cancelledAt',
  'itemId',
  'itemName',
  'variationId',
  'unitPrice',
  'lineDiscount',
  'quantity',
  'lineTotal',
  'revenue',
  'returnReason',
  'currency',
  'voided',
  'refund',
  'returnExpenses',
  'returnShippingCost',
  'returnType',
  'returnPreference',
  'returnDropOff',
  'itemRole',
] as const

export type SalesField = (typeof SALES_FIELDS)[number]

export const FIELD_LABELS: Record<SalesField, string> = {
  orderId: 'Order number',
  occurredAt: 'Date (and time)',
  time: 'Time',
  timeZone: 'Time zone',
  storeCode: 'Store',
  customerId: 'Customer id',
  kind: 'Purchase or return',
  financialStatus: 'Payment status',
  refundedAmount: 'Refunded amount',
  cancelledAt: 'Cancelled at',
  itemId: 'Item id (SKU)',
  itemName: 'Item name',
  variationId: 'Variation',
  unitPrice: 'Unit price',
  lineDiscount: 'Line discount',
  quantity: 'Quantity',
  lineTotal: 'Line total',
  revenue: 'Order total',
  returnReason: 'Return reason',
  currency: 'Currency',
  voided: 'Voided line',
  refund: 'Refund (returns)',
  returnExpenses: 'Return expenses',
  returnShippingCost: 'Return shipping cost',
  returnType: 'Return type (full or partial)',
  returnPreference: 'Return preference (refund or replacement)',
  returnDropOff: 'Return drop-off',
  itemRole: 'Item role (returned, kept, cross-sold)',
}

/** Groups of which at least one field must be mapped for rows to become sales. */
export const REQUIRED_FIELD_GROUPS: readonly { fields: readonly SalesField[]; label: string }[] = [
  { fields: ['occurredAt'], label: 'Date (and time)' },
  { fields: ['itemId', 'itemName'], label: 'Item id (SKU) or item name' },
  { fields: ['unitPrice', 'lineTotal'], label: 'Unit price (or line total)' },
  { fields: ['quantity'], label: 'Quantity' },
]

/** Header text compared without case, spaces, punctuation or accents: "Lineitem SKU" = "lineitem_sku". */
export function normalizeHeader(header: string): string {
  return header
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
}

// Normalized aliases per field, best first. "name" alone is an item name, except in Shopify's layout.
const ALIASES: Record<SalesField, readonly string[]> = {
  orderId: [
    'orderid',
    'ordernumber',
    'orderno',
    'ordernr',
    'order',
    'transactionid',
    'transaction',
    'transactionnumber',
    'receiptnumber',
    'receiptno',
    'receiptid',
    'receipt',
    'invoicenumber',
    'invoiceno',
    'invoice',
    'ticketnumber',
    'salesid',
    'saleid',
    'bestellnummer',
    'belegnummer',
    'belegnr',
    'bonnummer',
    'numerodecommande',
  ],
  occurredAt: [
    'occurredat',
    'createdat',
    'datetime',
    'dateandtime',
    'timestamp',
    'date',
    'orderdate',
    'saledate',
    'salesdate',
    'transactiondate',
    'processedat',
    'datum',
    'verkaufsdatum',
    'zeitpunkt',
  ],
  time: ['time', 'saletime', 'ordertime', 'transactiontime', 'uhrzeit', 'heure', 'zeit'],
  timeZone: ['timezone', 'tz', 'zeitzone'],
  storeCode: [
    'storecode',
    'store',
    'storeid',
    'storenumber',
    'location',
    'locationid',
    'locationname',
    'shop',
    'shopcode',
    'branch',
    'outlet',
    'filiale',
    'filialnummer',
    'magasin',
  ],
  customerId: [
    'customerid',
    'customernumber',
    'customerno',
    'customer',
    'clientid',
    'userid',
    'ui',
    'memberid',
    'loyaltyid',
    'kundennummer',
    'kundenid',
  ],
  kind: ['kind', 'eventtype', 'type', 'transactiontype', 'saletype', 'salestype'],
  financialStatus: ['financialstatus', 'paymentstatus'],
  refundedAmount: ['refundedamount', 'refundamount', 'refunded'],
  cancelledAt: ['cancelledat', 'canceledat'],
  itemId: [
    'itemid',
    'sku',
    'lineitemsku',
    'productid',
    'productcode',
    'itemnumber',
    'itemcode',
    'articlenumber',
    'articleno',
    'artikelnummer',
    'artikelnr',
    'ean',
    'barcode',
    'upc',
    'gtin',
  ],
  itemName: [
    'itemname',
    'item',
    'lineitemname',
    'productname',
    'product',
    'name',
    'description',
    'itemdescription',
    'articlename',
    'artikel',
    'artikelname',
    'bezeichnung',
    'produit',
  ],
  // Square's "Price Point Name" is a variation's name, not its id: not an alias
  variationId: ['variationid', 'variantid', 'variation', 'variant', 'variantsku'],
  unitPrice: [
    'unitprice',
    'price',
    'lineitemprice',
    'itemprice',
    'priceperunit',
    'sellingprice',
    'saleprice',
    'preis',
    'einzelpreis',
    'stuckpreis',
    'prix',
    'prixunitaire',
  ],
  // the whole line's discount in the file's money (Shopify's "Lineitem discount"), taken off unit price × quantity
  lineDiscount: ['linediscount', 'lineitemdiscount'],
  quantity: ['quantity', 'qty', 'lineitemquantity', 'units', 'menge', 'anzahl', 'stuck', 'quantite'],
  lineTotal: [
    'linetotal',
    'lineamount',
    'grosssales',
    'totalprice',
    'extendedprice',
    'amount',
    'betrag',
    'gesamtpreis',
    'montant',
  ],
  revenue: ['revenue', 'total', 'ordertotal', 'totalamount', 'grandtotal', 'umsatz', 'gesamtbetrag', 'summe'],
  returnReason: ['returnreason', 'reason', 'refundreason', 'grund', 'retourengrund', 'rucksendegrund'],
  currency: ['currency', 'currencycode', 'wahrung', 'devise'],
  // a yes/no column marking a line taken off before payment (Toast's "Void?"): such rows are not sales
  voided: ['voided', 'void', 'isvoid', 'storniert'],
  // a return's own columns, by our template's names only: tills name nothing like them
  refund: ['refund'],
  returnExpenses: ['returnexpenses'],
  returnShippingCost: ['returnshippingcost'],
  returnType: ['returntype'],
  returnPreference: ['returnpreference'],
  returnDropOff: ['returndropoff'],
  itemRole: ['itemrole'],
}

interface AliasHit {
  field: SalesField
  rank: number
}

const ALIAS_INDEX = new Map<string, AliasHit>()
for (const field of Object.keys(ALIASES) as SalesField[]) {
  ALIASES[field].forEach((alias, rank) => {
    if (ALIAS_INDEX.has(alias)) throw new Error(`alias '${alias}' is listed for two fields`)
    ALIAS_INDEX.set(alias, { field, rank })
  })
}

/** The field a header names on its own (without preset context), and how good a match it is (0 best). */
export function fieldForHeader(header: string, shopifyLayout = false): AliasHit | null {
  const n = normalizeHeader(header)
  if (shopifyLayout && n === 'name') return { field: 'orderId', rank: 0 }
  return ALIAS_INDEX.get(n) ?? null
}

/** Shopify names its order number column "Name"; its line item columns give the layout away. */
export function isShopifyLayout(header: readonly string[]): boolean {
  return header.some((h) => normalizeHeader(h).startsWith('lineitem'))
}

/** Distinct fields a row of header cells would fill: how header-like it is. */
export function countKnownFields(cells: readonly string[]): number {
  const shopify = isShopifyLayout(cells)
  const seen = new Set<SalesField>()
  for (const cell of cells) {
    const hit = fieldForHeader(cell, shopify)
    if (hit !== null) seen.add(hit.field)
  }
  return seen.size
}
