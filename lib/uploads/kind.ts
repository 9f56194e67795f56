// Words tills use for a sale or a refund, in the languages our stores work in.
import type { EventKind, LineItemRole, ReturnPreference, ReturnType } from '@/lib/sales/schema'
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

// A return's own words, as our exports write them (lower case), read without case, spaces or punctuation.
const RETURN_TYPE_WORDS = new Map<string, ReturnType>([
  ['full', 'FULL'],
  ['partial', 'PARTIAL'],
])
const RETURN_PREFERENCE_WORDS = new Map<string, ReturnPreference>([
  ['refund', 'REFUND'],
  ['replacement', 'REPLACEMENT'],
])
const ITEM_ROLE_WORDS = new Map<string, LineItemRole>([
  ['purchased', 'PURCHASED'],
  ['returned', 'RETURNED'],
  ['kept', 'KEPT'],
  ['crosssold', 'CROSS_SOLD'],
])

/** FULL or PARTIAL for a return type cell ("full", "Partial"); undefined when unknown */
export function parseReturnType(value: string): ReturnType | undefined {
  return RETURN_TYPE_WORDS.get(normalizeHeader(value))
}

/** REFUND or REPLACEMENT for a return preference cell; undefined when unknown */
export function parseReturnPreference(value: string): ReturnPreference | undefined {
  return RETURN_PREFERENCE_WORDS.get(normalizeHeader(value))
}

/** a line's role for an item role cell ("returned", "kept", "cross_sold", "Cross-sold"); undefined when unknown */
export function parseItemRole(value: string): LineItemRole | undefined {
  return ITEM_ROLE_WORDS.get(normalizeHeader(value))
}

/** how our files write a role, type or preference: CROSS_SOLD → cross_sold */
export function wordOf(value: string): string {
  return value.toLowerCase()
}
