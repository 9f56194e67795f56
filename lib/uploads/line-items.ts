// An upload's line items until the end of the file: one slot per data row in parallel columns, each
// linked to the next line of its order, so an order's rows may be anywhere in the file.
import { absDecimal, divideDecimal, netUnitPrice } from '@/lib/money/decimal'
import type { LineItemRole } from '@/lib/sales/schema'
import { float64Column, int32Column, MAX_POOLED, type NumberColumn, StringTable } from './columns'
import type { ParsedLineItem } from './types'

/** roles a file may name; 0 stands for the role the event's kind gives */
const ROLES: readonly (LineItemRole | null)[] = [null, 'PURCHASED', 'RETURNED', 'KEPT', 'CROSS_SOLD']

export class LineItemColumns {
  /** line items so far, which is also the next line's index */
  count = 0
  /** item ids, names, variations and prices, each stored once; the columns hold their index */
  private readonly strings = new StringTable()
  /** the name and variation last seen with each item id: exports repeat them row after row */
  private readonly itemDetails = new Map<string, { id: number; name: number; variation: number }>()
  private readonly itemId = int32Column()
  private readonly itemName = int32Column()
  private readonly variation = int32Column()
  private readonly price = int32Column()
  /** line totals, kept only when the file has a line total column */
  private readonly total: NumberColumn<Int32Array> | null
  /** each line's whole discount, kept only when the file has a line discount column */
  private readonly discount: NumberColumn<Int32Array> | null
  /** each line's role as the file wrote it (an index into ROLES, 0: the kind's own), kept only when the file has an item role column */
  private readonly role: NumberColumn<Int32Array> | null
  /** NaN when missing or unreadable */
  private readonly quantity = float64Column()
  private readonly row = int32Column()
  private readonly next = int32Column()

  constructor(withLineTotals: boolean, withLineDiscounts = false, withRoles = false) {
    this.total = withLineTotals ? int32Column() : null
    this.discount = withLineDiscounts ? int32Column() : null
    this.role = withRoles ? int32Column() : null
  }

  /** Adds line `count` (cells trimmed; '' for empty), after line `after` of the same order (-1 for its first). */
  add(
    itemId: string,
    itemName: string,
    variationId: string,
    unitPrice: string | null,
    total: string | null,
    quantity: number,
    row: number,
    after: number,
  ): void {
    const line = this.count++
    this.addItem(itemId, itemName, variationId)
    this.price.push(this.strings.add(unitPrice))
    this.total?.push(this.strings.add(total))
    this.discount?.push(-1)
    this.role?.push(0)
    this.quantity.push(quantity)
    this.row.push(row)
    this.next.push(-1)
    if (after !== -1) this.next.set(after, line)
  }

  private addItem(idText: string, nameText: string, variationText: string): void {
    const strings = this.strings
    if (idText === '') {
      this.itemId.push(-1)
      this.itemName.push(strings.add(nameText))
      this.variation.push(strings.add(variationText))
      return
    }
    let known = this.itemDetails.get(idText)
    if (known === undefined) {
      known = { id: strings.add(idText), name: strings.add(nameText), variation: strings.add(variationText) }
      if (this.itemDetails.size < MAX_POOLED) this.itemDetails.set(strings.get(known.id)!, known)
    }
    this.itemId.push(known.id)
    this.itemName.push(strings.is(known.name, nameText) ? known.name : strings.add(nameText))
    this.variation.push(
      strings.is(known.variation, variationText) ? known.variation : strings.add(variationText),
    )
  }

  // Amounts that waited for the file's decimal separator.
  setUnitPrice(line: number, price: string): void {
    this.price.set(line, this.strings.add(price))
  }

  setTotal(line: number, total: string): void {
    this.total!.set(line, this.strings.add(total))
  }

  /** the line's whole discount (positive), taken off unit price × quantity when the line is read */
  setDiscount(line: number, discount: string): void {
    this.discount!.set(line, this.strings.add(discount))
  }

  /** the role the file's item role column gives the line (a return's kept or cross-sold item) */
  setRole(line: number, role: LineItemRole): void {
    this.role!.set(line, ROLES.indexOf(role))
  }

  setQuantity(line: number, quantity: number): void {
    this.quantity.set(line, quantity)
  }

  /** the 0-based position of `line` in the order whose first line is `head` */
  positionOf(head: number, line: number): number {
    let k = 0
    for (let l = head; l !== -1 && l !== line; l = this.next.get(l)) k++
    return k
  }

  /** The `count` lines of an order from its first line, and the file row of each. */
  read(
    head: number,
    count: number,
    role: LineItemRole,
  ): { lineItems: ParsedLineItem[]; sourceRows: number[] } {
    const isReturn = role === 'RETURNED'
    const lineItems: ParsedLineItem[] = new Array(count)
    const sourceRows: number[] = new Array(count)
    const strings = this.strings
    const totals = this.total
    const discounts = this.discount
    const roles = this.role
    for (let line = head, k = 0; line !== -1; line = this.next.get(line), k++) {
      const q = this.quantity.get(line)
      const quantity = Number.isNaN(q) ? null : q
      let unitPrice = strings.get(this.price.get(line))
      if (unitPrice !== null && discounts !== null && quantity !== null && quantity !== 0) {
        const off = strings.get(discounts.get(line))
        // no discount leaves the price as written (a price with too many decimals is still flagged)
        if (off !== null && off !== '0') unitPrice = netUnitPrice(unitPrice, off, quantity, 4)
      } else if (unitPrice === null && totals !== null && quantity !== null && quantity !== 0) {
        const total = strings.get(totals.get(line))
        if (total !== null) unitPrice = divideDecimal(isReturn ? absDecimal(total) : total, quantity, 4)
      }
      lineItems[k] = {
        lineNumber: k + 1,
        role: roles === null || roles.get(line) === 0 ? role : ROLES[roles.get(line)]!,
        itemId: strings.get(this.itemId.get(line)),
        itemName: strings.get(this.itemName.get(line)),
        variationId: strings.get(this.variation.get(line)),
        unitPrice,
        quantity,
      }
      sourceRows[k] = this.row.get(line)
    }
    return { lineItems, sourceRows }
  }
}
