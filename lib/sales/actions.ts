'use server'

import { audit } from '@/lib/audit/log'
import { ActionError, authorizedAction, MESSAGES, refresh } from '@/lib/auth/action'
import type { Caller } from '@/lib/auth/caller'
import { db, Prisma } from '@/lib/db'
import { applyGroupFix, GroupFixError, groupEventIds, revalidateEvents } from '@/lib/sales/fixes'
import { countMatchingEvents, lockMatchingEventIds } from '@/lib/sales/matching'
import { EMPTY_FILTER, getVisibleStores, salesWhere } from '@/lib/sales/queries'
import { failedReasonMessage } from '@/lib/sales/reasons'
import { completeRefundLines, RefundCompletionError } from '@/lib/sales/returns'
import { parseSalesSearchParams } from '@/lib/sales/search-params'
import {
  CONFLICT_MESSAGES,
  completeRefundSchema,
  countMatchingSchema,
  fixGroupSchema,
  matchingSchema,
  saleEventIdsSchema,
  setExcludedSchema,
  submitFixedSchema,
  updateSaleEventSchema,
} from '@/lib/sales/table-actions-schema'
import { excludeEvents, saveEditedEvent } from '@/lib/sales/transitions'
import {
  resubmitEvents,
  SelectionChangedError,
  SubmissionError,
  submitEvents,
  submitMatching,
} from '@/lib/submission/submit'

// The sales table's mutations: bulk submit, resubmit, exclude/include and delete; inline correction with
// optimistic locking; the failures inbox's group fixes. Each goes through authorizedAction, and every
// write is limited to the caller's stores (storeScope for named events, the scoped filter otherwise).

const sql = Prisma.sql

/** the stores of the named events; null when any of them does not exist (the caller hears "not found") */
async function eventStores({ eventIds }: { eventIds: string[] }) {
  const unique = [...new Set(eventIds)]
  const rows = await db.$queryRaw<{ storeId: string; n: number }[]>(
    sql`SELECT "storeId", count(*)::int AS n FROM "SaleEvent" WHERE id = ANY(${unique}::uuid[]) GROUP BY "storeId"`,
  )
  const found = rows.reduce((sum, r) => sum + r.n, 0)
  return found === unique.length ? rows.map((r) => r.storeId) : null
}

async function submission<T>(run: () => Promise<T>, changed?: (e: SelectionChangedError) => string) {
  try {
    return await run()
  } catch (e) {
    if (e instanceof SelectionChangedError && changed) throw new ActionError(changed(e))
    if (e instanceof SubmissionError) throw new ActionError(e.message)
    throw e
  }
}

const count = (n: number) => n.toLocaleString('en-US')

/** store codes a filter names must all be the caller's: a crafted filter is refused, not silently narrowed */
async function assertOwnStoreCodes(caller: Caller, codes: string[]) {
  if (!codes.length) return
  const visible = new Set((await getVisibleStores(caller)).map((s) => s.code))
  if (!codes.every((c) => visible.has(c))) throw new ActionError(MESSAGES.notFound)
}

/** the table's filter from its URL query, parsed by the table's own parser, as a condition inside the caller's stores */
async function matchingWhere(caller: Caller, query: string) {
  const { page: _p, size: _s, sort: _o, ...filter } = parseSalesSearchParams(new URLSearchParams(query))
  await assertOwnStoreCodes(caller, filter.store)
  return salesWhere(caller, filter)
}

function matchingChanged(now: number, shown: number, nothing: string) {
  return `The sales matching this filter changed since you selected them: ${count(now)} match now, not ${count(shown)}. ${nothing} Check the list and select them again.`
}

/** READY events → new batches (the worker sends them); the rest of the selection is left as it is */
export const submitSaleEventsAction = authorizedAction({
  name: 'sales.submit',
  access: 'signed-in',
  schema: saleEventIdsSchema,
  storeScope: eventStores,
  handler: async ({ eventIds }, caller) => {
    const r = await submission(() => submitEvents(caller, { scope: 'events', eventIds }))
    refresh()
    return { ...r, skipped: new Set(eventIds).size - r.eventCount - (r.held ?? 0) }
  },
})

/** FAILED events go back to READY and into new batches, corrected or as they are */
export const resubmitSaleEventsAction = authorizedAction({
  name: 'sales.resubmit',
  access: 'signed-in',
  schema: saleEventIdsSchema,
  storeScope: eventStores,
  handler: async ({ eventIds }, caller) => {
    const failed = await submission(() => resubmitEvents(caller, { eventIds }))
    // corrected events (READY again after a failure or a submission) go too
    const ready = await submission(() => submitEvents(caller, { scope: 'events', eventIds }))
    refresh()
    const eventCount = failed.eventCount + ready.eventCount
    return {
      eventCount,
      batchCount: failed.batchCount + ready.batchCount,
      batchIds: [...failed.batchIds, ...ready.batchIds],
      skipped: new Set(eventIds).size - eventCount,
    }
  },
})

/** exclude (never sent) or include again (validated again: READY or INVALID) */
export const setSaleEventsExcludedAction = authorizedAction({
  name: 'sales.setExcluded',
  access: 'signed-in',
  schema: setExcludedSchema,
  storeScope: eventStores,
  handler: async ({ eventIds, excluded }, caller, ctx) => {
    const count = await db.$transaction(async (tx) => {
      let n: number
      if (excluded) {
        n = await excludeEvents(tx, eventIds, caller.userId)
      } else {
        const ids = (
          await tx.saleEvent.findMany({
            where: { id: { in: eventIds }, status: 'EXCLUDED', openBatchId: null },
            select: { id: true },
          })
        ).map((e) => e.id)
        await revalidateEvents(tx, ids, caller.userId, { include: true })
        n = ids.length
      }
      await auditEvents(tx, caller, ctx, eventIds, excluded ? 'sale.excluded' : 'sale.included')
      return n
    })
    refresh()
    return { count, skipped: new Set(eventIds).size - count }
  },
})

/** deletes events that were never sent: INVALID, READY or EXCLUDED, in no batch, ever */
export const deleteSaleEventsAction = authorizedAction({
  name: 'sales.delete',
  access: 'signed-in',
  schema: saleEventIdsSchema,
  storeScope: eventStores,
  handler: async ({ eventIds }, _caller, ctx) => {
    const count = await db.$transaction(async (tx) => {
      const gone = await tx.$queryRaw<{ id: string; storeId: string; orderId: string }[]>(sql`
        DELETE FROM "SaleEvent" e
        WHERE e.id = ANY(${eventIds}::uuid[]) AND e.status IN ('INVALID', 'READY', 'EXCLUDED') AND e."openBatchId" IS NULL
          AND e."submittedAt" IS NULL AND NOT EXISTS (SELECT 1 FROM "BatchEvent" be WHERE be."eventId" = e.id)
        RETURNING e.id, e."storeId", e."orderId"`)
      await audit(
        tx,
        gone.map((g) => ({
          actor: ctx.actor,
          action: 'sale.deleted',
          entity: 'SaleEvent',
          entityId: g.id,
          storeId: g.storeId,
          details: { orderId: g.orderId },
          ip: ctx.ip,
        })),
      )
      return gone.length
    })
    refresh()
    return { count, skipped: new Set(eventIds).size - count }
  },
})

async function auditEvents(
  tx: Prisma.TransactionClient,
  caller: Caller,
  ctx: { ip: string },
  ids: string[],
  action: string,
  details?: Record<string, unknown>,
) {
  const events = await tx.saleEvent.findMany({
    where: { id: { in: ids } },
    select: { id: true, storeId: true },
  })
  await audit(
    tx,
    events.map((e) => ({
      actor: { userId: caller.userId, email: caller.email },
      action,
      entity: 'SaleEvent',
      entityId: e.id,
      storeId: e.storeId,
      ip: ctx.ip,
      ...(details && { details }),
    })),
  )
}

type EditableEvent = Prisma.SaleEventGetPayload<{ include: { lineItems: true } }>

/** what a person can edit, as text, so the audit trail shows before → after of exactly what changed */
function editSnapshot(e: EditableEvent): Record<string, string | null> {
  const text = (v: { toString(): string } | null | undefined) =>
    v === null || v === undefined ? null : v.toString()
  const snap: Record<string, string | null> = {
    kind: e.kind,
    orderId: e.orderId,
    storeId: e.storeId,
    occurredAt: e.occurredAt?.toISOString() ?? null,
    customerId: e.customerId,
    revenue: text(e.revenue),
    refund: text(e.refund),
    returnExpenses: text(e.returnExpenses),
    returnShippingCost: text(e.returnShippingCost),
    returnReason: e.returnReason,
    returnType: e.returnType,
    returnPreference: e.returnPreference,
    returnDropOff: e.returnDropOff,
    status: e.status,
    version: String(e.version),
  }
  for (const li of [...e.lineItems].sort((a, b) => a.lineNumber - b.lineNumber)) {
    snap[`line ${li.lineNumber}`] = [
      li.itemId ?? li.itemName ?? '?',
      li.variationId,
      `${li.quantity ?? '?'} × ${text(li.unitPrice) ?? '?'}`,
    ]
      .filter(Boolean)
      .join(' · ')
  }
  return snap
}

function changedFields(before: Record<string, string | null>, after: Record<string, string | null>) {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])]
  const changed = keys.filter((k) => (before[k] ?? null) !== (after[k] ?? null))
  return {
    before: Object.fromEntries(changed.map((k) => [k, before[k] ?? null])),
    after: Object.fromEntries(changed.map((k) => [k, after[k] ?? null])),
  }
}

/** an inline correction: validated by the same schema as the form, saved only if nobody changed the event since */
export const updateSaleEventAction = authorizedAction({
  name: 'sales.update',
  access: 'signed-in',
  schema: updateSaleEventSchema,
  storeScope: async ({ eventId, event }) => {
    const current = await db.saleEvent.findUnique({ where: { id: eventId }, select: { storeId: true } })
    return current ? [current.storeId, event.storeId as string] : null
  },
  handler: async ({ eventId, version, event }, caller, ctx) => {
    const items = event.lineItems.map((li, i) => ({
      lineNumber: i + 1,
      role: li.role,
      itemId: li.itemId ?? null,
      itemName: li.itemName ?? null,
      variationId: li.variationId ?? null,
      unitPrice: li.unitPrice as string,
      quantity: li.quantity as number,
    }))
    const itemsTotal = items.reduce(
      (sum, li) => sum.add(new Prisma.Decimal(li.unitPrice).mul(li.quantity)),
      new Prisma.Decimal(0),
    )
    try {
      const saved = await db.$transaction(async (tx) => {
        const before = await tx.saleEvent.findUnique({ where: { id: eventId }, include: { lineItems: true } })
        if (!before) throw new ActionError(CONFLICT_MESSAGES.gone)
        const sent =
          before.status === 'SUBMITTED' || before.status === 'FAILED' || before.submittedAt !== null
        // compare-and-set on the version the form read: a queued event or someone else's edit wins
        const saved = await saveEditedEvent(tx, {
          eventId,
          version,
          current: before.status,
          content: {
            kind: event.kind,
            storeId: event.storeId as string,
            orderId: event.orderId as string,
            occurredAt: event.occurredAt as Date,
            customerId: event.customerId ?? null,
            revenue: event.revenue ?? null,
            refund: event.refund ?? null,
            returnExpenses: event.returnExpenses ?? null,
            returnShippingCost: event.returnShippingCost ?? null,
            returnReason: event.returnReason ?? null,
            returnType: event.returnType ?? null,
            returnPreference: event.returnPreference ?? null,
            returnDropOff: event.returnDropOff ?? null,
            issues: [],
            lastError: null,
            itemCount: items.length,
            itemsTotal,
            isCorrection: before.isCorrection || sent,
            updatedById: caller.userId,
          },
        })
        if (!saved)
          throw new ActionError(
            before.openBatchId || before.status === 'QUEUED'
              ? CONFLICT_MESSAGES.queued
              : CONFLICT_MESSAGES.changed,
          )
        await tx.lineItem.deleteMany({ where: { eventId } })
        await tx.lineItem.createMany({ data: items.map((li) => ({ ...li, eventId })) })
        const after = await tx.saleEvent.findUniqueOrThrow({
          where: { id: eventId },
          include: { lineItems: true },
        })
        await audit(tx, {
          actor: ctx.actor,
          action: 'sale.edited',
          entity: 'SaleEvent',
          entityId: eventId,
          storeId: after.storeId,
          details: { orderId: after.orderId, ...changedFields(editSnapshot(before), editSnapshot(after)) },
          ip: ctx.ip,
        })
        return { version: after.version, status: after.status }
      })
      refresh()
      return saved
    } catch (e) {
      if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002')
        throw new ActionError('Another sale of this kind in this store already has this order number.', {
          'event.orderId': ['Another sale of this kind in this store already has this order number'],
        })
      throw e
    }
  },
})

/** one fix for every event of a reason group in the caller's stores (inbox) */
export const fixSaleEventGroupAction = authorizedAction({
  name: 'sales.fixGroup',
  access: 'signed-in',
  schema: fixGroupSchema,
  handler: async ({ reason, fix }, caller, ctx) => {
    const ids = await groupEventIds(caller, reason)
    if (ids.length === 0)
      throw new ActionError('Nothing left to fix in this group: it may have been fixed already.')
    if (fix.type === 'resubmit') {
      if (failedReasonMessage(reason) === null)
        throw new ActionError('Only sales that were refused or not sent can be resubmitted as they are.')
      const r = await submission(() => resubmitEvents(caller, { eventIds: ids }))
      refresh()
      return { touched: r.eventCount, ready: r.eventCount, batchCount: r.batchCount }
    }
    try {
      const r = await db.$transaction(
        async (tx) => {
          const out = await applyGroupFix(
            tx,
            ids,
            fix,
            { userId: caller.userId, email: caller.email },
            reason,
          )
          await auditEvents(tx, caller, ctx, ids, 'sale.group-fixed', { reason, fix: fix.type })
          return out
        },
        { timeout: 120_000 },
      )
      refresh()
      return { ...r, batchCount: 0 }
    } catch (e) {
      if (e instanceof GroupFixError) throw new ActionError(e.message)
      throw e
    }
  },
})

/** "Submit all fixed": every READY event of the caller's stores that a person corrected, into new batches */
export const submitFixedSaleEventsAction = authorizedAction({
  name: 'sales.submitFixed',
  access: 'signed-in',
  schema: submitFixedSchema,
  handler: async (input, caller) => {
    const codes = input.store ?? []
    await assertOwnStoreCodes(caller, codes)
    const scope = await salesWhere(caller, { ...EMPTY_FILTER, store: codes })
    const ids = (
      await db.$queryRaw<{ id: string }[]>(sql`
        SELECT e.id FROM "SaleEvent" e
        WHERE e.status = 'READY' AND e."openBatchId" IS NULL AND e."updatedById" IS NOT NULL AND ${scope}
        LIMIT 1000000`)
    ).map((r) => r.id)
    const changed = (now: number, shown: number) =>
      `The fixed sales changed since the page was loaded: ${count(now)} are ready now, not ${count(shown)}. Nothing was submitted; submit again to send the ${count(now)}.`
    if (ids.length === 0) {
      if (input.expectedCount) throw new ActionError(changed(0, input.expectedCount))
      return { eventCount: 0, batchCount: 0, batchIds: [] as string[] }
    }
    const r = await submission(
      () =>
        submitEvents(caller, {
          scope: 'events',
          eventIds: ids,
          ...(input.expectedCount && { expectedCount: input.expectedCount }),
        }),
      (e) => changed(e.now, e.shown),
    )
    refresh()
    return r
  },
})

/** "select all N matching this filter": how many sales the filter matches in the caller's stores, and how many are ready */
export const countMatchingSaleEventsAction = authorizedAction({
  name: 'sales.countMatching',
  access: 'signed-in',
  schema: countMatchingSchema,
  handler: async ({ filter }, caller) => {
    const where = await matchingWhere(caller, filter)
    return db.$transaction((tx) => countMatchingEvents(tx, where))
  },
})

/** every sale matching the filter (the N the person confirmed): the READY ones into new batches, the rest left alone */
export const submitMatchingSaleEventsAction = authorizedAction({
  name: 'sales.submitMatching',
  access: 'signed-in',
  schema: matchingSchema,
  handler: async ({ filter, expectedCount }, caller) => {
    const where = await matchingWhere(caller, filter)
    const r = await submission(
      () => submitMatching(caller, { where, expectedCount }),
      (e) => matchingChanged(e.now, e.shown, 'Nothing was submitted.'),
    )
    refresh()
    return {
      eventCount: r.eventCount,
      batchCount: r.batchCount,
      batchIds: r.batchIds,
      skipped: r.matched - r.eventCount - (r.held ?? 0),
      ...(r.held !== undefined && { held: r.held }),
      ...(r.catalogUnavailable !== undefined && { catalogUnavailable: r.catalogUnavailable }),
    }
  },
})

/** every sale matching the filter (the N the person confirmed) is excluded; queued and submitted ones stay */
export const excludeMatchingSaleEventsAction = authorizedAction({
  name: 'sales.excludeMatching',
  access: 'signed-in',
  schema: matchingSchema,
  handler: async ({ filter, expectedCount }, caller, ctx) => {
    const where = await matchingWhere(caller, filter)
    const n = await db.$transaction(
      async (tx) => {
        const ids = await lockMatchingEventIds(tx, where)
        if (ids.length !== expectedCount)
          throw new ActionError(matchingChanged(ids.length, expectedCount, 'Nothing was excluded.'))
        const n = await excludeEvents(tx, ids, caller.userId)
        await auditEvents(tx, caller, ctx, ids, 'sale.excluded')
        return { count: n, skipped: ids.length - n }
      },
      { timeout: 300_000, maxWait: 30_000 },
    )
    refresh()
    return n
  },
})

/** a refund without lines (Shopify's Refunded Amount alone) takes its returned lines from its purchase */
export const completeRefundAction = authorizedAction({
  name: 'sales.completeRefund',
  access: 'signed-in',
  schema: completeRefundSchema,
  storeScope: async ({ eventId }) => {
    const current = await db.saleEvent.findUnique({ where: { id: eventId }, select: { storeId: true } })
    return current ? [current.storeId] : null
  },
  handler: async (input, caller, ctx) => {
    try {
      const saved = await db.$transaction(async (tx) => {
        const done = await completeRefundLines(tx, input, CONFLICT_MESSAGES)
        await revalidateEvents(tx, [input.eventId], caller.userId)
        const after = await tx.saleEvent.findUniqueOrThrow({
          where: { id: input.eventId },
          select: { version: true, status: true },
        })
        await audit(tx, {
          actor: ctx.actor,
          action: 'sale.refund-completed',
          entity: 'SaleEvent',
          entityId: input.eventId,
          storeId: done.storeId,
          details: {
            orderId: done.orderId,
            returned: done.lines.map((l) => `${l.itemId ?? l.itemName ?? '?'} × ${l.quantity}`),
          },
          ip: ctx.ip,
        })
        return after
      })
      refresh()
      return saved
    } catch (e) {
      if (e instanceof RefundCompletionError) throw new ActionError(e.message)
      throw e
    }
  },
})
