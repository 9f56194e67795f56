// Words tills use for a sale or a refund, in the languages our stores work in.
import type { EventKind } from '@/lib/sales/schema'
import { normalizeHeader } from './fields'

const KIND_WORDS = new Map<string, EventKind>()
for (const w of [
  'purchase',
  'sale',
  'sales',
  'sold',
  'payment',
  'order',
  'buy',
  'kauf',
  'verkauf',
  'vente',
  'venta',
])
  KIND_WORDS.set(w, 'PURCHASE')
for (const w of [
  'return',
  'returned',
  'refund',
  'refunded',
  'retour',
  'ruckgabe',
  'erstattung',
  'gutschrift',
  'remboursement',
  'devolucion',
])
  KIND_WORDS.set(w, 'RETURN')

/** PURCHASE or RETURN for a kind cell ("Payment", "Refund", "return"…); undefined when unknown. */
export function parseKindValue(value: string): EventKind | undefined {
  return KIND_WORDS.get(normalizeHeader(value))
}
