import 'server-only'
import type { Caller } from '@/lib/auth/caller'
import { db, Prisma } from '@/lib/db'
import { SALE_AMOUNT } from '@/lib/sales/returns'

const sql = Prisma.sql

// The overview's figures, aggregated in SQL and scoped to the caller's stores. Rules, shown on the page too:
// - a day is a day in the store's own time zone; "all stores" adds each store's own local day of that date
// - revenue of an event = revenue when the source gave one, else itemsTotal (Σ price × quantity); purchases
//   only (a return's amount is not revenue); EXCLUDED events are left out of the daily figures
// - refunds of a return = its refund as given, else its revenue, else itemsTotal; net sales = revenue − refunds;
//   both are SALE_AMOUNT (lib/sales/returns.ts), the amount the Sales table shows on each row
// - success rate = submitted ÷ (submitted + failed) events, as their statuses stand now
// - oldest unsubmitted = the earliest sale time among INVALID, READY, QUEUED and FAILED events (an invalid
//   event without a readable time has no age)
// - last successful submission = the newest batch that succeeded with an event of the store (the time its
//   events got as submittedAt; a corrected event keeps it)

export const OVERVIEW_DAYS = 30
export const PIPELINE_STATUSES = ['INVALID', 'READY', 'QUEUED', 'SUBMITTED', 'FAILED'] as const
export type PipelineStatus = (typeof PIPELINE_STATUSES)[number]
export type PipelineCounts = Record<PipelineStatus, number>

export type OverviewStore = {
  id: string
  code: string
  name: string
  timeZone: string
  currency: string
  locale: string
  active: boolean
}

export type DayFigures = {
  /** YYYY-MM-DD in the store's time zone */
  day: string
  events: number
  returns: number
  /** exact decimal string */
  revenue: string
  /** what the day's returns refunded */
  refunds: string
  /** net sales: revenue − refunds */
  net: string
  submitted: number
  submittedRevenue: string
  /** net sales of the submitted events */
  submittedNet: string
}

/** missing: no sales that day; partial: some not submitted; before-first: earlier than the store's first sale */
export type CalendarState = 'complete' | 'partial' | 'missing' | 'before-first' | 'today'
export type CalendarDay = DayFigures & { state: CalendarState }

/** the window's days added up (exact decimal strings) */
export type WindowTotals = {
  days: number
  revenue: string
  refunds: string
  net: string
  submittedNet: string
}

export type StoreOverview = {
  store: OverviewStore
  today: string
  days: CalendarDay[]
  window: WindowTotals
  pipeline: PipelineCounts
  successRate: number | null
  oldestUnsubmittedAt: Date | null
  lastSubmittedAt: Date | null
}

export type CurrencyDay = { day: string; currency: string; revenue: string }

export type Overview = {
  generatedAt: Date
  stores: StoreOverview[]
  totals: {
    pipeline: PipelineCounts
    successRate: number | null
    oldestUnsubmittedAt: Date | null
    lastSubmittedAt: Date | null
    /** date labels (each store's own local day), oldest first */
    days: string[]
    /** revenue and net sales per currency per date label: never a sum across currencies */
    revenueByCurrency: {
      currency: string
      locale: string
      days: { day: string; revenue: string; net: string }[]
    }[]
  }
}

type StoreRow = OverviewStore & { today: string; firstSaleDay: string | null }

const emptyPipeline = (): PipelineCounts => ({ INVALID: 0, READY: 0, QUEUED: 0, SUBMITTED: 0, FAILED: 0 })

export function successRate(p: PipelineCounts) {
  const finished = p.SUBMITTED + p.FAILED
  return finished === 0 ? null : p.SUBMITTED / finished
}

/** YYYY-MM-DD plus n days (calendar arithmetic on a date, no time zone involved) */
export function addDays(day: string, n: number) {
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}

// Decimal strings added exactly: scaled to 4 places (the column's scale) as bigint.
function addDecimal(a: string, b: string) {
  const scale = (s: string) => {
    const neg = s.startsWith('-')
    const [int = '0', frac = ''] = (neg ? s.slice(1) : s).split('.')
    const v = BigInt(int + frac.padEnd(4, '0').slice(0, 4))
    return neg ? -v : v
  }
  const sum = scale(a) + scale(b)
  const neg = sum < 0n
  const digits = (neg ? -sum : sum).toString().padStart(5, '0')
  const out = `${digits.slice(0, -4)}.${digits.slice(-4)}`.replace(/\.?0+$/, '')
  return (neg ? '-' : '') + (out === '' ? '0' : out)
}

/** the caller's stores, or one of them (by code); null when the code is not one of theirs */
async function storesInScope(caller: Caller, now: Date, storeCode?: string): Promise<StoreRow[] | null> {
  const rows = await db.$queryRaw<StoreRow[]>(sql`
    SELECT s.id::text, s.code, s.name, s."timeZone", s.currency, s.locale, s.active,
       to_char((${now}::timestamptz AT TIME ZONE s."timeZone")::date, 'YYYY-MM-DD') AS today,
       to_char((SELECT min(e."occurredAt") FROM "SaleEvent" e WHERE e."storeId" = s.id) AT TIME ZONE s."timeZone",
         'YYYY-MM-DD') AS "firstSaleDay"
     FROM "Store" s
     WHERE s.id = ANY(${caller.storeIds}::uuid[]) AND (${storeCode ?? null}::text IS NULL OR s.code = ${storeCode ?? null}::text)
     ORDER BY s.code`)
  if (storeCode && rows.length === 0) return null
  return rows
}

// One index range scan per store on (storeId, occurredAt), bounded by the store's local days. The row
// comparison can only be served by that composite index: without it PostgreSQL picks the occurredAt
// index and reads every store's last 30 days once per store (figures in docs/performance.md).
async function dailyFigures(storeIds: string[], now: Date) {
  return db.$queryRaw<(DayFigures & { storeId: string })[]>(sql`
    SELECT s.id::text AS "storeId", d.day, d.events, d.returns, d.revenue, d.refunds, d.net, d.submitted,
       d."submittedRevenue", d."submittedNet"
     FROM "Store" s
     CROSS JOIN LATERAL (SELECT (${now}::timestamptz AT TIME ZONE s."timeZone")::date AS today) t
     CROSS JOIN LATERAL (
       SELECT (t.today - ${OVERVIEW_DAYS - 1}::int)::timestamp AT TIME ZONE s."timeZone" AS lo,
         (t.today + 1)::timestamp AT TIME ZONE s."timeZone" AS hi
     ) w
     CROSS JOIN LATERAL (
       SELECT to_char((e."occurredAt" AT TIME ZONE s."timeZone")::date, 'YYYY-MM-DD') AS day,
         count(*)::int AS events,
         count(*) FILTER (WHERE e.kind = 'RETURN')::int AS returns,
         coalesce(sum(${SALE_AMOUNT}) FILTER (WHERE e.kind = 'PURCHASE'), 0)::text AS revenue,
         coalesce(sum(${SALE_AMOUNT}) FILTER (WHERE e.kind = 'RETURN'), 0)::text AS refunds,
         coalesce(sum(CASE WHEN e.kind = 'RETURN' THEN -${SALE_AMOUNT} ELSE ${SALE_AMOUNT} END), 0)::text AS net,
         count(*) FILTER (WHERE e.status = 'SUBMITTED')::int AS submitted,
         coalesce(sum(${SALE_AMOUNT}) FILTER (WHERE e.kind = 'PURCHASE' AND e.status = 'SUBMITTED'), 0)::text
           AS "submittedRevenue",
         coalesce(sum(CASE WHEN e.kind = 'RETURN' THEN -${SALE_AMOUNT} ELSE ${SALE_AMOUNT} END)
           FILTER (WHERE e.status = 'SUBMITTED'), 0)::text AS "submittedNet"
       FROM "SaleEvent" e
       WHERE e."storeId" = s.id AND (e."storeId", e."occurredAt") >= (s.id, w.lo) AND e."occurredAt" < w.hi
         AND e.status <> 'EXCLUDED'
       GROUP BY 1
     ) d
     WHERE s.id = ANY(${storeIds}::uuid[])`)
}

// Per store: counts by status read the store's events (no index names the status itself, so that submitting
// changes rows in place, migration 20261128100000_hot_status_changes); the oldest unsubmitted event is two
// lookups in the (attentionStatus) index and one walk of the time index that stops at the first READY or QUEUED
// event. The last submission is the store's newest SUCCEEDED batch.
async function pipelineFigures(storeIds: string[]) {
  const [counts, times] = await Promise.all([
    db.$queryRaw<{ storeId: string; status: string; n: number }[]>(sql`
      SELECT s.id::text AS "storeId", c.status, c.n
       FROM "Store" s
       CROSS JOIN LATERAL (
         SELECT status::text, count(*)::int AS n FROM "SaleEvent" e WHERE e."storeId" = s.id GROUP BY e.status
       ) c
       WHERE s.id = ANY(${storeIds}::uuid[])`),
    db.$queryRaw<{ storeId: string; oldest: Date | null; last: Date | null }[]>(sql`
      SELECT s.id::text AS "storeId",
         least(
           (SELECT min("occurredAt") FROM "SaleEvent" WHERE "storeId" = s.id AND "attentionStatus" = 'INVALID'),
           (SELECT min("occurredAt") FROM "SaleEvent" WHERE "storeId" = s.id AND status IN ('READY', 'QUEUED')),
           (SELECT min("occurredAt") FROM "SaleEvent" WHERE "storeId" = s.id AND "attentionStatus" = 'FAILED')
         ) AS oldest,
         (SELECT b."finishedAt" FROM "Batch" b WHERE b.status = 'SUCCEEDED' AND b."storeIds" @> ARRAY[s.id]
          ORDER BY b."finishedAt" DESC NULLS LAST LIMIT 1) AS last
       FROM "Store" s WHERE s.id = ANY(${storeIds}::uuid[])`),
  ])
  return { counts, times }
}

function calendarState(day: string, figures: DayFigures, today: string, firstSaleDay: string | null) {
  if (day === today) return 'today' as const
  if (figures.events === 0) return !firstSaleDay || day < firstSaleDay ? 'before-first' : 'missing'
  return figures.submitted === figures.events ? 'complete' : 'partial'
}

/** the overview of every store the caller can see, or of one of them (by code); null: not one of theirs */
export async function getOverview(
  caller: Caller,
  opts: { storeCode?: string; now?: Date } = {},
): Promise<Overview | null> {
  const now = opts.now ?? new Date()
  const stores = await storesInScope(caller, now, opts.storeCode)
  if (!stores) return null
  const ids = stores.map((s) => s.id)
  const [daily, { counts, times }] = await Promise.all([dailyFigures(ids, now), pipelineFigures(ids)])

  const storeOverviews = stores.map(({ today, firstSaleDay, ...store }): StoreOverview => {
    const byDay = new Map(daily.filter((d) => d.storeId === store.id).map((d) => [d.day, d]))
    const days: CalendarDay[] = []
    for (let i = OVERVIEW_DAYS - 1; i >= 0; i--) {
      const day = addDays(today, -i)
      const found = byDay.get(day)
      const figures: DayFigures = found
        ? {
            day,
            events: found.events,
            returns: found.returns,
            revenue: found.revenue,
            refunds: found.refunds,
            net: found.net,
            submitted: found.submitted,
            submittedRevenue: found.submittedRevenue,
            submittedNet: found.submittedNet,
          }
        : {
            day,
            events: 0,
            returns: 0,
            revenue: '0',
            refunds: '0',
            net: '0',
            submitted: 0,
            submittedRevenue: '0',
            submittedNet: '0',
          }
      days.push({ ...figures, state: calendarState(day, figures, today, firstSaleDay) })
    }
    const pipeline = emptyPipeline()
    for (const c of counts)
      if (c.storeId === store.id && c.status in pipeline) pipeline[c.status as PipelineStatus] = c.n
    const t = times.find((x) => x.storeId === store.id)
    const add = (k: 'revenue' | 'refunds' | 'net' | 'submittedNet') =>
      days.reduce((sum, d) => addDecimal(sum, d[k]), '0')
    return {
      store,
      today,
      days,
      window: {
        days: days.length,
        revenue: add('revenue'),
        refunds: add('refunds'),
        net: add('net'),
        submittedNet: add('submittedNet'),
      },
      pipeline,
      successRate: successRate(pipeline),
      oldestUnsubmittedAt: t?.oldest ?? null,
      lastSubmittedAt: t?.last ?? null,
    }
  })
  return { generatedAt: now, stores: storeOverviews, totals: totalsOf(storeOverviews) }
}

function totalsOf(stores: StoreOverview[]): Overview['totals'] {
  const pipeline = emptyPipeline()
  let oldest: Date | null = null
  let last: Date | null = null
  const labels = new Set<string>()
  const currencies = new Map<
    string,
    { locale: string; days: Map<string, string>; net: Map<string, string> }
  >()
  for (const s of stores) {
    for (const k of PIPELINE_STATUSES) pipeline[k] += s.pipeline[k]
    if (s.oldestUnsubmittedAt && (!oldest || s.oldestUnsubmittedAt < oldest)) oldest = s.oldestUnsubmittedAt
    if (s.lastSubmittedAt && (!last || s.lastSubmittedAt > last)) last = s.lastSubmittedAt
    let cur = currencies.get(s.store.currency)
    if (!cur) {
      cur = { locale: s.store.locale, days: new Map(), net: new Map() }
      currencies.set(s.store.currency, cur)
    }
    for (const d of s.days) {
      labels.add(d.day)
      cur.days.set(d.day, addDecimal(cur.days.get(d.day) ?? '0', d.revenue))
      cur.net.set(d.day, addDecimal(cur.net.get(d.day) ?? '0', d.net))
    }
  }
  const days = [...labels].sort()
  return {
    pipeline,
    successRate: successRate(pipeline),
    oldestUnsubmittedAt: oldest,
    lastSubmittedAt: last,
    days,
    revenueByCurrency: [...currencies.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([currency, c]) => ({
        currency,
        locale: c.locale,
        days: days.map((day) => ({ day, revenue: c.days.get(day) ?? '0', net: c.net.get(day) ?? '0' })),
      })),
  }
}
