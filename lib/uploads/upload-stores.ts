// The caller's stores as a file's rows name them: by code, whatever the case and surrounding spaces.
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

export class UploadStores {
  readonly list: ResolvedStore[] = []
  /** the codes as the caller spells them, for messages */
  readonly knownCodes: string[]
  /** the store chosen for the upload, for rows that name none */
  readonly defaultStore: ResolvedStore | null
  private readonly byLowerCode = new Map<string, ResolvedStore>()
  private readonly byCell = new Map<string, ResolvedStore | null>()

  constructor(stores: Readonly<Record<string, StoreInfo>>, defaultStoreCode: string | undefined) {
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
      this.byLowerCode.set(code.trim().toLowerCase(), store)
    }
    this.defaultStore =
      defaultStoreCode === undefined
        ? null
        : (this.byLowerCode.get(defaultStoreCode.trim().toLowerCase()) ?? null)
  }

  /** the store a trimmed store cell names; '' is the upload's store */
  forCell(text: string): ResolvedStore | null {
    if (text === '') return this.defaultStore
    let s = this.byCell.get(text)
    if (s === undefined) {
      s = this.byLowerCode.get(text.toLowerCase()) ?? null
      this.byCell.set(detach(text), s)
    }
    return s
  }
}
