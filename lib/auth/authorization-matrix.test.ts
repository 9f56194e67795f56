/**
 * THE AUTHORIZATION MATRIX: (anonymous, manager of store A, manager of store B, deactivated user,
 * admin) × (own store, other store, nonexistent id) × every server action and route handler, called
 * directly (no browser). Every cell must match; a denied call must change nothing in the database.
 *
 * The test finds actions itself: every export of every lib/**\/actions.ts (each must be built with
 * authorizedAction), and every HTTP method exported by app/**\/route.ts. One without an entry below
 * fails the test, and so does a 'use server' anywhere but a lib/**\/actions.ts file.
 *
 * HOW TO ADD AN ENTRY (for a new action `foo.bar`, exported from lib/foo/actions.ts):
 *   ACTIONS['foo.bar'] = {
 *     rule: 'store-members',            // who may: 'public' | 'signed-in' | 'admin' | 'store-members'
 *     targeted: true,                   // does the input name a record? (then "nonexistent" is denied)
 *     input: (t) => ({ eventId: t.kind === 'missing' ? t.missingId : w.eventIn(t.storeId) }),
 *   }
 * `t` is the cell's target: { kind: 'own' | 'other' | 'missing', storeId, userId, missingId }, where
 * own/other are the persona's own store and the other store (A and B for the admin and anonymous).
 * Build inputs from `w` (the world below); add fixtures to makeWorld() when your action needs rows
 * (e.g. a sale event per store). Inputs must be valid for the schema, so a denial proves the door,
 * not the parser. `prepare` runs before the cell, outside the "nothing changed" window.
 * Route handlers: ROUTES['app/path/route.ts GET'] = { rule, request: (t) => new Request(...) }. Each is
 * built with authorizedRoute (lib/auth/route.ts) unless OWN_DOOR below says why it keeps its own; a route behind
 * API keys is built with keyedRoute and has rule 'api-key' (each persona then presents the key feedKeys gives it).
 */
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type ActionResult, actionMeta } from '@/lib/auth/action'
import { routeMeta } from '@/lib/auth/route'
import type { SessionClaims } from '@/lib/auth/session-policy'
import { FIXTURE_PASSWORD, makeStore, makeUser, uniq } from '@/lib/auth/test-fixtures'
import { runAs, sessionFor } from '@/lib/auth/testing'
import { startSandbox } from '@/lib/constructor/sandbox/server'
import { encryptSecret, secretHint } from '@/lib/crypto/secret-box'
import { db } from '@/lib/db'
import { makeApiKey } from '@/lib/feed/testing'
import { runQueuedUploadJob } from '@/lib/uploads/jobs/testing'
import { makeUpload, oneOrderCsv } from '@/lib/uploads/storage/testing'
import { hashPassword } from '@/lib/users/password'

vi.mock('server-only', () => ({}))

process.env.ENCRYPTION_KEY ??= 'b'.repeat(64)
process.env.AUTH_SECRET ??= 'matrix-auth-secret-that-is-long-enough-0123456789'

const ROOT = path.resolve(import.meta.dirname, '../..')
const PERSONAS = ['anonymous', 'managerA', 'managerB', 'deactivated', 'admin'] as const
type Persona = (typeof PERSONAS)[number]
const TARGETS = ['own', 'other', 'missing'] as const
type TargetKind = (typeof TARGETS)[number]
type Target = { kind: TargetKind; storeId: string; userId: string; missingId: string }
/** 'api-key': the sales feed's key door; a persona stands for the key it holds (feedKeys below), not a session */
type Rule = 'public' | 'signed-in' | 'admin' | 'store-members' | 'api-key'

type ActionEntry = {
  rule: Rule
  /** the input names a record: a nonexistent id is denied even to an admin */
  targeted: boolean
  input: (t: Target, persona: Persona) => unknown
  prepare?: (persona: Persona) => Promise<void>
}
type RouteEntry = {
  rule: Rule
  request: (t: Target, persona: Persona) => Request
  allowed?: (res: Response) => boolean
  /** an allowed call queues work (the database changes); a denied one must still change nothing */
  writes?: true
}

// ——— the world every cell runs in ———
type World = Awaited<ReturnType<typeof makeWorld>>
let w: World
const SANDBOX_TOKEN = `sbx_matrix_${uniq()}${uniq()}`
let sandbox: Awaited<ReturnType<typeof startSandbox>>
const sandboxDir = fs.mkdtempSync(path.join(os.tmpdir(), 'matrix-sandbox-'))

async function makeWorld() {
  const prefix = `MX-${uniq()}`
  const storeA = await makeStore({ code: `${prefix}-A` })
  const storeB = await makeStore({ code: `${prefix}-B` })
  const managerA = await makeUser({ storeIds: [storeA.id] })
  const managerB = await makeUser({ storeIds: [storeB.id] })
  const deactivated = await makeUser({ storeIds: [storeA.id] })
  const deactivatedSession = sessionFor(deactivated)
  await db.user.update({
    where: { id: deactivated.id },
    data: { active: false, sessionVersion: { increment: 1 } },
  })
  const admin = await makeUser({ role: 'ADMIN' })
  // users an admin may act on, one per store; never a persona, so the personas stay intact
  const victimA = await makeUser({ storeIds: [storeA.id] })
  const victimB = await makeUser({ storeIds: [storeB.id] })
  const signInUser = await makeUser({ storeIds: [storeA.id] })
  const connection = await db.constructorConnection.create({
    data: {
      name: `matrix ${prefix}`,
      baseUrl: sandbox.url,
      apiKey: 'matrix-key',
      tokenCiphertext: encryptSecret(SANDBOX_TOKEN),
      tokenHint: secretHint(SANDBOX_TOKEN),
    },
  })
  const users = { managerA, managerB, deactivated, admin }
  // per store: an upload waiting to be stored, one to cancel, one to check (again), and one already stored
  const uploads: Record<string, WorldUploads> = {}
  // routes take no record id from the matrix: their "missing" cell aims at a store no manager has
  const storeC = await makeStore({ code: `${prefix}-C` })
  const unmanagedUpload = await makeUpload({
    store: storeC,
    uploaderId: admin.id,
    csv: 'x',
    status: 'COMMITTED',
  })
  const unmanagedCheckable = await makeUpload({
    store: storeC,
    uploaderId: admin.id,
    csv: oneOrderCsv(storeC.code, `MX-${uniq()}`),
    status: 'RECEIVED',
  })
  for (const [store, uploader] of [
    [storeA, managerA],
    [storeB, managerB],
  ] as const) {
    uploads[store.id] = {
      preview: await makeUpload({
        store,
        uploaderId: uploader.id,
        csv: oneOrderCsv(store.code, `MX-${uniq()}`),
      }),
      received: await makeUpload({
        store,
        uploaderId: uploader.id,
        csv: oneOrderCsv(store.code, `MX-${uniq()}`),
        status: 'RECEIVED',
      }),
      checkable: await makeUpload({
        store,
        uploaderId: uploader.id,
        csv: oneOrderCsv(store.code, `MX-${uniq()}`),
        status: 'RECEIVED',
      }),
      committed: await makeUpload({ store, uploaderId: uploader.id, csv: 'x', status: 'COMMITTED' }),
    }
  }
  return {
    prefix,
    storeA,
    storeB,
    users,
    deactivatedSession,
    victimA,
    victimB,
    signInUser,
    connection,
    /** the store each persona calls "own" */
    ownStore: (p: Persona) => (p === 'managerB' ? storeB.id : storeA.id),
    otherStore: (p: Persona) => (p === 'managerB' ? storeA.id : storeB.id),
    victimIn: (storeId: string) => (storeId === storeA.id ? victimA.id : victimB.id),
    uploadsIn: (storeId: string) => uploads[storeId] as WorldUploads,
    storeC,
    unmanagedUpload,
    unmanagedCheckable,
    allUploads: [
      ...Object.values(uploads).flatMap((u) => Object.values(u)),
      unmanagedUpload,
      unmanagedCheckable,
    ],
  }
}
type WorldUploads = { preview: string; received: string; checkable: string; committed: string }

/**
 * Runs the jobs that allowed cells queued (a commit, a check), as a worker would, before the next cell is watched:
 * the test files share one database, and a worker of another file must not change the world during a cell.
 */
async function settleUploadJobs() {
  const busy = await db.upload.findMany({
    where: { id: { in: w.allUploads }, status: { in: ['PARSING', 'COMMITTING'] } },
    select: { id: true },
  })
  for (const { id } of busy) await runQueuedUploadJob(id)
}

function target(kind: TargetKind, persona: Persona): Target {
  const storeId = kind === 'other' ? w.otherStore(persona) : w.ownStore(persona)
  return { kind, storeId, userId: w.victimIn(storeId), missingId: randomUUID() }
}

/** the session the persona's cookie carries, as of now (signing out bumps sessionVersion) */
async function sessionOf(persona: Persona): Promise<SessionClaims | null> {
  if (persona === 'anonymous') return null
  if (persona === 'deactivated') return w.deactivatedSession
  const user = await db.user.findUniqueOrThrow({ where: { id: w.users[persona].id } })
  return sessionFor(user)
}

const storeFields = (code: string) => ({
  code,
  name: 'Matrix store',
  latitude: '40.7233',
  longitude: '-74.0030',
  timeZone: 'America/New_York',
  currency: 'USD',
  locale: 'en-US',
})

/** a key per store for apiKeys.revoke, made afresh before each cell */
const revocableKeys: Record<string, string> = {}

/** per store, an upload whose preview asks about a till name, for stores.addName */
const askedNames: Record<string, { name: string; uploadId: string }> = {}
/** a name each store keeps, for stores.removeName (re-created by its prepare once removed) */
const aliasIds: Record<string, string> = {}

// ——— every server action ———
const ACTIONS: Record<string, ActionEntry> = {
  'auth.signIn': {
    rule: 'public',
    targeted: false,
    input: () => ({ email: w.signInUser.email, password: FIXTURE_PASSWORD }),
  },
  'auth.signOut': { rule: 'signed-in', targeted: false, input: () => ({}) },
  'auth.changePassword': {
    rule: 'signed-in',
    targeted: false,
    prepare: async (p) => {
      if (p === 'anonymous' || p === 'deactivated') return
      await db.user.update({
        where: { id: w.users[p].id },
        data: { passwordHash: await hashPassword(FIXTURE_PASSWORD) },
      })
    },
    input: () => ({
      currentPassword: FIXTURE_PASSWORD,
      newPassword: `matrix velvet lantern ${uniq()}`,
      confirmPassword: '',
    }),
  },
  'stores.create': {
    rule: 'admin',
    targeted: false,
    input: () => storeFields(`${w.prefix}-N-${uniq()}`),
  },
  'stores.update': {
    rule: 'admin',
    targeted: true,
    input: (t) => ({
      storeId: t.kind === 'missing' ? t.missingId : t.storeId,
      ...storeFields(t.storeId === w.storeA.id ? w.storeA.code : w.storeB.code),
      name: `Renamed ${uniq()}`,
    }),
  },
  'stores.setActive': {
    rule: 'admin',
    targeted: true,
    // reactivating an active store: allowed for an admin, harmless for the other cells
    input: (t) => ({ storeId: t.kind === 'missing' ? t.missingId : t.storeId, active: true }),
  },
  // "missing" aims at a store no manager has (the input names a store, not a record)
  // a manager names a till from an upload that asks about it: prepare gives each store such an upload and name
  'stores.addName': {
    rule: 'store-members',
    targeted: false,
    prepare: async () => {
      for (const store of [w.storeA, w.storeB, w.storeC]) {
        const name = `Till ${uniq()}`
        const upload = await db.upload.create({
          data: {
            fileName: 'matrix.csv',
            sizeBytes: 1n,
            sha256: '0'.repeat(64),
            storeId: store.id,
            status: 'PREVIEW',
            preview: { unknownStores: [{ name, rows: 1 }] },
          },
        })
        askedNames[store.id] = { name, uploadId: upload.id }
      }
    },
    input: (t) => {
      const storeId = t.kind === 'missing' ? w.storeC.id : t.storeId
      return { storeId, ...askedNames[storeId] }
    },
  },
  // prepare gives each store a name to remove (an allowed call used the last one up)
  'stores.removeName': {
    rule: 'admin',
    targeted: true,
    prepare: async () => {
      for (const store of [w.storeA, w.storeB]) {
        const id = aliasIds[store.id]
        if (id && (await db.storeAlias.count({ where: { id } })) === 1) continue
        const name = `Matrix till ${uniq()}`
        aliasIds[store.id] = (
          await db.storeAlias.create({ data: { storeId: store.id, name, normalized: name.toLowerCase() } })
        ).id
      }
    },
    input: (t) => ({ aliasId: t.kind === 'missing' ? t.missingId : aliasIds[t.storeId] }),
  },
  'users.create': {
    rule: 'admin',
    targeted: false,
    input: (t) => ({
      email: `new-${uniq()}@test.store`,
      name: 'New manager',
      role: 'MANAGER',
      storeIds: [t.storeId],
      temporaryPassword: `temporary velvet ${uniq()}`,
    }),
  },
  'users.updateAccess': {
    rule: 'admin',
    targeted: true,
    input: (t) => ({
      userId: t.kind === 'missing' ? t.missingId : t.userId,
      role: 'MANAGER',
      storeIds: [t.storeId],
    }),
  },
  'users.setActive': {
    rule: 'admin',
    targeted: true,
    input: (t) => ({ userId: t.kind === 'missing' ? t.missingId : t.userId, active: true }),
  },
  'users.resetPassword': {
    rule: 'admin',
    targeted: true,
    input: (t) => ({
      userId: t.kind === 'missing' ? t.missingId : t.userId,
      temporaryPassword: `reset velvet otter ${uniq()}`,
    }),
  },
  'connection.save': {
    rule: 'admin',
    targeted: true,
    input: (t) => ({
      connectionId: t.kind === 'missing' ? t.missingId : w.connection.id,
      baseUrl: sandbox.url,
      apiKey: 'matrix-key',
      section: 'Products',
      token: SANDBOX_TOKEN,
    }),
  },
  'connection.test': {
    rule: 'admin',
    targeted: true,
    input: (t) => ({ connectionId: t.kind === 'missing' ? t.missingId : w.connection.id }),
  },
  // the customer id policy: admins only; the secret is write-only (never in a result)
  'connection.saveCustomerIdPolicy': {
    rule: 'admin',
    targeted: true,
    input: (t) => ({ connectionId: t.kind === 'missing' ? t.missingId : w.connection.id, policy: 'AS_IS' }),
  },
  // the sending pace: the same values every time, so the admin's allowed call leaves the pace as it was
  'connection.savePace': {
    rule: 'admin',
    targeted: true,
    input: (t) => ({
      connectionId: t.kind === 'missing' ? t.missingId : w.connection.id,
      maxRequestsPerSecond: 20,
      maxConcurrency: 4,
    }),
  },
  // a till SKU mapped to a catalog id for a store; "missing" aims at a store no manager has
  'catalog.mapItemId': {
    rule: 'store-members',
    targeted: false,
    input: (t) => ({
      storeId: t.kind === 'missing' ? w.storeC.id : t.storeId,
      tillItemId: `TILL-${uniq()}`,
      catalogItemId: 'CAT-1',
    }),
  },
  // the catalog pre-flight's hold setting: admins only
  'connection.saveCatalogCheck': {
    rule: 'admin',
    targeted: true,
    input: (t) => ({
      connectionId: t.kind === 'missing' ? t.missingId : w.connection.id,
      holdUnknownItems: true,
    }),
  },
  // queues storing a previewed file (its job runs before the next cell); a second call (the admin after the manager)
  // is the idempotent no-op
  'uploads.commit': {
    rule: 'store-members',
    targeted: true,
    input: (t) => ({ uploadId: t.kind === 'missing' ? t.missingId : w.uploadsIn(t.storeId).preview }),
  },
  // cancelling an upload already cancelled is a no-op too
  'uploads.cancel': {
    rule: 'store-members',
    targeted: true,
    input: (t) => ({ uploadId: t.kind === 'missing' ? t.missingId : w.uploadsIn(t.storeId).received }),
  },
  // "missing" aims at a store no manager has (the input names a store, not a record)
  'sales.createByHand': {
    rule: 'store-members',
    targeted: false,
    input: (t) => ({
      storeId: t.kind === 'missing' ? w.storeC.id : t.storeId,
      timeZone: 'Europe/Berlin',
      locale: 'en-US',
      kind: 'PURCHASE',
      date: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
      time: '12:00',
      orderId: `MX-HAND-${uniq()}`,
      lineItems: [{ itemId: 'SKU-1', unitPrice: '9.90', quantity: '1' }],
    }),
  },
}
// changePassword needs the confirmation to match
const changeInput = ACTIONS['auth.changePassword']!.input
ACTIONS['auth.changePassword']!.input = (t, p) => {
  const v = changeInput(t, p) as { newPassword: string }
  return { ...v, confirmPassword: v.newPassword }
}

// ——— every route handler ———
const BASE = 'http://127.0.0.1:3000'
const ROUTES: Record<string, RouteEntry> = {
  // liveness for load balancers: public, and it never returns data
  'app/api/health/route.ts GET': { rule: 'public', request: () => new Request(`${BASE}/api/health`) },
  // Prometheus metrics: an admin session (or METRICS_TOKEN as a bearer token, unset here; see lib/metrics)
  'app/api/metrics/route.ts GET': { rule: 'admin', request: () => new Request(`${BASE}/api/metrics`) },
  // next-auth's own endpoints: public by nature (sign-in); CSRF-checked and throttled in authorize
  'app/api/auth/[...nextauth]/route.ts GET': {
    rule: 'public',
    request: () => new Request(`${BASE}/api/auth/csrf`),
  },
  // a POST without next-auth's CSRF token is refused for everyone
  'app/api/auth/[...nextauth]/route.ts POST': {
    rule: 'public',
    request: () => new Request(`${BASE}/api/auth/signout`, { method: 'POST' }),
    allowed: (res) => res.status === 302 && (res.headers.get('location') ?? '').includes('error=MissingCSRF'),
  },
  // the large upload: an empty body passes the door (caller + store) and is refused as empty, storing nothing
  'app/api/uploads/route.ts POST': {
    rule: 'store-members',
    request: (t) =>
      new Request(
        `${BASE}/api/uploads?storeId=${t.kind === 'missing' ? w.storeC.id : t.storeId}&name=x.csv`,
        {
          method: 'POST',
          body: '',
        },
      ),
    allowed: (res) => res.status === 400,
  },
  // checking a file: the door opens onto a queued check (202; its job runs before the next cell)
  'app/api/uploads/[id]/preview/route.ts POST': {
    rule: 'store-members',
    request: (t) =>
      new Request(
        `${BASE}/api/uploads/${t.kind === 'missing' ? w.unmanagedCheckable : w.uploadsIn(t.storeId).checkable}/preview`,
        { method: 'POST', body: '{}' },
      ),
    allowed: (res) => res.status === 202,
    writes: true,
  },
  // how far an upload's check or storing is: only for the upload's store (another manager's upload is 404)
  'app/api/uploads/[id]/progress/route.ts GET': {
    rule: 'store-members',
    request: (t) =>
      new Request(
        `${BASE}/api/uploads/${t.kind === 'missing' ? w.unmanagedUpload : w.uploadsIn(t.storeId).committed}/progress`,
      ),
    allowed: (res) => res.status === 200,
  },
}

// the sales feed's keys, one per persona: a manager's key writes their store, the admin's key both stores, the
// deactivated persona holds a revoked key and the anonymous one none. No key writes store C ("missing").
const feedKeys: Partial<Record<Persona, string>> = {}
async function makeFeedKeys() {
  feedKeys.managerA = (await makeApiKey([w.storeA.id])).key
  feedKeys.managerB = (await makeApiKey([w.storeB.id])).key
  feedKeys.admin = (await makeApiKey([w.storeA.id, w.storeB.id])).key
  feedKeys.deactivated = (await makeApiKey([w.storeA.id], { revoked: true })).key
}
// a sale naming the cell's store, of a kind that does not exist: an allowed call passes the key and the store
// check and answers 200 with the sale invalid, storing nothing; a denied one is 401 (key) or 403 (store)
ROUTES['app/api/v1/sales/route.ts POST'] = {
  rule: 'api-key',
  request: (t, persona) =>
    new Request(`${BASE}/api/v1/sales`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(feedKeys[persona] && { authorization: `Bearer ${feedKeys[persona]}` }),
      },
      body: JSON.stringify([
        {
          store_code: [w.storeA, w.storeB, w.storeC].find(
            (s) => s.id === (t.kind === 'missing' ? w.storeC.id : t.storeId),
          )?.code,
          order_id: `MX-FEED-${uniq()}`,
          occurred_at: new Date().toISOString(),
          kind: 'not-a-kind',
          items: [],
        },
      ]),
    }),
  allowed: (res) => res.status === 200,
}
// the feed's contract: public like any API description, it holds no data
ROUTES['app/api/v1/openapi.json/route.ts GET'] = {
  rule: 'public',
  request: () => new Request(`${BASE}/api/v1/openapi.json`),
}

// route handlers that do not go through authorizedRoute, and why
const OWN_DOOR: Record<string, string> = {
  'app/api/v1/openapi.json/route.ts GET': 'public by design: the API description a till developer reads',
  'app/api/health/route.ts GET': 'public by design: a load balancer calls it without a session',
  'app/api/metrics/route.ts GET': 'a bearer METRICS_TOKEN opens it too, for a scraper without a session',
  'app/api/auth/[...nextauth]/route.ts GET': "next-auth's own endpoints",
  'app/api/auth/[...nextauth]/route.ts POST': "next-auth's own endpoints",
}

// ——— the sales table, failures inbox and batches (lib/sales/actions.ts, lib/batches/actions.ts) ———
// Rows per store that an allowed call uses up (submits, deletes, edits): prepare re-creates only those
// no longer as they were, so every cell finds them fresh.
type RowKind = 'ready' | 'failed' | 'invalid' | 'queuedBatch' | 'failedBatch'
const rows: Record<RowKind, Record<string, string>> = {
  ready: {},
  failed: {},
  invalid: {},
  queuedBatch: {},
  failedBatch: {},
}
const groupReason = () => `other:mx-${w.prefix}`
const codeOf = (storeId: string) =>
  [w.storeA, w.storeB, w.storeC].find((s) => s.id === storeId)?.code ?? 'NOPE'
async function tableEvent(storeId: string, status: 'READY' | 'FAILED' | 'INVALID' | 'QUEUED', extra = {}) {
  return db.saleEvent.create({
    data: {
      kind: 'PURCHASE',
      storeId,
      orderId: `MX-T-${uniq()}`,
      occurredAt: new Date(Date.now() - 3_600_000),
      status,
      itemCount: 1,
      itemsTotal: '9.9',
      lineItems: { create: [{ lineNumber: 1, itemId: 'MX-SKU', unitPrice: '9.90', quantity: 1 }] },
      ...extra,
    },
  })
}
async function fresh(kind: RowKind, id: string | undefined) {
  if (!id) return false
  if (kind === 'queuedBatch') return (await db.batch.count({ where: { id, status: 'QUEUED' } })) === 1
  if (kind === 'failedBatch')
    return (
      (await db.saleEvent.count({
        where: {
          status: 'FAILED',
          openBatchId: null,
          id: {
            in: (
              await db.batchEvent.findMany({ where: { batchId: id, outcome: 'FAILED' } })
            ).map((b) => b.eventId),
          },
        },
      })) === 1
    )
  const status = kind === 'ready' ? 'READY' : kind === 'failed' ? 'FAILED' : 'INVALID'
  return (await db.saleEvent.count({ where: { id, status, version: 1, openBatchId: null } })) === 1
}
async function create(kind: RowKind, storeId: string) {
  switch (kind) {
    case 'ready':
      return (await tableEvent(storeId, 'READY')).id
    case 'failed':
      return (await tableEvent(storeId, 'FAILED', { lastError: 'refused' })).id
    case 'invalid':
      return (
        await tableEvent(storeId, 'INVALID', { issues: [{ field: `mx-${w.prefix}`, message: 'matrix' }] })
      ).id
    case 'queuedBatch': {
      const batch = await db.batch.create({ data: { connectionId: w.connection.id, eventCount: 1 } })
      // an open batch's events are the ones it was made with whose openBatchId still names it (BatchEvent rows
      // come at the outcome)
      const e = await tableEvent(storeId, 'QUEUED', { openBatchId: batch.id })
      await db.batch.update({ where: { id: batch.id }, data: { eventIds: [e.id], storeIds: [storeId] } })
      return batch.id
    }
    case 'failedBatch': {
      const batch = await db.batch.create({
        data: { connectionId: w.connection.id, eventCount: 1, status: 'FAILED', finishedAt: new Date() },
      })
      const e = await tableEvent(storeId, 'FAILED', { lastError: 'refused' })
      await db.batchEvent.create({
        data: { batchId: batch.id, eventId: e.id, position: 0, outcome: 'FAILED', error: 'refused' },
      })
      return batch.id
    }
  }
}
const ensure = (kind: RowKind) => async () => {
  for (const store of [w.storeA, w.storeB, w.storeC])
    if (!(await fresh(kind, rows[kind][store.id]))) rows[kind][store.id] = await create(kind, store.id)
}
// the order ids of the ready rows, so a filter can name exactly one of them
const readyOrders: Record<string, string> = {}
async function ensureReadyOrders() {
  await ensure('ready')()
  for (const e of await db.saleEvent.findMany({ where: { id: { in: Object.values(rows.ready) } } }))
    readyOrders[e.storeId] = e.orderId
}
// per store, a Shopify refund without lines and its purchase: an allowed call completes it, prepare makes another
const refunds: Record<string, string> = {}
async function ensureRefunds() {
  for (const store of [w.storeA, w.storeB, w.storeC]) {
    const id = refunds[store.id]
    if (id && (await db.lineItem.count({ where: { eventId: id } })) === 0) continue
    const orderId = `MX-R-${uniq()}`
    await tableEvent(store.id, 'READY', { orderId })
    const refund = await db.saleEvent.create({
      data: {
        kind: 'RETURN',
        storeId: store.id,
        orderId,
        occurredAt: new Date(Date.now() - 3_600_000),
        status: 'INVALID',
        refund: '9.90',
        issues: [{ field: 'lineItems', message: 'matrix refund without lines' }],
      },
    })
    refunds[store.id] = refund.id
  }
}
const matchingFilter = (t: Target) => {
  const storeId = t.kind === 'missing' ? w.storeC.id : t.storeId
  return `store=${codeOf(storeId)}&q=${readyOrders[storeId]}`
}
async function ensureReadyInCommittedUploads() {
  for (const store of [w.storeA, w.storeB]) {
    const uploadId = w.uploadsIn(store.id).committed
    const ready = await db.saleEvent.count({ where: { uploadId, status: 'READY', openBatchId: null } })
    if (ready === 0) await tableEvent(store.id, 'READY', { uploadId })
  }
}
const eventOf = (t: Target, kind: 'ready' | 'failed') =>
  t.kind === 'missing' ? t.missingId : (rows[kind][t.storeId] as string)
const batchOf = (t: Target, kind: 'queuedBatch' | 'failedBatch') =>
  t.kind === 'missing' ? t.missingId : (rows[kind][t.storeId] as string)
Object.assign(ACTIONS, {
  'sales.submit': {
    rule: 'store-members',
    targeted: true,
    prepare: ensure('ready'),
    input: (t) => ({ eventIds: [eventOf(t, 'ready')] }),
  },
  'sales.resubmit': {
    rule: 'store-members',
    targeted: true,
    prepare: ensure('failed'),
    input: (t) => ({ eventIds: [eventOf(t, 'failed')] }),
  },
  'sales.setExcluded': {
    rule: 'store-members',
    targeted: true,
    prepare: ensure('ready'),
    input: (t) => ({ eventIds: [eventOf(t, 'ready')], excluded: true }),
  },
  'sales.delete': {
    rule: 'store-members',
    targeted: true,
    prepare: ensure('ready'),
    input: (t) => ({ eventIds: [eventOf(t, 'ready')] }),
  },
  // the event moves to the target's store: "other" is refused even for the event's own manager
  'sales.update': {
    rule: 'store-members',
    targeted: true,
    prepare: ensure('ready'),
    input: (t) => ({
      eventId: t.kind === 'missing' ? t.missingId : rows.ready[t.storeId],
      version: 1,
      event: {
        kind: 'PURCHASE',
        storeId: t.storeId,
        orderId: `MX-E-${uniq()}`,
        occurredAt: new Date(Date.now() - 7_200_000),
        lineItems: [{ role: 'PURCHASED', itemId: 'MX-SKU', unitPrice: '5.00', quantity: 2 }],
      },
    }),
  },
  // a group names a reason, not a store: it only ever touches the caller's own stores
  'sales.fixGroup': {
    rule: 'signed-in',
    targeted: false,
    prepare: ensure('invalid'),
    input: () => ({ reason: groupReason(), fix: { type: 'exclude' } }),
  },
  'sales.submitFixed': {
    rule: 'store-members',
    targeted: false,
    input: (t) => ({ store: [codeOf(t.kind === 'missing' ? w.storeC.id : t.storeId)] }),
  },
  // "select all N matching this filter": the filter names the target's store and its one ready sale, N = 1;
  // "missing" names a store no manager has. A filter naming another store is refused before anything is read.
  'sales.countMatching': {
    rule: 'store-members',
    targeted: false,
    prepare: ensureReadyOrders,
    input: (t) => ({ filter: matchingFilter(t) }),
  },
  'sales.submitMatching': {
    rule: 'store-members',
    targeted: false,
    prepare: ensureReadyOrders,
    input: (t) => ({ filter: matchingFilter(t), expectedCount: 1 }),
  },
  'sales.excludeMatching': {
    rule: 'store-members',
    targeted: false,
    prepare: ensureReadyOrders,
    input: (t) => ({ filter: matchingFilter(t), expectedCount: 1 }),
  },
  // a refund without lines in the target's store takes its line from the purchase of the same order
  'sales.completeRefund': {
    rule: 'store-members',
    targeted: true,
    prepare: ensureRefunds,
    input: (t) => ({
      eventId: t.kind === 'missing' ? t.missingId : refunds[t.storeId],
      version: 1,
      lines: [{ lineNumber: 1, quantity: 1 }],
    }),
  },
  // "Submit the N ready sales from this file": each store's stored upload holds one ready sale (N = 1)
  'uploads.submit': {
    rule: 'store-members',
    targeted: true,
    prepare: ensureReadyInCommittedUploads,
    input: (t) => ({
      uploadId: t.kind === 'missing' ? t.missingId : w.uploadsIn(t.storeId).committed,
      expectedCount: 1,
    }),
  },
  'batches.retry': {
    rule: 'store-members',
    targeted: true,
    prepare: ensure('failedBatch'),
    input: (t) => ({ batchId: batchOf(t, 'failedBatch') }),
  },
  'batches.cancel': {
    rule: 'store-members',
    targeted: true,
    prepare: ensure('queuedBatch'),
    input: (t) => ({ batchId: batchOf(t, 'queuedBatch') }),
  },
  // Settings → API keys and schedules (lib/feed/actions.ts): admin only
  'apiKeys.create': {
    rule: 'admin',
    targeted: false,
    input: (t) => ({ name: `Till ${uniq()}`, storeIds: [t.storeId] }),
  },
  'apiKeys.revoke': {
    rule: 'admin',
    targeted: true,
    prepare: async () => {
      for (const store of [w.storeA, w.storeB]) revocableKeys[store.id] = (await makeApiKey([store.id])).id
    },
    input: (t) => ({ keyId: t.kind === 'missing' ? t.missingId : revocableKeys[t.storeId] }),
  },
  'schedules.set': {
    rule: 'admin',
    targeted: true,
    input: (t) => ({ storeId: t.kind === 'missing' ? t.missingId : t.storeId, mode: 'OFF' }),
  },
} satisfies Record<string, ActionEntry>)
Object.assign(ROUTES, {
  // the problems CSV: "missing" names a store no manager has (404 for managers, empty CSV for the admin)
  'app/(dashboard)/sales/export/route.ts GET': {
    rule: 'store-members',
    request: (t) =>
      new Request(
        `${BASE}/sales/export?status=INVALID,FAILED&store=${codeOf(t.kind === 'missing' ? w.storeC.id : t.storeId)}`,
      ),
  },
  'app/(dashboard)/sales/export/route.ts POST': {
    rule: 'store-members',
    request: (t) => {
      const body = new FormData()
      body.append('ids', rows.ready[t.kind === 'missing' ? w.storeC.id : t.storeId] ?? randomUUID())
      return new Request(`${BASE}/sales/export`, { method: 'POST', body })
    },
  },
} satisfies Record<string, RouteEntry>)

function expected(rule: Rule, targeted: boolean, persona: Persona, kind: TargetKind): 'allow' | 'deny' {
  const signedIn = persona !== 'anonymous' && persona !== 'deactivated'
  if (targeted && kind === 'missing' && rule !== 'public') return 'deny'
  switch (rule) {
    case 'public':
      return 'allow'
    case 'signed-in':
      return signedIn ? 'allow' : 'deny'
    case 'admin':
      return persona === 'admin' ? 'allow' : 'deny'
    case 'store-members':
      return persona === 'admin' || (signedIn && kind === 'own') ? 'allow' : 'deny'
    case 'api-key':
      return (persona === 'admin' && kind !== 'missing') ||
        ((persona === 'managerA' || persona === 'managerB') && kind === 'own')
        ? 'allow'
        : 'deny'
  }
}

/** everything the world's rows look like: a denied call must leave it exactly as it was */
async function fingerprint() {
  const storeIds = [w.storeA.id, w.storeB.id]
  const userIds = [...Object.values(w.users), w.victimA, w.victimB, w.signInUser].map((u) => u.id)
  const [stores, users, memberships, connection, auditCount, events, uploads] = await Promise.all([
    db.store.findMany({
      where: { OR: [{ id: { in: storeIds } }, { code: { startsWith: w.prefix } }] },
      orderBy: { id: 'asc' },
    }),
    db.user.findMany({
      where: { OR: [{ id: { in: userIds } }, { email: { startsWith: 'new-' } }] },
      orderBy: { id: 'asc' },
    }),
    db.storeMembership.findMany({
      where: { OR: [{ storeId: { in: storeIds } }, { userId: { in: userIds } }] },
      orderBy: [{ userId: 'asc' }, { storeId: 'asc' }],
    }),
    db.constructorConnection.findUnique({ where: { id: w.connection.id } }),
    db.auditLog.count({
      where: {
        OR: [{ actorId: { in: userIds } }, { storeId: { in: storeIds } }, { entityId: w.connection.id }],
      },
    }),
    db.saleEvent.findMany({ where: { storeId: { in: storeIds } }, orderBy: { id: 'asc' } }),
    db.upload.findMany({ where: { storeId: { in: storeIds } }, orderBy: { id: 'asc' } }),
  ])
  // Upload.sizeBytes is a BigInt
  return JSON.stringify({ stores, users, memberships, connection, auditCount, events, uploads }, (_k, v) =>
    typeof v === 'bigint' ? v.toString() : v,
  )
}

function walk(dir: string, out: string[] = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'generated' || entry.name.startsWith('.')) continue
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) walk(full, out)
    else out.push(full)
  }
  return out
}
const rel = (f: string) => path.relative(ROOT, f).split(path.sep).join('/')
const sourceFiles = () =>
  ['app', 'lib', 'components'].flatMap((d) => walk(path.join(ROOT, d))).filter((f) => /\.(ts|tsx)$/.test(f))
const actionFiles = () => sourceFiles().filter((f) => /^lib\/.+\/actions\.ts$/.test(rel(f)))
const routeFiles = () => sourceFiles().filter((f) => /^app\/.+\/route\.ts$/.test(rel(f)))
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const

async function discoverActions() {
  const found: { file: string; exportName: string; name: string | undefined; fn: unknown }[] = []
  for (const file of actionFiles()) {
    const mod = (await import(file)) as Record<string, unknown>
    for (const [exportName, fn] of Object.entries(mod))
      found.push({ file: rel(file), exportName, name: actionMeta(fn)?.name, fn })
  }
  return found
}

async function discoverRoutes() {
  const found: { key: string; handler: (req: Request) => Promise<Response> }[] = []
  for (const file of routeFiles()) {
    const mod = (await import(file)) as Record<string, unknown>
    for (const method of HTTP_METHODS) {
      const handler = mod[method]
      if (typeof handler === 'function')
        found.push({ key: `${rel(file)} ${method}`, handler: handler as (req: Request) => Promise<Response> })
    }
  }
  return found
}

beforeAll(async () => {
  sandbox = await startSandbox({ token: SANDBOX_TOKEN, controlToken: 'matrix-control', dataDir: sandboxDir })
  w = await makeWorld()
  await makeFeedKeys()
})
afterAll(async () => {
  await sandbox?.close()
  fs.rmSync(sandboxDir, { recursive: true, force: true })
})

describe('the authorization matrix', () => {
  it("has no 'use server' outside lib/**/actions.ts (every action goes through the registry)", () => {
    const offenders = sourceFiles()
      .filter((f) => !/^lib\/.+\/actions\.ts$/.test(rel(f)) && !rel(f).endsWith('.test.ts'))
      .filter((f) => /^\s*['"]use server['"]/m.test(fs.readFileSync(f, 'utf8')))
      .map(rel)
    expect(offenders).toEqual([])
  })

  it('knows every server action, and every one is built with authorizedAction', async () => {
    const found = await discoverActions()
    expect(found.length).toBeGreaterThan(0)
    const notFromHelper = found.filter((a) => !a.name).map((a) => `${a.file}#${a.exportName}`)
    expect(notFromHelper, 'exports of actions.ts not built with authorizedAction').toEqual([])
    const missing = found.filter((a) => a.name && !ACTIONS[a.name]).map((a) => `${a.name} (${a.file})`)
    expect(missing, 'actions without a matrix entry: add them to ACTIONS').toEqual([])
    const stale = Object.keys(ACTIONS).filter((n) => !found.some((a) => a.name === n))
    expect(stale, 'matrix entries for actions that no longer exist').toEqual([])
  })

  it('knows every route handler', async () => {
    const found = await discoverRoutes()
    const missing = found.filter((r) => !ROUTES[r.key]).map((r) => r.key)
    expect(missing, 'route handlers without a matrix entry: add them to ROUTES').toEqual([])
  })

  it('every route handler is built with authorizedRoute, at the access its matrix rule says', async () => {
    const found = await discoverRoutes()
    const notFromHelper = found.filter((r) => !routeMeta(r.handler) && !OWN_DOOR[r.key]).map((r) => r.key)
    expect(notFromHelper, 'route handlers not built with authorizedRoute (or listed in OWN_DOOR)').toEqual([])
    const stale = Object.keys(OWN_DOOR).filter(
      (k) => !found.some((r) => r.key === k && !routeMeta(r.handler)),
    )
    expect(stale, 'OWN_DOOR entries for routes that are gone or now use authorizedRoute').toEqual([])
    const mismatched = found.flatMap((r) => {
      const meta = routeMeta(r.handler)
      const rule = ROUTES[r.key]?.rule
      if (!meta || !rule) return []
      const access = JSON.stringify(meta.access)
      const fits =
        rule === 'admin'
          ? access === '["ADMIN"]'
          : rule === 'api-key'
            ? access === '"api-key"'
            : rule !== 'public' && access === '"signed-in"'
      return fits ? [] : [`${r.key}: rule ${rule}, access ${access}`]
    })
    expect(mismatched, "a route's access must match its matrix rule").toEqual([])
    const names = found.map((r) => routeMeta(r.handler)?.name).filter(Boolean)
    expect(new Set(names).size, 'route names are unique').toBe(names.length)
  })

  it('every action cell allows or denies as expected, and a denial changes nothing', async () => {
    const found = await discoverActions()
    const failures: string[] = []
    let cells = 0
    for (const { name, fn } of found) {
      const entry = name ? ACTIONS[name] : undefined
      if (!entry || !name) continue
      for (const persona of PERSONAS) {
        for (const kind of TARGETS) {
          cells++
          const t = target(kind, persona)
          await settleUploadJobs()
          await entry.prepare?.(persona)
          const session = await sessionOf(persona)
          const input = entry.input(t, persona)
          const want = expected(entry.rule, entry.targeted, persona, kind)
          const before = want === 'deny' ? await fingerprint() : ''
          const result = (await runAs(session, () =>
            (fn as (i: unknown) => Promise<ActionResult<unknown>>)(input),
          )) as ActionResult<unknown>
          const got = result.ok ? 'allow' : 'deny'
          const cell = `${name} × ${persona} × ${kind}`
          if (got !== want) failures.push(`${cell}: expected ${want}, got ${JSON.stringify(result)}`)
          else if (want === 'deny' && (await fingerprint()) !== before)
            failures.push(`${cell}: denied, but the database changed`)
        }
      }
    }
    expect(failures).toEqual([])
    expect(cells).toBe(Object.keys(ACTIONS).length * PERSONAS.length * TARGETS.length)
    // hundreds of cells, each a few statements: a loaded machine needs longer than the default 30 s
  }, 300_000)

  it('every route handler cell allows or denies as expected', async () => {
    const failures: string[] = []
    for (const { key, handler } of await discoverRoutes()) {
      const entry = ROUTES[key]
      if (!entry) continue
      for (const persona of PERSONAS) {
        for (const kind of TARGETS) {
          const t = target(kind, persona)
          const want = expected(entry.rule, false, persona, kind)
          await settleUploadJobs()
          const before = await fingerprint()
          const res = await runAs(await sessionOf(persona), async () => {
            const { NextRequest } = await import('next/server')
            return handler(new NextRequest(entry.request(t, persona)))
          })
          const ok = entry.allowed ? entry.allowed(res) : res.status < 400
          if ((ok ? 'allow' : 'deny') !== want)
            failures.push(`${key} × ${persona} × ${kind}: expected ${want}, got ${res.status}`)
          if ((want === 'deny' || !entry.writes) && (await fingerprint()) !== before)
            failures.push(`${key} × ${persona} × ${kind}: database changed`)
        }
      }
    }
    await settleUploadJobs()
    expect(failures).toEqual([])
    // every cell runs the queued upload jobs of the one before it: a loaded machine needs longer than 30 s
  }, 300_000)

  it('an admin-approved save left the token encrypted and never returned it', async () => {
    const conn = await db.constructorConnection.findUniqueOrThrow({ where: { id: w.connection.id } })
    expect(conn.tokenCiphertext).not.toContain(SANDBOX_TOKEN)
    expect(conn.lastTestOk).toBe(true)
    const trail = await db.auditLog.findMany({ where: { entityId: w.connection.id } })
    expect(trail.length).toBeGreaterThan(0)
    expect(JSON.stringify(trail)).not.toContain(SANDBOX_TOKEN)
    expect(JSON.stringify(trail)).not.toContain(conn.tokenCiphertext)
  })
})
