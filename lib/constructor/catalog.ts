import { parseRetryAfter, redactSecret } from './client'
import { constructorKeySchema, constructorSectionSchema } from './schema'

// GET /v2/items (CONTRACT.md, "Catalog lookup"): which of a list of item ids the connection's catalog holds.
// Anything but a readable answer in time makes the check "unavailable": it never holds or delays a sale for good.

export const CATALOG_PATH = '/v2/items'
/** ids per request, as the Items API allows */
export const CATALOG_BATCH_MAX_IDS = 1000
/** an id longer than the contract's 250 characters is never sent to the lookup */
export const CATALOG_ITEM_ID_MAX_CHARS = 250
/** a request line longer than this is split further, so 1,000 long ids never make one oversized URL */
export const CATALOG_URL_MAX_CHARS = 48_000
/** each request, connect to last byte */
export const CATALOG_REQUEST_TIMEOUT_MS = 10_000
/** the whole check, retries and waits included: past it the rest is "unavailable" */
export const CATALOG_CHECK_BUDGET_MS = 30_000
/** an answer larger than this is not read (1,000 items with their data fit in far less) */
export const CATALOG_RESPONSE_MAX_BYTES = 8 * 1024 * 1024
/** retries of one request after a 429 or a 5xx */
const MAX_RETRIES = 3

export type CatalogUnavailableReason =
  | 'unauthorized'
  | 'rate_limited'
  | 'timeout'
  | 'bad_response'
  | 'server_error'
  | 'network'

export type CatalogLookupResult = {
  /** ids the catalog holds, of those checked */
  found: Set<string>
  /** every id that got an answer (found or not) */
  checked: Set<string>
  /** set when some ids could not be checked: they count as neither known nor unknown */
  unavailable?: { reason: CatalogUnavailableReason; message: string }
  requests: number
}

export type CatalogLookupOptions = {
  baseUrl: string
  apiKey: string
  section?: string
  token: string
  requestTimeoutMs?: number
  budgetMs?: number
  /** waits between retries (tests pass their own clock) */
  sleep?: (ms: number) => Promise<void>
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** ids fit to look up: distinct, 1–250 characters */
export function lookupableIds(ids: Iterable<string>): string[] {
  const out = new Set<string>()
  for (const id of ids) {
    const length = [...id].length
    if (length >= 1 && length <= CATALOG_ITEM_ID_MAX_CHARS) out.add(id)
  }
  return [...out]
}

function endpoint(options: CatalogLookupOptions): URL {
  const url = new URL(options.baseUrl)
  const base = url.pathname.replace(/\/+$/, '')
  const endpoint = new URL(`${url.origin}${base}${CATALOG_PATH}`)
  if (!constructorKeySchema.safeParse(options.apiKey).success) throw new Error('invalid Constructor API key')
  endpoint.searchParams.set('key', options.apiKey)
  if (options.section !== undefined && constructorSectionSchema.safeParse(options.section).success)
    endpoint.searchParams.set('section', options.section)
  return endpoint
}

/** splits ids into requests of at most 1,000 ids and a bounded URL length */
export function catalogBatches(ids: string[], baseLength = 200): string[][] {
  const batches: string[][] = []
  let current: string[] = []
  let length = baseLength
  for (const id of ids) {
    const part = `&id=${encodeURIComponent(id)}`.length
    if (
      current.length > 0 &&
      (current.length >= CATALOG_BATCH_MAX_IDS || length + part > CATALOG_URL_MAX_CHARS)
    ) {
      batches.push(current)
      current = []
      length = baseLength
    }
    current.push(id)
    length += part
  }
  if (current.length > 0) batches.push(current)
  return batches
}

type Answer =
  | { kind: 'ok'; ids: string[] }
  | { kind: 'retry'; waitMs?: number; reason: CatalogUnavailableReason; message: string }
  | { kind: 'stop'; reason: CatalogUnavailableReason; message: string }

async function readLimited(response: Response): Promise<string | undefined> {
  const length = Number(response.headers.get('content-length') ?? '0')
  if (length > CATALOG_RESPONSE_MAX_BYTES) {
    await response.body?.cancel()
    return undefined
  }
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > CATALOG_RESPONSE_MAX_BYTES) {
      await reader.cancel()
      return undefined
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

function itemIds(body: unknown): string[] | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const items = (body as { items?: unknown }).items
  if (!Array.isArray(items)) return undefined
  const ids: string[] = []
  for (const item of items) {
    const id = (item as { id?: unknown } | null)?.id
    if (typeof id === 'string') ids.push(id)
  }
  return ids
}

// Looks the ids up in batches, one request at a time; stops at the first batch that cannot be answered.
export async function lookupCatalogItems(
  options: CatalogLookupOptions,
  ids: Iterable<string>,
): Promise<CatalogLookupResult> {
  const url = endpoint(options)
  const authorization = `Basic ${Buffer.from(`${options.token}:`).toString('base64')}`
  const timeoutMs = options.requestTimeoutMs ?? CATALOG_REQUEST_TIMEOUT_MS
  const deadline = Date.now() + (options.budgetMs ?? CATALOG_CHECK_BUDGET_MS)
  const sleep = options.sleep ?? defaultSleep
  const result: CatalogLookupResult = { found: new Set(), checked: new Set(), requests: 0 }
  const baseLength = url.toString().length + '&num_results_per_page=1000'.length

  async function ask(batch: string[]): Promise<Answer> {
    const request = new URL(url)
    request.searchParams.set('num_results_per_page', String(batch.length))
    for (const id of batch) request.searchParams.append('id', id)
    const remaining = deadline - Date.now()
    if (remaining <= 0)
      return { kind: 'stop', reason: 'timeout', message: 'the catalog check ran out of time' }
    result.requests++
    let response: Response
    try {
      response = await fetch(request, {
        headers: { authorization, accept: 'application/json', 'user-agent': 'storefront-sync' },
        signal: AbortSignal.timeout(Math.min(timeoutMs, remaining)),
        redirect: 'manual',
      })
    } catch (error) {
      const e = error as Error
      if (e.name === 'TimeoutError' || e.name === 'AbortError')
        return { kind: 'stop', reason: 'timeout', message: `no answer within ${timeoutMs} ms` }
      // refused or unreachable: asking again soon rarely helps, and a submission should not wait for it
      return { kind: 'stop', reason: 'network', message: redactSecret(e.message, options.token) }
    }
    try {
      const status = response.status
      if (status === 401 || status === 403) {
        await response.body?.cancel()
        return {
          kind: 'stop',
          reason: 'unauthorized',
          message: `the API token may not read the catalog (HTTP ${status})`,
        }
      }
      if (status === 429) {
        await response.body?.cancel()
        const waitMs = parseRetryAfter(response.headers.get('retry-after') ?? undefined)
        return { kind: 'retry', reason: 'rate_limited', message: 'Constructor is rate limiting', waitMs }
      }
      if (status >= 500) {
        await response.body?.cancel()
        return { kind: 'retry', reason: 'server_error', message: `Constructor answered HTTP ${status}` }
      }
      if (status !== 200) {
        await response.body?.cancel()
        return { kind: 'stop', reason: 'bad_response', message: `Constructor answered HTTP ${status}` }
      }
      const text = await readLimited(response)
      if (text === undefined)
        return { kind: 'stop', reason: 'bad_response', message: 'the catalog answer was too large' }
      let body: unknown
      try {
        body = JSON.parse(text)
      } catch {
        return { kind: 'stop', reason: 'bad_response', message: 'the catalog answer was not JSON' }
      }
      const found = itemIds(body)
      if (!found)
        return { kind: 'stop', reason: 'bad_response', message: 'the catalog answer had no items list' }
      return { kind: 'ok', ids: found }
    } catch (error) {
      const e = error as Error
      if (e.name === 'TimeoutError' || e.name === 'AbortError')
        return { kind: 'stop', reason: 'timeout', message: `no complete answer within ${timeoutMs} ms` }
      return { kind: 'stop', reason: 'network', message: redactSecret(e.message, options.token) }
    }
  }

  for (const batch of catalogBatches(lookupableIds(ids), baseLength)) {
    let answer = await ask(batch)
    // 429 waits as long as Retry-After says, else exponential back-off with jitter, as does a 5xx
    for (let attempt = 1; answer.kind === 'retry' && attempt <= MAX_RETRIES; attempt++) {
      const backoff = 500 * 2 ** (attempt - 1) * (0.5 + Math.random() / 2)
      const waitMs = answer.waitMs ?? backoff
      if (Date.now() + waitMs >= deadline) break
      await sleep(waitMs)
      answer = await ask(batch)
    }
    if (answer.kind !== 'ok') {
      result.unavailable = { reason: answer.reason, message: answer.message }
      return result
    }
    const asked = new Set(batch)
    for (const id of answer.ids) if (asked.has(id)) result.found.add(id)
    for (const id of batch) result.checked.add(id)
  }
  return result
}
