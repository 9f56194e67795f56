import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { calendarDayLabel, salesDayQuery } from '@/components/overview/completeness-calendar'
import { formatAge, formatRate, OverviewView } from '@/components/overview/overview-view'
import { makeUser, uniq } from '@/lib/auth/test-fixtures'
import { runAs, sessionFor } from '@/lib/auth/testing'
import { db, Prisma } from '@/lib/db'
import type { EventStatus } from '@/lib/generated/prisma/client'
import { getOverview, type Overview, PIPELINE_STATUSES } from '@/lib/overview/queries'
import { formatCount, formatMoney } from '@/lib/utils/format'

vi.mock('server-only', () => ({}))

// The overview's figures, computed again here from the raw rows (JavaScript, Intl for the local day,
// exact decimals) and compared with what the SQL returns and what the page renders.

// 03:30 UTC: still the previous day in New York (EDT, UTC-4), already 09:00 in Kolkata
const NOW = new Date('2026-03-10T03:30:00Z')
const DAY = 86_400_000
const STATUSES: EventStatus[] = ['INVALID', 'READY', 'QUEUED', 'SUBMITTED', 'FAILED', 'EXCLUDED']

function mulberry32(seed: number) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const localDay = (d: Date, timeZone: string) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d)
const shift = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10)

const prefix = `OV-${uniq()}`
const STORES = [
  { code: `${prefix}-NYC`, timeZone: 'America/New_York', currency: 'USD', locale: 'en-US' },
  { code: `${prefix}-DEL`, timeZone: 'Asia/Kolkata', currency: 'INR', locale: 'en-IN' },
  { code: `${prefix}-SYD`, timeZone: 'Australia/Sydney', currency: 'USD', locale: 'en-US' },
]
const storeIds: string[] = []
let manager: Awaited<ReturnType<typeof makeUser>>
let admin: Awaited<ReturnType<typeof makeUser>>

beforeAll(async () => {
  const rnd = mulberry32(424242)
  // QUEUED events sit in an open batch (a database constraint)
  const connection = await db.constructorConnection.create({
    data: { name: `${prefix} connection`, baseUrl: 'http://127.0.0.1:9', apiKey: 'overview-key' },
  })
  const batch = await db.batch.create({ data: { connectionId: connection.id, eventCount: 0 } })
  for (const [i, s] of STORES.entries()) {
    const store = await db.store.create({
      data: { ...s, name: `Overview ${i}`, latitude: '1', longitude: '1' },
    })
    storeIds.push(store.id)
    const rows: Prisma.SaleEventCreateManyInput[] = []
    // the first store sells on most days of the last 40; the others on a few; one store leaves gaps
    const n = i === 0 ? 220 : 60
    for (let k = 0; k < n; k++) {
      const status = STATUSES[Math.floor(rnd() * STATUSES.length)] ?? 'READY'
      const occurredAt =
        status === 'INVALID' && rnd() < 0.3 ? null : new Date(NOW.getTime() - Math.floor(rnd() * 40 * DAY))
      const itemsTotal = new Prisma.Decimal(Math.floor(rnd() * 100_000)).div(100)
      const kind = rnd() < 0.15 ? 'RETURN' : 'PURCHASE'
      rows.push({
        kind,
        // a refund as the till gave it on some returns (Shopify's Refunded Amount); else revenue or items
        refund:
          kind === 'RETURN' && rnd() < 0.5 ? new Prisma.Decimal(Math.floor(rnd() * 50_000)).div(100) : null,
        storeId: store.id,
        orderId: `${prefix}-${i}-${k}`,
        occurredAt,
        status,
        openBatchId: status === 'QUEUED' ? batch.id : null,
        itemsTotal,
        itemCount: 1,
        revenue: rnd() < 0.4 ? new Prisma.Decimal(Math.floor(rnd() * 10_000_000)).div(10_000) : null,
        submittedAt:
          status === 'SUBMITTED' && occurredAt
            ? new Date(occurredAt.getTime() + Math.floor(rnd() * DAY))
            : null,
        // a correction: submitted once, READY again, and the store's latest submission
        ...(status === 'READY' && k < 40
          ? { submittedAt: new Date(NOW.getTime() - 60_000 - k), isCorrection: true }
          : {}),
      })
    }
    // exactly on the window's edges in the store's zone: local midnight 29 days ago is in, a millisecond before is out
    const today = localDay(NOW, s.timeZone)
    const edge = await db.$queryRawUnsafe<{ t: Date }[]>(
      `SELECT (($1::date - 29)::timestamp AT TIME ZONE $2) AS t`,
      today,
      s.timeZone,
    )
    const start = edge[0]?.t as Date
    rows.push(
      {
        kind: 'PURCHASE',
        storeId: store.id,
        orderId: `${prefix}-${i}-edge-in`,
        occurredAt: start,
        status: 'READY',
      },
      {
        kind: 'PURCHASE',
        storeId: store.id,
        orderId: `${prefix}-${i}-edge-out`,
        occurredAt: new Date(start.getTime() - 1),
        status: 'READY',
        itemsTotal: '5',
      },
    )
    await db.saleEvent.createMany({ data: rows })
  }
  // a gap in the second store: nothing 3 to 5 days ago (local), so those days are flagged missing
  const del = STORES[1] as (typeof STORES)[number]
  const delToday = localDay(NOW, del.timeZone)
  const rows = await db.saleEvent.findMany({
    where: { storeId: storeIds[1] },
    select: { id: true, occurredAt: true },
  })
  const gap = rows.filter((r) => {
    if (!r.occurredAt) return false
    const d = localDay(r.occurredAt, del.timeZone)
    return d >= shift(delToday, -5) && d <= shift(delToday, -3)
  })
  await db.saleEvent.deleteMany({ where: { id: { in: gap.map((g) => g.id) } } })
  // every submitted event (and every correction, submitted once) was sent by a batch that succeeded at its
  // submission time: that is what the overview's "last submission" reads
  const sent = await db.saleEvent.findMany({
    where: { storeId: { in: storeIds }, submittedAt: { not: null } },
    select: { id: true, storeId: true, submittedAt: true },
  })
  await db.batch.createMany({
    data: sent.map((e) => ({
      connectionId: connection.id,
      status: 'SUCCEEDED' as const,
      eventCount: 1,
      eventIds: [e.id],
      storeIds: [e.storeId],
      finishedAt: e.submittedAt,
    })),
  })
  manager = await makeUser({ storeIds: [storeIds[0] as string, storeIds[1] as string] })
  admin = await makeUser({ role: 'ADMIN' })
})

type Expected = {
  days: {
    day: string
    events: number
    returns: number
    revenue: string
    refunds: string
    net: string
    submitted: number
    submittedRevenue: string
    submittedNet: string
    state: string
  }[]
  pipeline: Record<string, number>
  successRate: number | null
  oldest: Date | null
  last: Date | null
}

async function expectedFor(storeId: string): Promise<Expected> {
  const store = await db.store.findUniqueOrThrow({ where: { id: storeId } })
  const events = await db.saleEvent.findMany({ where: { storeId } })
  const today = localDay(NOW, store.timeZone)
  const first = events
    .filter((e) => e.occurredAt)
    .map((e) => localDay(e.occurredAt as Date, store.timeZone))
    .sort()[0]
  const days: Expected['days'] = []
  for (let i = 29; i >= 0; i--) {
    const day = shift(today, -i)
    const on = events.filter(
      (e) => e.occurredAt && e.status !== 'EXCLUDED' && localDay(e.occurredAt, store.timeZone) === day,
    )
    const money = (list: typeof on) =>
      list
        .filter((e) => e.kind === 'PURCHASE')
        .reduce((sum, e) => sum.add(e.revenue ?? e.itemsTotal), new Prisma.Decimal(0))
    // a return's amount: the refund the till gave, else its revenue, else its items (price × quantity)
    const refunds = (list: typeof on) =>
      list
        .filter((e) => e.kind === 'RETURN')
        .reduce((sum, e) => sum.add(e.refund ?? e.revenue ?? e.itemsTotal), new Prisma.Decimal(0))
    const submitted = on.filter((e) => e.status === 'SUBMITTED')
    const state =
      day === today
        ? 'today'
        : on.length === 0
          ? !first || day < first
            ? 'before-first'
            : 'missing'
          : submitted.length === on.length
            ? 'complete'
            : 'partial'
    days.push({
      day,
      events: on.length,
      returns: on.filter((e) => e.kind === 'RETURN').length,
      revenue: money(on).toString(),
      refunds: refunds(on).toString(),
      net: money(on).sub(refunds(on)).toString(),
      submitted: submitted.length,
      submittedRevenue: money(submitted).toString(),
      submittedNet: money(submitted).sub(refunds(submitted)).toString(),
      state,
    })
  }
  const pipeline = Object.fromEntries(
    PIPELINE_STATUSES.map((s) => [s, events.filter((e) => e.status === s).length]),
  )
  const finished = (pipeline.SUBMITTED ?? 0) + (pipeline.FAILED ?? 0)
  const times = (list: (Date | null)[]) => list.filter((d): d is Date => d !== null).map((d) => d.getTime())
  const oldest = times(
    events
      .filter((e) => ['INVALID', 'READY', 'QUEUED', 'FAILED'].includes(e.status))
      .map((e) => e.occurredAt),
  )
  const last = times(events.map((e) => e.submittedAt))
  return {
    days,
    pipeline,
    successRate: finished === 0 ? null : (pipeline.SUBMITTED ?? 0) / finished,
    oldest: oldest.length ? new Date(Math.min(...oldest)) : null,
    last: last.length ? new Date(Math.max(...last)) : null,
  }
}

const normal = (d: Expected['days'][number]) => ({
  ...d,
  revenue: new Prisma.Decimal(d.revenue).toString(),
  refunds: new Prisma.Decimal(d.refunds).toString(),
  net: new Prisma.Decimal(d.net).toString(),
  submittedRevenue: new Prisma.Decimal(d.submittedRevenue).toString(),
  submittedNet: new Prisma.Decimal(d.submittedNet).toString(),
})

async function overviewAs(user: { id: string; sessionVersion: number }, storeCode?: string) {
  return runAs(sessionFor(user), async () => {
    const { getCaller } = await import('@/lib/auth/caller')
    const caller = await getCaller()
    if (!caller) throw new Error('no caller')
    return getOverview(caller, { now: NOW, storeCode })
  })
}

describe('overview figures', () => {
  it('match figures computed independently from the rows, per store, for a manager of two stores', async () => {
    const overview = (await overviewAs(manager)) as Overview
    expect(overview.stores.map((s) => s.store.code)).toEqual([STORES[1]?.code, STORES[0]?.code].sort())
    for (const s of overview.stores) {
      const want = await expectedFor(s.store.id)
      expect(s.days.map(normal)).toEqual(want.days.map(normal))
      expect(s.pipeline).toEqual(want.pipeline)
      expect(s.successRate).toBe(want.successRate)
      expect(s.oldestUnsubmittedAt?.getTime()).toBe(want.oldest?.getTime())
      expect(s.lastSubmittedAt?.getTime()).toBe(want.last?.getTime())
    }
    // the gap shows up as missing days, and the window's first day holds the event at its local midnight
    const del = overview.stores.find((s) => s.store.code === STORES[1]?.code)
    expect(del?.days.filter((d) => d.state === 'missing').length).toBeGreaterThanOrEqual(3)
    expect(del?.days[0]?.events).toBeGreaterThanOrEqual(1)
  })

  it('totals add the stores up without mixing currencies', async () => {
    const overview = (await overviewAs(admin)) as Overview
    const mine = overview.stores.filter((s) => storeIds.includes(s.store.id))
    expect(mine).toHaveLength(3)
    const onlyMine = (await overviewAs(manager)) as Overview
    const wants = await Promise.all(storeIds.slice(0, 2).map(expectedFor))
    for (const status of PIPELINE_STATUSES)
      expect(onlyMine.totals.pipeline[status]).toBe(wants.reduce((n, w) => n + (w.pipeline[status] ?? 0), 0))
    // one series per currency: USD from NYC only (SYD is not this manager's), INR from Delhi
    expect(onlyMine.totals.revenueByCurrency.map((c) => c.currency)).toEqual(['INR', 'USD'])
    const usd = onlyMine.totals.revenueByCurrency.find((c) => c.currency === 'USD')
    for (const d of wants[0]?.days ?? [])
      expect(new Prisma.Decimal(usd?.days.find((x) => x.day === d.day)?.revenue ?? 'NaN').toString()).toBe(
        new Prisma.Decimal(d.revenue).toString(),
      )
    for (const d of wants[0]?.days ?? [])
      expect(new Prisma.Decimal(usd?.days.find((x) => x.day === d.day)?.net ?? 'NaN').toString()).toBe(
        new Prisma.Decimal(d.net).toString(),
      )
  })

  it('net sales agree with the Sales table: its rows of a store and day, purchases minus returns', async () => {
    const overview = (await overviewAs(manager)) as Overview
    const { parseSalesSearchParams } = await import('@/lib/sales/search-params')
    const { getSaleEvents } = await import('@/lib/sales/queries')
    const caller = await runAs(sessionFor(manager), async () => {
      const { getCaller } = await import('@/lib/auth/caller')
      return getCaller()
    })
    if (!caller) throw new Error('no caller')
    let checked = 0
    for (const s of overview.stores) {
      const busy = s.days.filter((d) => d.events > 0 && d.returns > 0).slice(0, 3)
      for (const d of busy) {
        // the day's link on the calendar opens exactly this view of the Sales table
        const query = salesDayQuery(s.store.code, d.day)
        const { rows } = await getSaleEvents(caller, {
          ...parseSalesSearchParams(new URLSearchParams(query)),
          size: 100,
        })
        expect(rows.length).toBe(d.events)
        const sum = (kind: string, only?: string) =>
          rows
            .filter((r) => r.kind === kind && (!only || r.status === only))
            .reduce((n, r) => n.add(r.revenue), new Prisma.Decimal(0))
        expect(sum('PURCHASE').sub(sum('RETURN')).toString()).toBe(new Prisma.Decimal(d.net).toString())
        expect(sum('PURCHASE', 'SUBMITTED').sub(sum('RETURN', 'SUBMITTED')).toString()).toBe(
          new Prisma.Decimal(d.submittedNet).toString(),
        )
        checked++
      }
    }
    expect(checked).toBeGreaterThan(0)
  })

  it("never shows a store outside the caller's scope", async () => {
    const overview = (await overviewAs(manager)) as Overview
    expect(overview.stores.some((s) => s.store.id === storeIds[2])).toBe(false)
    expect(await overviewAs(manager, STORES[2]?.code)).toBeNull()
    const one = (await overviewAs(admin, STORES[2]?.code)) as Overview
    expect(one.stores.map((s) => s.store.code)).toEqual([STORES[2]?.code])
  })

  it('the page shows the same figures', async () => {
    const overview = (await overviewAs(manager)) as Overview
    const html = renderToStaticMarkup(createElement(OverviewView, { overview }))
    const decoded = html.replaceAll('&amp;', '&').replaceAll('&#x27;', "'").replaceAll('&quot;', '"')
    for (const s of overview.stores) {
      const want = await expectedFor(s.store.id)
      const row = decoded.match(new RegExp(`<tr[^>]*data-store="${s.store.code}"[^>]*>(.*?)</tr>`))?.[1] ?? ''
      for (const status of PIPELINE_STATUSES)
        expect(row).toContain(`data-figure="${status}">${formatCount(want.pipeline[status] ?? 0)}<`)
      expect(row).toContain(`data-figure="success-rate">${formatRate(want.successRate)}<`)
      expect(row).toContain(`>${formatAge(want.oldest, NOW)}<`)
      for (const d of want.days) {
        const label = calendarDayLabel({ ...d, state: d.state as never }, s.store)
        expect(decoded.includes(`aria-label="${label}"`), label).toBe(true)
        expect(label).toContain(formatMoney(d.submittedRevenue, s.store.currency, s.store.locale))
        expect(label).toContain(`${formatMoney(d.net, s.store.currency, s.store.locale)} net sales`)
        expect(label).toContain(
          `${formatMoney(d.submittedNet, s.store.currency, s.store.locale)} net submitted`,
        )
      }
      // under the calendar: the window's net sales and net submitted, added up from the rows
      const net = decoded.match(new RegExp(`<p[^>]*data-net="${s.store.code}"[^>]*>(.*?)</p>`))?.[1] ?? ''
      const total = (k: 'net' | 'submittedNet') =>
        want.days.reduce((n, d) => n.add(d[k]), new Prisma.Decimal(0)).toString()
      expect(net).toContain(formatMoney(total('net'), s.store.currency, s.store.locale))
      expect(net).toContain(formatMoney(total('submittedNet'), s.store.currency, s.store.locale))
    }
    const total = (status: string) =>
      formatCount(overview.stores.reduce((n, s) => n + s.pipeline[status as 'READY'], 0))
    for (const status of PIPELINE_STATUSES) {
      const card = decoded.match(
        new RegExp(`data-kpi="${status.charAt(0)}${status.slice(1).toLowerCase()}".*?</section>`),
      )?.[0]
      expect(card).toContain(`>${total(status)}</a>`)
    }
  })
})
