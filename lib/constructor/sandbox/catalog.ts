import { z } from 'zod'

// The sandbox's catalog for GET /v2/items: the demo's items mostly in it (socks and the gift card are not, so
// the demo shows held sales), or, for tests and the e2e run, an open catalog that knows every id but the missing ones.
export const DEMO_SANDBOX_CATALOG = [
  { id: 'SKU-TEE-BLK', name: 'Classic tee, black' },
  { id: 'SKU-TEE-WHT', name: 'Classic tee, white' },
  { id: 'SKU-HOOD-GRY', name: 'Hoodie, grey' },
  { id: 'SKU-CAP-NVY', name: 'Cap, navy' },
  { id: 'SKU-JEAN-32', name: 'Slim jeans' },
  { id: 'SKU-SOCKS-3PACK', name: 'Socks, 3 pack' },
  { id: 'SKU-TOTE-NAT', name: 'Tote bag, natural' },
] as const

export type SandboxCatalog = {
  /** the catalog's ids; null: every id is in it but the missing ones */
  known: string[] | null
  missing: string[]
}

export const DEMO_CATALOG: SandboxCatalog = { known: DEMO_SANDBOX_CATALOG.map((i) => i.id), missing: [] }
export const OPEN_CATALOG: SandboxCatalog = { known: null, missing: [] }

export const sandboxCatalogPatchSchema = z.strictObject({
  known: z.array(z.string().min(1).max(250)).max(100_000).nullable().optional(),
  missing: z.array(z.string().min(1).max(250)).max(100_000).optional(),
})
export type SandboxCatalogPatch = z.infer<typeof sandboxCatalogPatchSchema>

export class CatalogStore {
  private known: Set<string> | null
  private missing: Set<string>
  private readonly names = new Map<string, string>(DEMO_SANDBOX_CATALOG.map((i) => [i.id, i.name]))

  constructor(private readonly initial: SandboxCatalog) {
    this.known = initial.known ? new Set(initial.known) : null
    this.missing = new Set(initial.missing)
  }

  has(id: string): boolean {
    return !this.missing.has(id) && (this.known === null || this.known.has(id))
  }

  item(id: string) {
    return { id, name: this.names.get(id) ?? id, updated_at: '2026-11-01T00:00:00Z', data: { active: true } }
  }

  set(patch: SandboxCatalogPatch): SandboxCatalog {
    const p = sandboxCatalogPatchSchema.parse(patch)
    if (p.known !== undefined) this.known = p.known ? new Set(p.known) : null
    if (p.missing !== undefined) this.missing = new Set(p.missing)
    return this.get()
  }

  get(): SandboxCatalog {
    return { known: this.known ? [...this.known] : null, missing: [...this.missing] }
  }

  reset() {
    this.set({ known: this.initial.known, missing: this.initial.missing })
  }
}
