import 'server-only'
import { audit } from '@/lib/audit/log'
import type { KeyCaller } from '@/lib/auth/api-keys'
import { mapFeedItemIds } from '@/lib/catalog/mappings'
import { dbPool } from '@/lib/db'
import { chunkRows } from '@/lib/uploads/storage/commit-rows'
import { lookupExisting, storeChunk } from '@/lib/uploads/storage/ingest'
import {
  dispositionOf,
  type ExistingEvent,
  emptyCounts,
  eventKey,
  keysOf,
} from '@/lib/uploads/storage/ingest-rows'
import type { ParsedSaleEvent } from '@/lib/uploads/types'
import type { BuiltSale, FeedReason } from './build-event'
import { FEED_OUTCOMES, type FeedOutcome, type FeedResponse, type FeedResult } from './schema'

// Stores one feed request's sales exactly as an upload's commit stores a chunk (lib/uploads/storage: the same
// classification against what is stored, the same COPY rows and in-place updates), in ONE transaction with its
// audit entry: all of the request or none of it. Idempotent: the same sales again are "unchanged".

const BUSY =
  'This sale is being sent to Constructor right now, so it was not changed. Send it again in a few minutes.'
const TWICE = (orderId: string) =>
  `Order ${orderId} of this kind is listed more than once in this request — send it once, with all its items`

// two requests that write the same new order at once: the second finds the first's row once it retries
const RETRYABLE = new Set(['23505', '40P01', '40001'])
const ATTEMPTS = 3

export type FeedEntry = { index: number; sale: BuiltSale }

export async function storeFeedSales(args: {
  key: KeyCaller
  ip: string
  entries: readonly FeedEntry[]
  rowProblems?: FeedResponse['rowProblems']
  source: 'json' | 'csv'
}): Promise<FeedResponse> {
  const results: FeedResult[] = new Array(args.entries.length)
  const storable: { index: number; event: ParsedSaleEvent; reasons: FeedReason[] }[] = []
  const seen = new Set<string>()
  args.entries.forEach(({ index, sale }, n) => {
    if (!sale.ok) {
      results[n] = { index, order_id: sale.orderId, outcome: 'invalid', reasons: sale.reasons }
      return
    }
    const k = eventKey(sale.event.storeId, sale.event.kind, sale.event.orderId)
    if (seen.has(k)) {
      results[n] = {
        index,
        order_id: sale.event.orderId,
        outcome: 'invalid',
        reasons: [{ field: 'order_id', message: TWICE(sale.event.orderId) }],
      }
      return
    }
    seen.add(k)
    storable.push({ index: n, event: sale.event, reasons: sale.reasons })
  })
  // the same order of keys in every request: concurrent requests lock shared orders without deadlocking
  storable.sort((a, b) => {
    const ka = eventKey(a.event.storeId, a.event.kind, a.event.orderId)
    const kb = eventKey(b.event.storeId, b.event.kind, b.event.orderId)
    return ka < kb ? -1 : ka > kb ? 1 : 0
  })
  const outcomes = await storeAll(args, storable)
  storable.forEach((s, i) => {
    const outcome = outcomes[i] as FeedOutcome
    const entry = args.entries[s.index] as FeedEntry
    results[s.index] = {
      index: entry.index,
      order_id: s.event.orderId,
      outcome,
      reasons: outcome === 'busy' ? [{ field: 'order_id', message: BUSY }] : s.reasons,
    }
  })
  const counts = Object.fromEntries(FEED_OUTCOMES.map((o) => [o, 0])) as Record<FeedOutcome, number>
  for (const r of results) counts[r.outcome]++
  return { results, counts, rowProblems: args.rowProblems ?? [] }
}

async function storeAll(
  args: { key: KeyCaller; ip: string; source: 'json' | 'csv'; entries: readonly FeedEntry[] },
  storable: readonly { event: ParsedSaleEvent }[],
): Promise<FeedOutcome[]> {
  const events = storable.map((s) => s.event)
  for (let attempt = 1; ; attempt++) {
    const client = await dbPool().connect()
    try {
      await client.query('BEGIN')
      const existing = new Map<string, ExistingEvent>()
      if (events.length > 0)
        for (const row of await lookupExisting(client, keysOf(events), true))
          existing.set(eventKey(row.storeId, row.kind, row.orderId), row)
      const counts = emptyCounts()
      const at = new Date().toISOString()
      const rows = chunkRows(events, existing, { uploadId: null, userId: null, at }, counts)
      const { written } = await storeChunk(client, null, rows)
      await written
      // till SKUs the stores mapped to catalog ids (Needs attention) are stored as the catalog's ids, as uploads are
      await mapFeedItemIds(client, events)
      const outcomes = events.map((e): FeedOutcome => {
        const d = dispositionOf(e, existing.get(eventKey(e.storeId, e.kind, e.orderId)))
        if (d === 'queued') return 'busy'
        if (e.status === 'INVALID') return 'invalid'
        return d === 'unchanged' ? 'unchanged' : d === 'correction' ? 'corrected' : 'stored'
      })
      const tally: Record<string, number> = { sales: args.entries.length }
      for (const o of outcomes) tally[o] = (tally[o] ?? 0) + 1
      const storeIds = [...new Set(events.map((e) => e.storeId))]
      // the key's use, with what it did: one entry per request
      await audit(client, {
        actor: null,
        action: 'apiKey.used',
        entity: 'ApiKey',
        entityId: args.key.keyId,
        storeId: storeIds.length === 1 ? storeIds[0] : null,
        details: { key: args.key.prefix, name: args.key.name, body: args.source, counts: tally },
        ip: args.ip,
      })
      await client.query('COMMIT')
      return outcomes
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {})
      if (attempt < ATTEMPTS && RETRYABLE.has((e as { code?: string }).code ?? '')) continue
      throw e
    } finally {
      client.release()
    }
  }
}
