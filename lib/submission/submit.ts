import { audit } from '@/lib/audit/log'
import { type CatalogCheck, checkCatalogItems, selectionItemIds } from '@/lib/catalog/preflight'
import { resumeConnection } from '@/lib/connection/transitions'
import { createConstructorClient } from '@/lib/constructor/client'
import { decryptSecret } from '@/lib/crypto/secret-box'
import { db as defaultDb } from '@/lib/db'
import { env } from '@/lib/env'
import type { Prisma, PrismaClient } from '@/lib/generated/prisma/client'
import { lockMatchingEventIds } from '@/lib/sales/matching'
import { holdUnknownItemSales, reopenFailedEvents } from '@/lib/sales/transitions'
import { ensureQueueSchema } from './queue'
import type {
  BatchIdInput,
  ConnectionIdInput,
  ResubmitEventsInput,
  SubmitEventsInput,
  SubmitResult,
} from './schema'
import { prismaQueryable, type Queryable } from './sql'
import { cancelQueuedBatch, claimEventsIntoBatches } from './transitions'

/** the part of lib/auth's Caller that submission needs (kept structural so the core has no session code) */
export type SubmissionCaller = {
  userId: string
  role: 'ADMIN' | 'MANAGER'
  storeIds: string[]
  allStores: boolean
}

/** a failure the person can act on; the server actions turn it into { ok: false, error } */
export class SubmissionError extends Error {
  override name = 'SubmissionError'
}

/** the set a person was shown is no longer the set: nothing was submitted; `now` is how many there are now */
export class SelectionChangedError extends SubmissionError {
  override name = 'SelectionChangedError'
  constructor(
    readonly now: number,
    readonly shown: number,
  ) {
    super(`The selection changed since it was counted: ${now} now, ${shown} shown. Nothing was submitted.`)
  }
}

type Options = { db?: PrismaClient }

// A large submission claims its events in one transaction: longer than Prisma's default transaction timeout.
const TX = { timeout: 300_000, maxWait: 30_000 }

function scope(caller: SubmissionCaller, params: unknown[]) {
  if (caller.allStores) return 'TRUE'
  params.push(caller.storeIds)
  return `e."storeId" = ANY($${params.length}::uuid[])`
}

async function connectionFor(q: Queryable, connectionId: string | undefined) {
  const { rows } = await q.query<{ id: string }>(
    connectionId
      ? 'SELECT id::text FROM "ConstructorConnection" WHERE id = $1::uuid'
      : 'SELECT id::text FROM "ConstructorConnection" ORDER BY "createdAt", id LIMIT 1',
    connectionId ? [connectionId] : [],
  )
  const id = rows[0]?.id
  if (!id) {
    throw new SubmissionError(
      connectionId
        ? 'That Constructor connection does not exist.'
        : 'No Constructor connection is set up yet: an administrator adds one in Settings.',
    )
  }
  return id
}

/** graphile-worker's schema, before a transaction adds send jobs (the worker may not have started yet) */
export async function ensureAppQueueSchema() {
  const url = env().DATABASE_URL
  if (url) await ensureQueueSchema(url)
}

async function queueReady(db: PrismaClient) {
  await ensureAppQueueSchema()
  return db
}

// The catalog pre-flight, before the claim's transaction (it asks Constructor over HTTP): which item ids of the
// selection the catalog does not hold. Never throws: a check that cannot be made holds nothing.
async function catalogPreflight(
  db: PrismaClient,
  connectionId: string | undefined,
  where: string | Prisma.Sql,
  params: unknown[] = [],
) {
  try {
    const id = await connectionFor(prismaQueryable(db), connectionId)
    return await checkCatalogItems(id, await selectionItemIds(db, where, params), { q: prismaQueryable(db) })
  } catch {
    return undefined
  }
}

type Claim = { where: string; params: unknown[]; connectionId: string; createdById: string | null }

// Every submission path claims through here, with the pre-flight's answer (so none can forget it): inside the
// claim's transaction the selection's ready sales of unknown ids first become INVALID with the catalog reason, when
// the connection holds them (its default); `held` says how many.
async function claimCheckedEvents(q: Queryable, check: CatalogCheck | undefined, claim: Claim) {
  const held =
    check?.hold && check.unknown.size > 0
      ? await holdUnknownItemSales(q, claim.where, claim.params, [...check.unknown])
      : 0
  return { ...(await claimEventsIntoBatches(q, claim)), held }
}

/** what the submission's result says about the pre-flight: held sales, or that the check was unavailable */
function catalogOutcome(check: CatalogCheck | undefined, held: number) {
  return {
    ...(held > 0 && { held }),
    ...(check?.status === 'unavailable' && check.looked > 0 && { catalogUnavailable: check.message }),
  }
}

function selection(caller: SubmissionCaller, input: SubmitEventsInput) {
  const params: unknown[] = []
  const parts: string[] = []
  if (input.scope === 'events') {
    params.push(input.eventIds)
    parts.push(`e.id = ANY($1::uuid[])`)
  } else if (input.scope === 'upload') {
    params.push(input.uploadId)
    parts.push(`e."uploadId" = $1::uuid`)
  }
  parts.push(scope(caller, params))
  return { where: parts.join(' AND '), params }
}

// Claims the chosen READY events into batches of ≤ 100 and enqueues one job per batch, in one transaction;
// returns at once (the worker sends). Events that are not READY, not in the caller's stores, or already in an
// open batch are simply not taken: the count says how many were.
export async function submitEvents(
  caller: SubmissionCaller,
  input: SubmitEventsInput,
  opts: Options = {},
): Promise<SubmitResult> {
  const db = await queueReady(opts.db ?? defaultDb)
  const { where, params } = selection(caller, input)
  const check = await catalogPreflight(db, input.connectionId, where, params)
  return db.$transaction(async (tx) => {
    const q = prismaQueryable(tx)
    // numbering 250,000 events sorts them: in memory, not in temporary files
    await q.query("SET LOCAL work_mem = '64MB'")
    const connectionId = await connectionFor(q, input.connectionId)
    const r = await claimCheckedEvents(q, check, { where, params, connectionId, createdById: caller.userId })
    const held = r.held
    // thrown inside the transaction: the claim, its batches and jobs roll back (held sales were among those counted)
    if (input.expectedCount !== undefined && r.eventCount + held !== input.expectedCount)
      throw new SelectionChangedError(r.eventCount + held, input.expectedCount)
    await auditSubmission(q, caller, 'sales.submitted', r.batchIds)
    return {
      eventCount: r.eventCount,
      batchCount: r.batchIds.length,
      batchIds: r.batchIds,
      ...catalogOutcome(check, held),
    }
  }, TX)
}

// "Select all N matching this filter": the events the filter matches (any status) are locked and counted in the
// claim's own transaction; when they are no longer the N the person was shown, nothing is submitted. Of those, the
// READY ones go into batches; `matched - eventCount` were left as they were.
export async function submitMatching(
  caller: SubmissionCaller,
  input: { where: Prisma.Sql; expectedCount: number; connectionId?: string },
  opts: Options = {},
): Promise<SubmitResult & { matched: number }> {
  const db = await queueReady(opts.db ?? defaultDb)
  const check = await catalogPreflight(db, input.connectionId, input.where)
  return db.$transaction(async (tx) => {
    const q = prismaQueryable(tx)
    await q.query("SET LOCAL work_mem = '64MB'")
    const connectionId = await connectionFor(q, input.connectionId)
    const ids = await lockMatchingEventIds(tx, input.where)
    if (ids.length !== input.expectedCount) throw new SelectionChangedError(ids.length, input.expectedCount)
    const params: unknown[] = [ids]
    const where = `e.id = ANY($1::uuid[]) AND ${scope(caller, params)}`
    const r = await claimCheckedEvents(q, check, { where, params, connectionId, createdById: caller.userId })
    await auditSubmission(q, caller, 'sales.submitted', r.batchIds)
    return {
      eventCount: r.eventCount,
      batchCount: r.batchIds.length,
      batchIds: r.batchIds,
      matched: ids.length,
      ...catalogOutcome(check, r.held),
    }
  }, TX)
}

// One audit entry per store a submission touched, in the submission's own transaction.
async function auditSubmission(q: Queryable, caller: SubmissionCaller, action: string, batchIds: string[]) {
  if (batchIds.length === 0) return
  const { rows } = await q.query<{
    storeId: string
    email: string | null
    eventCount: number
    batchCount: number
  }>(
    `SELECT e."storeId"::text AS "storeId", (SELECT email FROM "User" WHERE id = $1::uuid) AS email,
       count(*)::int AS "eventCount", count(DISTINCT b.id)::int AS "batchCount"
     FROM "Batch" b, unnest(b."eventIds") AS x(id) JOIN "SaleEvent" e ON e.id = x.id
     WHERE b.id = ANY($2::uuid[]) GROUP BY e."storeId"`,
    [caller.userId, batchIds],
  )
  await audit(
    q,
    rows.map((r) => ({
      actor: { userId: caller.userId, email: r.email },
      action,
      entity: 'SaleEvent',
      storeId: r.storeId,
      details: { eventCount: r.eventCount, batchCount: r.batchCount },
    })),
  )
}

// FAILED events (corrected or as they are) go back to READY and into new batches, in one transaction.
export async function resubmitEvents(
  caller: SubmissionCaller,
  input: ResubmitEventsInput,
  opts: Options = {},
): Promise<SubmitResult> {
  const db = await queueReady(opts.db ?? defaultDb)
  const params: unknown[] = [input.eventIds]
  const where = `e.id = ANY($1::uuid[]) AND ${scope(caller, params)}`
  const check = await catalogPreflight(db, input.connectionId, where, params)
  return db.$transaction(async (tx) => {
    const q = prismaQueryable(tx)
    const connectionId = await connectionFor(q, input.connectionId)
    await reopenFailedEvents(q, where, params)
    const r = await claimCheckedEvents(q, check, { where, params, connectionId, createdById: caller.userId })
    await auditSubmission(q, caller, 'sales.resubmitted', r.batchIds)
    return {
      eventCount: r.eventCount,
      batchCount: r.batchIds.length,
      batchIds: r.batchIds,
      ...catalogOutcome(check, r.held),
    }
  }, TX)
}

// A batch is the caller's when every event it ever held is in one of their stores.
async function assertBatchVisible(q: Queryable, caller: SubmissionCaller, batchId: string) {
  const { rows } = await q.query<{ found: boolean; mine: boolean | null }>(
    `SELECT EXISTS (SELECT 1 FROM "Batch" WHERE id = $1::uuid) AS found,
       (SELECT bool_and(e."storeId" = ANY($2::uuid[])) FROM "BatchMember" be JOIN "SaleEvent" e ON e.id = be."eventId"
        WHERE be."batchId" = $1::uuid) AS mine`,
    [batchId, caller.storeIds],
  )
  const row = rows[0]
  if (!row?.found || (!caller.allStores && row.mine !== true)) {
    throw new SubmissionError('That batch does not exist or is not in one of your stores.')
  }
}

// A FAILED batch, retried by a person: its events that are still FAILED join a new batch (after the catalog
// pre-flight against the batch's connection, as any submission).
export async function retryBatch(caller: SubmissionCaller, input: BatchIdInput, opts: Options = {}) {
  const db = await queueReady(opts.db ?? defaultDb)
  const params: unknown[] = [input.batchId]
  const where = `e.id IN (SELECT "eventId" FROM "BatchEvent" WHERE "batchId" = $1::uuid AND outcome = 'FAILED') AND ${scope(caller, params)}`
  const batch = await db.batch.findUnique({ where: { id: input.batchId }, select: { connectionId: true } })
  const check = batch ? await catalogPreflight(db, batch.connectionId, where, params) : undefined
  return db.$transaction(async (tx) => {
    const q = prismaQueryable(tx)
    await assertBatchVisible(q, caller, input.batchId)
    const { rows } = await q.query<{ status: string; connectionId: string }>(
      'SELECT status::text, "connectionId"::text AS "connectionId" FROM "Batch" WHERE id = $1::uuid',
      [input.batchId],
    )
    if (rows[0]?.status !== 'FAILED' && rows[0]?.status !== 'SUCCEEDED') {
      throw new SubmissionError('Only a finished batch with failed events can be retried.')
    }
    await reopenFailedEvents(q, where, params)
    const r = await claimCheckedEvents(q, check, {
      where,
      params,
      connectionId: rows[0].connectionId,
      createdById: caller.userId,
    })
    return {
      eventCount: r.eventCount,
      batchCount: r.batchIds.length,
      batchIds: r.batchIds,
      ...catalogOutcome(check, r.held),
    }
  }, TX)
}

// A batch not yet being sent is cancelled; its events return to READY.
export async function cancelBatch(caller: SubmissionCaller, input: BatchIdInput, opts: Options = {}) {
  const db = opts.db ?? defaultDb
  return db.$transaction(async (tx) => {
    const q = prismaQueryable(tx)
    await assertBatchVisible(q, caller, input.batchId)
    const r = await cancelQueuedBatch(q, input.batchId)
    if (!r.applied)
      throw new SubmissionError('Only a queued or waiting batch can be cancelled; this one is past that.')
    return { events: r.events }
  })
}

// An admin fixed the settings: test them against Constructor, and only when they work resume sending.
export async function testAndResumeConnection(
  caller: SubmissionCaller,
  input: ConnectionIdInput,
  opts: Options = {},
) {
  if (caller.role !== 'ADMIN') throw new SubmissionError('Only an administrator can resume sending.')
  const db = await queueReady(opts.db ?? defaultDb)
  const conn = await db.constructorConnection.findUnique({ where: { id: input.connectionId } })
  if (!conn) throw new SubmissionError('That Constructor connection does not exist.')
  if (!conn.tokenCiphertext) throw new SubmissionError('Set the API token first.')
  const client = createConstructorClient({
    baseUrl: conn.baseUrl,
    apiKey: conn.apiKey,
    section: conn.section,
    token: decryptSecret(conn.tokenCiphertext),
    timeoutMs: 10_000,
  })
  try {
    const test = await client.testConnection()
    await db.constructorConnection.update({
      where: { id: conn.id },
      data: { lastTestedAt: new Date(), lastTestOk: test.ok, lastTestMessage: test.message },
    })
    if (!test.ok) return { ok: false as const, message: test.message, batches: 0 }
    const r = await resumeConnection(prismaQueryable(db), conn.id)
    return { ok: true as const, message: test.message, batches: r.batches }
  } finally {
    client.close()
  }
}

/**
 * A store's schedule (lib/submission/schedule.ts): every READY sale of the store into batches, claimed by nobody
 * in particular (the audit entry says "schedule"), inside the scheduler's transaction, after the same catalog
 * pre-flight as a person's submission (asked before the claim; its HTTP holds only the schedule's row lock).
 */
export async function submitStoreOnSchedule(
  q: Queryable,
  storeId: string,
  opts: Options = {},
): Promise<SubmitResult> {
  const where = `e."storeId" = $1::uuid`
  const params: unknown[] = [storeId]
  const check = await catalogPreflight(opts.db ?? defaultDb, undefined, where, params)
  const connectionId = await connectionFor(q, undefined)
  const r = await claimCheckedEvents(q, check, { where, params, connectionId, createdById: null })
  if (r.batchIds.length > 0)
    await audit(q, {
      actor: null,
      action: 'sales.submitted',
      entity: 'SaleEvent',
      storeId,
      details: { eventCount: r.eventCount, batchCount: r.batchIds.length, by: 'schedule' },
    })
  return {
    eventCount: r.eventCount,
    batchCount: r.batchIds.length,
    batchIds: r.batchIds,
    ...catalogOutcome(check, r.held),
  }
}
