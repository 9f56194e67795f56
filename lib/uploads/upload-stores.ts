// The caller's stores as a file's rows name them: by code or by a name the store keeps (its tills' location
// names, register codes), compared by normalizeStoreName (case and spacing ignored, punctuation kept).
import { normalizeStoreName, tidyStoreName } from '@/lib/stores/store-names'
import { detach } from './columns'
import type { StoreInfo } from './types'

export interface ResolvedStore {
  id: string
  code: string
  timeZone: string
  /** its place in UploadStores.list (draft columns name a store by it) */
  index: number
  /** this store's drafts (their index) by order number, one map per kind */
  purchases: Map<string, number>
  returns: Map<string, number>
}

/** a name in the file that is no store's: the preview asks which store it is */
export interface UnknownStoreName {
  /** as the file first spells it, spaces tidied */
  name: string
  /** rows that named it */
  rows: number
}

/** the preview lists at most this many unknown names (a file of typos should not become a page of buttons) */
export const MAX_UNKNOWN_STORE_NAMES = 50

/** what a store cell names: one of the caller's stores, a store they may not write, or nothing known */
export type CellStore = ResolvedStore | 'other' | null

export class UploadStores {
  readonly list: ResolvedStore[] = []
  /** the codes as the caller spells them, for messages */
  readonly knownCodes: string[]
  /** the store chosen for the upload, for rows that name none */
  readonly defaultStore: ResolvedStore | null
  private readonly byName = new Map<string, ResolvedStore>()
  private readonly otherNames: ReadonlySet<string>
  private readonly byCell = new Map<string, CellStore>()
  private readonly unknown = new Map<string, UnknownStoreName>()

  constructor(
    stores: Readonly<Record<string, StoreInfo>>,
    defaultStoreCode: string | undefined,
    /** normalized codes and names of stores the caller may not write */
    otherStoreNames: readonly string[] = [],
  ) {
    this.knownCodes = Object.keys(stores)
    for (const code of this.knownCodes) {
      const info = stores[code]!
      const store: ResolvedStore = {
        id: info.id,
        code,
        timeZone: info.timeZone,
        index: this.list.length,
        purchases: new Map(),
        returns: new Map(),
      }
      this.list.push(store)
      this.byName.set(normalizeStoreName(code), store)
    }
    // a code wins over a name (names are checked against codes when kept, but codes can change)
    for (const store of this.list)
      for (const alias of stores[store.code]?.aliases ?? []) {
        const key = normalizeStoreName(alias)
        if (!this.byName.has(key)) this.byName.set(key, store)
      }
    this.otherNames = new Set(otherStoreNames)
    this.defaultStore =
      defaultStoreCode === undefined ? null : (this.byName.get(normalizeStoreName(defaultStoreCode)) ?? null)
  }

  /** the store a trimmed store cell names; '' is the upload's store */
  forCell(text: string): CellStore {
    if (text === '') return this.defaultStore
    let s = this.byCell.get(text)
    if (s === undefined) {
      const key = normalizeStoreName(text)
      s = this.byName.get(key) ?? (this.otherNames.has(key) ? 'other' : null)
      this.byCell.set(detach(text), s)
    }
    if (s === null) this.noteUnknown(text)
    return s
  }

  private noteUnknown(text: string) {
    const key = normalizeStoreName(text)
    const seen = this.unknown.get(key)
    if (seen) seen.rows++
    else if (this.unknown.size < MAX_UNKNOWN_STORE_NAMES)
      this.unknown.set(key, { name: tidyStoreName(text), rows: 1 })
  }

  /** names no store keeps, in the order the file first used them */
  get unknownNames(): UnknownStoreName[] {
    return [...this.unknown.values()].map((u) => ({ ...u }))
  }
}
