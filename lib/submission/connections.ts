import {
  type ConstructorClient,
  ConstructorConfigError,
  createConstructorClient,
} from '@/lib/constructor/client'
import { decryptSecret } from '@/lib/crypto/secret-box'
import {
  type CustomerIdPolicy,
  type CustomerIdSettings,
  readCustomerIdSettings,
} from '@/lib/customers/customer-id'
import type { Queryable } from './sql'

export type ConnectionSettings = {
  id: string
  paused: boolean
  maxConcurrency: number
  maxRequestsPerSecond: number
  /** set when the settings cannot be used at all (no token, undecryptable token, bad URL): pause with this */
  unusable: string | null
  /** what leaves as a shopper's id */
  customerIds: CustomerIdSettings
  client: ConstructorClient | null
}

type Row = {
  id: string
  baseUrl: string
  apiKey: string
  section: string
  tokenCiphertext: string | null
  paused: boolean
  maxConcurrency: number
  maxRequestsPerSecond: number
  customerIdPolicy: CustomerIdPolicy
  customerIdSecretCiphertext: string | null
}

// Settings re-read at most once per ttl (an admin's change reaches every worker within it); clients are kept
// per (url, key, section, token) so kept-alive sockets survive re-reads.
export class ConnectionCache {
  private readonly entries = new Map<string, { at: number; value: Promise<ConnectionSettings | null> }>()
  private readonly clients = new Map<string, ConstructorClient>()

  constructor(
    private readonly q: Queryable,
    private readonly opts: { ttlMs: number; timeoutMs: number; maxSockets: number },
  ) {}

  get(id: string): Promise<ConnectionSettings | null> {
    const hit = this.entries.get(id)
    if (hit && Date.now() - hit.at < this.opts.ttlMs) return hit.value
    const value = this.load(id)
    this.entries.set(id, { at: Date.now(), value })
    value.catch(() => this.entries.delete(id))
    return value
  }

  invalidate(id: string) {
    this.entries.delete(id)
  }

  private async load(id: string): Promise<ConnectionSettings | null> {
    const { rows } = await this.q.query<Row>(
      `SELECT id::text, "baseUrl", "apiKey", section, "tokenCiphertext", paused, "maxConcurrency", "maxRequestsPerSecond",
         "customerIdPolicy", "customerIdSecretCiphertext"
       FROM "ConstructorConnection" WHERE id = $1::uuid`,
      [id],
    )
    const row = rows[0]
    if (!row) return null
    const base = {
      id: row.id,
      paused: row.paused,
      maxConcurrency: Math.max(1, row.maxConcurrency),
      maxRequestsPerSecond: Math.max(1, row.maxRequestsPerSecond),
      customerIds: readCustomerIdSettings(row),
    }
    if (!row.tokenCiphertext)
      return { ...base, unusable: 'No API token is set for this connection', client: null }
    const key = [row.baseUrl, row.apiKey, row.section, row.tokenCiphertext].join('\u0000')
    let client = this.clients.get(key)
    if (!client) {
      try {
        client = createConstructorClient({
          baseUrl: row.baseUrl,
          apiKey: row.apiKey,
          section: row.section,
          token: decryptSecret(row.tokenCiphertext),
          timeoutMs: this.opts.timeoutMs,
          maxSockets: this.opts.maxSockets,
        })
      } catch (e) {
        const message = e instanceof ConstructorConfigError ? e.message : (e as Error).message
        return { ...base, unusable: `The connection settings cannot be used: ${message}`, client: null }
      }
      this.clients.set(key, client)
    }
    return { ...base, unusable: null, client }
  }

  close() {
    for (const c of this.clients.values()) c.close()
    this.clients.clear()
    this.entries.clear()
  }
}
