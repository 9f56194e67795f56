import type { CsvRow } from './csv-tokenizer'
import { SALES_TEMPLATE_BASE_LENGTH, SALES_TEMPLATE_HEADERS } from './presets'

// Files we write (the problems and sales exports) put an apostrophe before a cell a spreadsheet would run as a
// formula (= + - @, a tab or CR: CSV injection), and before a cell that already starts with one, so that every
// guard can be undone exactly. A spreadsheet shows the apostrophe-led text as text and runs nothing.
//
// A file comes back as ours when its header is our layout: the template's first columns in their order, then any of
// its later columns (a return's refund … item_role, which older files lack) and of the export's own columns
// (`revenue`, `problem`), each there or not, in their order. Only then is a leading apostrophe before one of those characters the
// guard and dropped; a till's file keeps its apostrophes as data.

const NEEDS_GUARD = /^['=+\-@\t\r]/
const GUARDED = /^'['=+\-@\t\r]/

/** the cell as we write it: guarded when a spreadsheet would read it as a formula */
export function guardFormula(value: string): string {
  return NEEDS_GUARD.test(value) ? `'${value}` : value
}

/** the value a guarded cell of our own file stands for */
export function unguardFormula(cell: string): string {
  return GUARDED.test(cell) ? cell.slice(1) : cell
}

/** our exports' columns after the template's: the order total (read back as the revenue), and why the sale
 * needs attention (read by nobody on the way back) */
export const EXPORT_EXTRA_HEADERS = ['revenue', 'problem'] as const

const OPTIONAL_HEADERS: readonly string[] = [
  ...SALES_TEMPLATE_HEADERS.slice(SALES_TEMPLATE_BASE_LENGTH),
  ...EXPORT_EXTRA_HEADERS,
]

/** true when the header row is our own layout (template or export, older or current), so its cells carry our guard */
export function isOwnLayout(header: readonly string[]): boolean {
  const cells = header.map((h) => h.trim())
  while (cells.length > 0 && cells[cells.length - 1] === '') cells.pop()
  const n = SALES_TEMPLATE_BASE_LENGTH
  if (cells.length < n || !SALES_TEMPLATE_HEADERS.slice(0, n).every((h, i) => cells[i] === h)) return false
  // the later columns, in their order, each there or not
  let next = 0
  for (const extra of cells.slice(n)) {
    const at = OPTIONAL_HEADERS.indexOf(extra, next)
    if (at < 0) return false
    next = at + 1
  }
  return true
}

/** the row of one of our own files as it was before we guarded it */
export function unguardedRow(row: CsvRow): CsvRow {
  return {
    rowNumber: row.rowNumber,
    length: row.length,
    cell: (i) => unguardFormula(row.cell(i)),
    cells: () => row.cells().map(unguardFormula),
    isBlank: () => row.isBlank(),
  }
}
