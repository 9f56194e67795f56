// What the batch transitions read and write besides a status: the claim a worker holds, the record of one request,
// the events a claim reads, and how a 400 splits a batch.

export const MAX_BATCH_SIZE = 100

export type AttemptOutcomeClass = 'ACCEPTED' | 'REJECTED' | 'UNAUTHORIZED' | 'RATE_LIMITED' | 'TRANSIENT'

/** what one request did, as stored on its BatchAttempt row */
export type AttemptRecord = {
  attemptId: string
  startedAt: Date
  finishedAt: Date
  httpStatus: number | null
  durationMs: number
  responseExcerpt: string | null
  retryAfterMs: number | null
  outcome: AttemptOutcomeClass
}

/** the claim a worker holds on a SENDING batch: the attempt number fences out anyone who claimed it later */
export type BatchClaim = {
  batchId: string
  attempt: number
  connectionId: string
  createdAt: Date
  attemptId: string
  /** earlier attempts that burned a retry: Constructor's transient or rate-limited answers (a lost one burns none) */
  failures: number
}

export type ClaimedEventRow = {
  id: string
  kind: 'PURCHASE' | 'RETURN'
  orderId: string
  occurredAt: Date | null
  customerId: string | null
  revenue: string | null
  returnExpenses: string | null
  refund: string | null
  returnShippingCost: string | null
  returnReason: string | null
  returnType: 'FULL' | 'PARTIAL' | null
  returnPreference: 'REFUND' | 'REPLACEMENT' | null
  returnDropOff: string | null
  storeCode: string
  /** the store's locale: a national phone number is read in its country */
  storeLocale: string
  latitude: string | null
  longitude: string | null
  lineItems: {
    lineNumber: number
    role: 'PURCHASED' | 'RETURNED' | 'KEPT' | 'CROSS_SOLD'
    itemId: string | null
    itemName: string | null
    variationId: string | null
    unitPrice: string | null
    quantity: number | null
  }[]
}

/** what the hot path's claim won: the claim with its events in request order */
export type BatchClaimWithEvents = { claim: BatchClaim; events: ClaimedEventRow[] }

// The open batch b's events in request order, as one JSON document (one value to read, not a row per event).
export const CLAIMED_EVENTS_SQL = `(SELECT json_agg(ev ORDER BY ev.id) FROM (
         SELECT e.id, e.kind, e."orderId", e."occurredAt", e."customerId", e.revenue::text AS revenue,
           e."returnExpenses"::text AS "returnExpenses", e.refund::text AS refund,
           e."returnShippingCost"::text AS "returnShippingCost", e."returnReason", e."returnType", e."returnPreference",
           e."returnDropOff", st.code AS "storeCode", st.locale AS "storeLocale", st.latitude, st.longitude,
           coalesce((SELECT json_agg(json_build_object('lineNumber', li."lineNumber", 'role', li.role,
               'itemId', li."itemId", 'itemName', li."itemName", 'variationId', li."variationId",
               'unitPrice', li."unitPrice"::text, 'quantity', li.quantity)) FROM "LineItem" li WHERE li."eventId" = e.id),
             '[]'::json) AS "lineItems"
         FROM unnest(b."eventIds") AS x(id)
         JOIN "SaleEvent" e ON e.id = x.id AND e."openBatchId" = b.id
         JOIN "Store" st ON st.id = e."storeId"
       ) AS ev)`

export type Isolation = {
  /** events that end FAILED, with the API's (or the payload builder's) message */
  failed: { eventId: string; error: string }[]
  /** events moved to a new child batch (the other half of a bisection); empty when none */
  moved: string[]
}
