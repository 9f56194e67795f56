import 'server-only'
import { cache } from 'react'
import { scopeWhere } from '@/lib/auth/action'
import type { Caller } from '@/lib/auth/caller'
import { db, Prisma } from '@/lib/db'
import { apiReason, failedReasonMessage, isUnsentReason, reasonInfo, unsentReason } from '@/lib/sales/reasons'
import type { ReturnFlag } from '@/lib/sales/return-flags'
import { RETURN_FLAGS_COLUMN, returnFlagWhere, SALE_AMOUNT } from '@/lib/sales/returns'
import type { EventStatus, SalesFilter, SalesTableParams } from '@/lib/sales/search-params'
import { zonedWallTimeToUtc } from '@/lib/time/zoned'

// Sales reads: every one takes the caller and stays inside their stores. The sales table's query is
// hand-written SQL so each filter and sort lands on an index at a million events (docs/performance.md).

const sql = Prisma.sql
const join = Prisma.join

export type VisibleStore = {
  id: string
  code: string
  name: string
  timeZone: string
  currency: string
  locale: string
}

/** the stores the caller may see, for filters, zones and currencies (memoised per request) */
export const getVisibleStores = cache(async (caller: Caller): Promise<VisibleStore[]> => {
  return db.store.findMany({
    where: caller.allStores ? {} : { id: { in: caller.storeIds } },
    select: { id: true, code: true, name: true, timeZone: true, currency: true, locale: true },
    orderBy: { code: 'asc' },
  })
})

/** event counts by status across the caller's stores */
export async function getStatusCounts(caller: Caller) {
  const grouped = await db.saleEvent.groupBy({
    by: ['status'],
    where: scopeWhere(caller),
    _count: { _all: true },
  })
  return Object.fromEntries(grouped.map((g) => [g.status, g._count._all])) as Partial<Record<string, number>>
}

/** the latest events, newest first */
export async function getRecentSaleEvents(caller: Caller, take = 50) {
  return db.saleEvent.findMany({
    where: scopeWhere(caller),
    orderBy: { occurredAt: 'desc' },
    take,
    include: { store: { select: { code: true, timeZone: true, currency: true, locale: true } } },
  })
}

// ——— the sales table ———

/** the reason code of one validation issue (field + message): the database function sale_issue_reason
 * (migration 20261128005311_search_apart) is its one definition; lib/sales/reasons.ts labels each code */
const ISSUE_REASON = sql`sale_issue_reason(i->>'field', i->>'message')`
const ISSUES = sql`jsonb_array_elements(CASE WHEN jsonb_typeof(e.issues) = 'array' THEN e.issues ELSE '[]'::jsonb END)`

/** events in a reason group: an INVALID event with such an issue, or a FAILED one with that message, refused by
 * Constructor or not sent by us (a failure recorded before the kind existed counts as refused) */
export function reasonWhere(reason: string): Prisma.Sql {
  const message = failedReasonMessage(reason)
  if (message !== null) {
    const kind = isUnsentReason(reason)
      ? sql`e."failureKind" = 'NOT_SENT'`
      : sql`e."failureKind" IS DISTINCT FROM 'NOT_SENT'`
    return message
      ? sql`(e."attentionStatus" = 'FAILED' AND ${kind} AND e."lastError" = ${message})`
      : sql`(e."attentionStatus" = 'FAILED' AND ${kind} AND e."lastError" IS NULL)`
  }
  // the same expression and predicate as the partial GIN index "SaleEvent_invalid_reasons_idx", so it is used
  return sql`(e."attentionStatus" = 'INVALID' AND sale_issue_reasons(e.issues) @> ARRAY[${reason}]::text[])`
}

/**
 * The same events, tested row by row while an index is walked in the table's sort order. The GIN index finds
 * every match but not in order, so a page of many matches would read them all; reading each row's issues
 * costs less than calling the indexed function (it sets search_path on every call).
 */
function reasonWhileWalking(reason: string): Prisma.Sql {
  if (failedReasonMessage(reason) !== null) return reasonWhere(reason)
  return sql`(e."attentionStatus" = 'INVALID' AND EXISTS (SELECT 1 FROM ${ISSUES} i WHERE ${ISSUE_REASON} = ${reason}))`
}

/** the statuses kept in the indexed "attentionStatus" column (migration 20261128100000_hot_status_changes) */
const ATTENTION_STATUSES = new Set<string>(['INVALID', 'FAILED', 'EXCLUDED'])

function likePattern(q: string) {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
}

/** local date (YYYY-MM-DD) at 00:00 in a zone, as a UTC instant */
function startOfLocalDay(date: string, timeZone: string, addDays = 0) {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const day = new Date(Date.UTC(y, m - 1, d + addDays))
  return new Date(
    zonedWallTimeToUtc(timeZone, day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), 0, 0).utcMs,
  )
}

type FilterParts = {
  /** the stores to look in; null: every store (an admin without a store filter) */
  storeIds: string[] | null
  /** every other condition but the reason */
  conds: Prisma.Sql[]
  /** a reason group of the failures inbox (see reasonWhere) */
  reason: string | null
  /** a local date range is part of the filter */
  dateRange: boolean
}

async function salesFilterParts(caller: Caller, filter: SalesFilter): Promise<FilterParts> {
  const visible = await getVisibleStores(caller)
  const stores = filter.store.length ? visible.filter((s) => filter.store.includes(s.code)) : visible
  const storeIds = filter.store.length || !caller.allStores ? stores.map((s) => s.id) : null
  const conds: Prisma.Sql[] = []
  if (filter.status.length) {
    // the statuses a person acts on are indexed through "attentionStatus" (the same value, NULL for the others,
    // so that submitting changes rows in place); READY, QUEUED and SUBMITTED walk the time index
    conds.push(
      filter.status.every((s) => ATTENTION_STATUSES.has(s))
        ? sql`e."attentionStatus" = ANY(${filter.status}::"EventStatus"[])`
        : sql`e.status = ANY(${filter.status}::"EventStatus"[])`,
    )
  }
  if (filter.kind.length === 1) conds.push(sql`e.kind = ${filter.kind[0]}::"EventKind"`)
  if (filter.from || filter.to) {
    // one range per time zone, so each still uses the (storeId, occurredAt) or (occurredAt) index
    const zones = new Map<string, string[]>()
    for (const s of stores) zones.set(s.timeZone, [...(zones.get(s.timeZone) ?? []), s.id])
    const ranges = [...zones].map(([zone, ids]) => {
      const bounds: Prisma.Sql[] = []
      if (filter.from) bounds.push(sql`e."occurredAt" >= ${startOfLocalDay(filter.from, zone)}`)
      if (filter.to) bounds.push(sql`e."occurredAt" < ${startOfLocalDay(filter.to, zone, 1)}`)
      const inZone = zones.size > 1 ? [sql`e."storeId" = ANY(${ids}::uuid[])`] : []
      return sql`(${join([...inZone, ...bounds], ' AND ')})`
    })
    conds.push(ranges.length ? sql`(${join(ranges, ' OR ')})` : sql`FALSE`)
  }
  if (filter.upload) conds.push(sql`e."uploadId" = ${filter.upload}::uuid`)
  if (filter.returns) conds.push(returnFlagWhere(filter.returns))
  if (filter.batch)
    conds.push(
      sql`e.id IN (SELECT be."eventId" FROM "BatchMember" be WHERE be."batchId" = ${filter.batch}::uuid)`,
    )
  if (filter.q) {
    // three or more characters: a substring anywhere (trigram indexes); fewer: an exact id
    const q = filter.q
    conds.push(
      q.length >= 3
        ? sql`e.id IN (
            SELECT "eventId" FROM "SaleEventSearch" WHERE "orderId" ILIKE ${likePattern(q)}
            UNION SELECT "eventId" FROM "SaleEventSearch" WHERE "customerId" ILIKE ${likePattern(q)}
            UNION SELECT "eventId" FROM "LineItem" WHERE "itemId" IN (
              SELECT "itemId" FROM "ItemIdSearch" WHERE "itemId" ILIKE ${likePattern(q)}))`
        : sql`e.id IN (
            SELECT id FROM "SaleEvent" WHERE "orderId" = ${q}
            UNION SELECT "eventId" FROM "LineItem" WHERE "itemId" = ${q})`,
    )
  }
  return { storeIds, conds, reason: filter.reason, dateRange: Boolean(filter.from || filter.to) }
}

/** the filter as one condition; `walking`: the page walks an index in sort order and tests each row */
function whereOf(parts: FilterParts, store?: string, walking = false): Prisma.Sql {
  const all = [...parts.conds]
  if (parts.reason) all.push(walking ? reasonWhileWalking(parts.reason) : reasonWhere(parts.reason))
  if (store) all.unshift(sql`e."storeId" = ${store}::uuid`)
  else if (parts.storeIds) {
    if (parts.storeIds.length === 0) return sql`FALSE`
    all.unshift(sql`e."storeId" = ANY(${parts.storeIds}::uuid[])`)
  }
  return all.length ? join(all, ' AND ') : sql`TRUE`
}

/**
 * The WHERE clause of a filter inside the caller's stores. Store codes the caller cannot see match
 * nothing (never another store's rows); dates are each store's local days.
 */
export async function salesWhere(caller: Caller, filter: SalesFilter): Promise<Prisma.Sql> {
  return whereOf(await salesFilterParts(caller, filter))
}

function orderBy(sort: SalesTableParams['sort']) {
  const dir = Prisma.raw(sort.desc ? 'DESC' : 'ASC')
  switch (sort.id) {
    case 'orderId':
      return sql`e."orderId" ${dir}, e.id ${dir}`
    case 'revenue':
      return sql`e."itemsTotal" ${dir}, e.id ${dir}`
    default:
      // events without a time (INVALID) come first when newest are first: they need attention
      return sort.desc
        ? sql`e."occurredAt" DESC NULLS FIRST, e.id DESC`
        : sql`e."occurredAt" ASC NULLS LAST, e.id ASC`
  }
}

export type SaleEventRow = {
  id: string
  storeId: string
  storeCode: string
  timeZone: string
  currency: string
  locale: string
  orderId: string
  kind: 'PURCHASE' | 'RETURN'
  occurredAt: Date | null
  customerId: string | null
  itemCount: number
  /** the sale's amount as every figure shows it (SALE_AMOUNT: a return's refund), as a decimal string */
  revenue: string
  /** warnings about a return and its purchase (empty for a purchase) */
  returnFlags: ReturnFlag[]
  status: EventStatus
  /** the first validation issue, or the API's message for a failed event */
  reason: string | null
  issueCount: number
  uploadId: string | null
  uploadName: string | null
  /** the open batch, else the latest batch it was in */
  batchId: string | null
  version: number
}

/** beyond this many matches the table says "more than" instead of counting every row */
export const COUNT_LIMIT = 10_000

export type SaleEventsPage = {
  rows: SaleEventRow[]
  /** exact up to COUNT_LIMIT; COUNT_LIMIT + 1 means "more than COUNT_LIMIT" */
  rowCount: number
  countCapped: boolean
}

/** how many match, up to COUNT_LIMIT + 1 (an index-only scan that stops early) */
function countSql(parts: FilterParts) {
  return sql`SELECT count(*)::int AS n FROM (SELECT 1 FROM "SaleEvent" e WHERE ${whereOf(parts)} LIMIT ${COUNT_LIMIT + 1}) c`
}

/**
 * The ids of one page. Few matches (the count says so): take them all, then sort — walking a sort index
 * would skip over most of the table. Many matches: walk the sort order, per store (a merge of one
 * ordered index scan per store), so the page costs what it shows. A date range sorted by something
 * else than time is always taken first: order ids and amounts grow with time, so matches bunch up.
 * So is a reason group sorted oldest first: its events without a time come last, and a reason about
 * the time has no others, so a walk would test every dated event first.
 */
function pageIdsSql(parts: FilterParts, params: SalesTableParams, matched: number) {
  const offset = (params.page - 1) * params.size
  const cols = sql`e.id, e."occurredAt", e."orderId", e."itemsTotal"`
  const order = orderBy(params.sort)
  const byTime = params.sort.id === 'occurredAt'
  if (matched <= COUNT_LIMIT || (parts.dateRange && !byTime) || (parts.reason && byTime && !params.sort.desc))
    return sql`SELECT e.id FROM (SELECT ${cols} FROM "SaleEvent" e WHERE ${whereOf(parts)} OFFSET 0) e
      ORDER BY ${order} LIMIT ${params.size} OFFSET ${offset}`
  if (parts.storeIds && parts.storeIds.length > 1 && parts.storeIds.length <= 50) {
    const branches = parts.storeIds.map(
      (store) =>
        sql`(SELECT ${cols} FROM "SaleEvent" e WHERE ${whereOf(parts, store)} ORDER BY ${order} LIMIT ${offset + params.size})`,
    )
    return sql`SELECT e.id FROM (${join(branches, ' UNION ALL ')}) e ORDER BY ${order} LIMIT ${params.size} OFFSET ${offset}`
  }
  const store = parts.storeIds?.length === 1 ? parts.storeIds[0] : undefined
  if (parts.reason && byTime) return newestOfReasonSql(parts, store, params.size, offset)
  const where = whereOf(parts, store, true)
  return sql`SELECT e.id FROM "SaleEvent" e WHERE ${where} ORDER BY ${order} LIMIT ${params.size} OFFSET ${offset}`
}

/**
 * A page of a large reason group, newest first: its events without a time come first. Walking the time
 * index would test every event without a time before the first dated one, so those of the group come from
 * the reasons index (intersected with the time index's NULLs, no row read for the others), and the dated
 * ones are walked only for what the page still needs.
 */
function newestOfReasonSql(parts: FilterParts, store: string | undefined, size: number, offset: number) {
  const needed = offset + size
  return sql`
    WITH untimed AS MATERIALIZED (
      SELECT e.id FROM "SaleEvent" e WHERE ${whereOf(parts, store)} AND e."occurredAt" IS NULL
      ORDER BY e.id DESC LIMIT ${needed})
    SELECT e.id FROM (
      SELECT id, NULL::timestamptz AS "occurredAt" FROM untimed
      UNION ALL
      (SELECT e.id, e."occurredAt" FROM "SaleEvent" e
       WHERE ${whereOf(parts, store, true)} AND e."occurredAt" IS NOT NULL
       ORDER BY e."occurredAt" DESC, e.id DESC LIMIT ${needed}::bigint - (SELECT count(*) FROM untimed))
    ) e
    ORDER BY ${orderBy({ id: 'occurredAt', desc: true })} LIMIT ${size} OFFSET ${offset}`
}

function pageSql(parts: FilterParts, params: SalesTableParams, matched: number) {
  return sql`
      WITH page AS MATERIALIZED (${pageIdsSql(parts, params, matched)})
      SELECT e.id, e."storeId", s.code AS "storeCode", s."timeZone", s.currency, s.locale, e."orderId",
        e.kind::text AS kind, e."occurredAt", e."customerId", e."itemCount",
        ${SALE_AMOUNT}::text AS revenue, ${RETURN_FLAGS_COLUMN} AS "returnFlags", e.status::text AS status,
        CASE WHEN e.status = 'FAILED' THEN e."lastError" ELSE e.issues->0->>'message' END AS reason,
        CASE WHEN jsonb_typeof(e.issues) = 'array' THEN jsonb_array_length(e.issues) ELSE 0 END AS "issueCount",
        e."uploadId", u."fileName" AS "uploadName",
        coalesce(e."openBatchId", (SELECT be."batchId" FROM "BatchEvent" be WHERE be."eventId" = e.id
          ORDER BY be."batchId" DESC LIMIT 1)) AS "batchId",
        e.version
      FROM page JOIN "SaleEvent" e ON e.id = page.id
      JOIN "Store" s ON s.id = e."storeId"
      LEFT JOIN "Upload" u ON u.id = e."uploadId"
      ORDER BY ${orderBy(params.sort)}`
}

/** the statements behind one page of the table, as getSaleEvents runs them (for the benchmark's EXPLAIN) */
export async function salesPageSql(caller: Caller, params: SalesTableParams) {
  const parts = await salesFilterParts(caller, params)
  const count = countSql(parts)
  const matched = (await db.$queryRaw<{ n: number }[]>(count))[0]?.n ?? 0
  return { count, page: pageSql(parts, params, matched) }
}

/**
 * One page of the sales table, with its count, from one transaction: the count first (capped), which
 * chooses how the page is found; only the page's rows are joined to stores, uploads and batches.
 */
export async function getSaleEvents(caller: Caller, params: SalesTableParams): Promise<SaleEventsPage> {
  const parts = await salesFilterParts(caller, params)
  return db.$transaction(async (tx) => {
    const n = (await tx.$queryRaw<{ n: number }[]>(countSql(parts)))[0]?.n ?? 0
    const rows = n === 0 ? [] : await tx.$queryRaw<SaleEventRow[]>(pageSql(parts, params, n))
    return { rows, rowCount: n, countCapped: n > COUNT_LIMIT }
  })
}

/** what the filter bar offers: only the caller's stores and uploads */
export async function getSalesFilterOptions(caller: Caller) {
  const [stores, uploads] = await Promise.all([
    getVisibleStores(caller),
    db.upload.findMany({
      where: {
        ...(caller.allStores ? {} : { storeId: { in: caller.storeIds } }),
        status: 'COMMITTED',
      },
      orderBy: { createdAt: 'desc' },
      take: 30,
      select: { id: true, fileName: true, store: { select: { code: true } } },
    }),
  ])
  return {
    stores: stores.map((s) => ({ code: s.code, name: s.name })),
    uploads: uploads.map((u) => ({ id: u.id, label: `${u.fileName}${u.store ? ` (${u.store.code})` : ''}` })),
  }
}

// ——— one event ———

const BATCH_IN_HISTORY = {
  id: true,
  status: true,
  createdAt: true,
  finishedAt: true,
  attemptsLog: { orderBy: { number: 'asc' as const } },
} satisfies Prisma.BatchSelect

/** every batch the event was in, oldest first, with what happened to it there; the open batch (if any) last, pending */
async function getEventBatches(eventId: string, openBatchId: string | null) {
  const [decided, ahead] = await Promise.all([
    db.batchEvent.findMany({ where: { eventId }, orderBy: { batchId: 'asc' } }),
    // its place in the open batch's next request (events are sent in id order)
    openBatchId
      ? db
          .$queryRaw<{ n: number }[]>(sql`
            SELECT count(*)::int AS n FROM "Batch" b CROSS JOIN LATERAL unnest(b."eventIds") AS x(id)
            JOIN "SaleEvent" e ON e.id = x.id AND e."openBatchId" = b.id
            WHERE b.id = ${openBatchId}::uuid AND x.id < ${eventId}::uuid`)
          .then((r) => r[0]?.n ?? 0)
      : 0,
  ])
  const members = openBatchId
    ? [
        ...decided,
        { batchId: openBatchId, eventId, position: ahead, outcome: 'PENDING' as const, error: null },
      ]
    : decided
  const batches = await db.batch.findMany({
    where: { id: { in: members.map((m) => m.batchId) } },
    select: BATCH_IN_HISTORY,
  })
  return members.flatMap((m) => {
    const batch = batches.find((b) => b.id === m.batchId)
    return batch ? [{ ...m, batch }] : []
  })
}

/** an event with its items, store, upload, every batch and attempt, and who changed it; null when not the caller's */
export async function getSaleEventDetail(caller: Caller, id: string) {
  const event = await db.saleEvent.findFirst({
    where: { id, ...scopeWhere(caller) },
    include: {
      store: { select: { id: true, code: true, name: true, timeZone: true, currency: true, locale: true } },
      lineItems: { orderBy: { lineNumber: 'asc' } },
      upload: { select: { id: true, fileName: true, createdAt: true, uploaderId: true } },
    },
  })
  if (!event) return null
  const batchEvents = await getEventBatches(event.id, event.openBatchId)
  const [trail, people] = await Promise.all([
    db.auditLog.findMany({
      where: { entity: 'SaleEvent', entityId: id },
      orderBy: { at: 'asc' },
      select: { id: true, action: true, actorEmail: true, at: true, details: true },
    }),
    db.user.findMany({
      where: { id: { in: [event.createdById, event.upload?.uploaderId].filter((x): x is string => !!x) } },
      select: { id: true, email: true, name: true },
    }),
  ])
  const person = (uid: string | null | undefined) => people.find((p) => p.id === uid) ?? null
  return {
    ...event,
    batchEvents,
    createdBy: person(event.createdById),
    uploadedBy: person(event.upload?.uploaderId),
    trail,
  }
}
export type SaleEventDetail = NonNullable<Awaited<ReturnType<typeof getSaleEventDetail>>>

// ——— the failures inbox ———

export type FailureGroup = {
  code: string
  label: string
  help: string
  fix: string | null
  events: number
  /** one of the messages, to show what it looks like */
  sample: string | null
  status: 'INVALID' | 'FAILED'
}

export const EMPTY_FILTER: SalesFilter = {
  status: [],
  store: [],
  kind: [],
  from: null,
  to: null,
  upload: null,
  batch: null,
  q: null,
  reason: null,
  returns: null,
}

/** INVALID and FAILED events of the caller's stores, grouped by reason, largest group first */
export async function getFailureGroups(caller: Caller): Promise<FailureGroup[]> {
  const scope = await salesWhere(caller, EMPTY_FILTER)
  const [invalid, failed] = await db.$transaction([
    db.$queryRaw<{ code: string; events: number; sample: string | null }[]>(sql`
      SELECT r.code, count(DISTINCT e.id)::int AS events, min(r.message) AS sample
      FROM "SaleEvent" e, LATERAL (SELECT ${ISSUE_REASON} AS code, i->>'message' AS message FROM ${ISSUES} i) r
      WHERE e."attentionStatus" = 'INVALID' AND ${scope}
      GROUP BY r.code`),
    db.$queryRaw<{ message: string | null; notSent: boolean; events: number }[]>(sql`
      SELECT e."lastError" AS message, e."failureKind" IS NOT DISTINCT FROM 'NOT_SENT' AS "notSent",
        count(*)::int AS events FROM "SaleEvent" e
      WHERE e."attentionStatus" = 'FAILED' AND ${scope} GROUP BY 1, 2`),
  ])
  const groups: FailureGroup[] = [
    ...invalid.map((g) => {
      const info = reasonInfo(g.code)
      return {
        code: g.code,
        label: info.label,
        help: info.help,
        fix: info.fix ?? null,
        events: g.events,
        sample: g.sample,
        status: 'INVALID' as const,
      }
    }),
    ...failed.map((g) => {
      const code = g.notSent ? unsentReason(g.message ?? '') : apiReason(g.message ?? '')
      const info = reasonInfo(code)
      return {
        code,
        label: info.label,
        help: info.help,
        fix: null,
        events: g.events,
        sample: g.message,
        status: 'FAILED' as const,
      }
    }),
  ]
  return groups.sort((a, b) => b.events - a.events || a.label.localeCompare(b.label))
}

/** the items without a price in the "price missing" group, so each gets its price once */
export async function getItemsMissingPrice(caller: Caller, limit = 50) {
  const scope = await salesWhere(caller, EMPTY_FILTER)
  return db.$queryRaw<
    { itemId: string | null; itemName: string | null; lines: number; events: number }[]
  >(sql`
    SELECT li."itemId", li."itemName", count(*)::int AS lines, count(DISTINCT e.id)::int AS events
    FROM "SaleEvent" e JOIN "LineItem" li ON li."eventId" = e.id
    WHERE e."attentionStatus" = 'INVALID' AND e."openBatchId" IS NULL AND li."unitPrice" IS NULL AND ${scope}
      AND (li."itemId" IS NOT NULL OR li."itemName" IS NOT NULL)
    GROUP BY li."itemId", li."itemName" ORDER BY count(*) DESC, li."itemId" NULLS LAST LIMIT ${limit}`)
}

/** READY events a person corrected and nobody has sent yet: what "resubmit fixed" sends */
export async function countFixedReady(caller: Caller) {
  const scope = await salesWhere(caller, EMPTY_FILTER)
  const rows = await db.$queryRaw<{ n: number }[]>(sql`
    SELECT count(*)::int AS n FROM "SaleEvent" e
    WHERE e.status = 'READY' AND e."openBatchId" IS NULL AND e."updatedById" IS NOT NULL AND ${scope}`)
  return rows[0]?.n ?? 0
}
