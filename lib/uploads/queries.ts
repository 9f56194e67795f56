import 'server-only'
import { scopeWhere } from '@/lib/auth/action'
import type { Caller } from '@/lib/auth/caller'
import { db } from '@/lib/db'
import { Prisma } from '@/lib/generated/prisma/client'
import { normalizeStoreName } from '@/lib/stores/store-names'
import type { IngestStore, UploadPreview } from './storage/ingest'

// Upload reads: an upload is the caller's when its store is one of theirs; an upload without a store
// (the store comes from a file column) belongs to whoever uploaded it, and to admins.

export function uploadScope(caller: Caller): Prisma.UploadWhereInput {
  return caller.allStores
    ? {}
    : { OR: [{ storeId: { in: caller.storeIds } }, { storeId: null, uploaderId: caller.userId }] }
}

/** the latest uploads into the caller's stores, with who uploaded them */
export async function getRecentUploads(caller: Caller, take = 50) {
  const uploads = await db.upload.findMany({
    where: uploadScope(caller),
    orderBy: { createdAt: 'desc' },
    take,
    include: { store: { select: { code: true } } },
  })
  const ids = [...new Set(uploads.map((u) => u.uploaderId).filter((id): id is string => id !== null))]
  const users = await db.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })
  const names = new Map(users.map((u) => [u.id, u.name]))
  return uploads.map((u) => ({
    ...u,
    uploaderName: u.uploaderId ? (names.get(u.uploaderId) ?? 'Removed user') : '—',
  }))
}

/** one upload of the caller's, or null (also for an id that exists in someone else's store) */
export async function getUpload(caller: Caller, uploadId: string) {
  if (!/^[0-9a-f-]{36}$/i.test(uploadId)) return null
  const upload = await db.upload.findFirst({
    where: { AND: [{ id: uploadId }, uploadScope(caller)] },
    include: { store: { select: { id: true, code: true, name: true, timeZone: true } } },
  })
  if (!upload) return null
  const uploader = upload.uploaderId
    ? await db.user.findUnique({ where: { id: upload.uploaderId }, select: { name: true, email: true } })
    : null
  return { ...upload, preview: upload.preview as UploadPreview | null, uploader }
}

/** what the page shows while the upload's job waits or runs (GET /api/uploads/[id]/progress) */
export type UploadProgress = {
  status: string
  sizeBytes: number
  /** a worker has started the job */
  started: boolean
  bytes: number
  rows: number
  events: number
  /** the events its check found (what a commit writes at most) */
  eventCount: number
  /** uploads of the same lane queued earlier and still waiting or running */
  ahead: number
  errorMessage: string | null
}

export async function getUploadProgress(caller: Caller, uploadId: string): Promise<UploadProgress | null> {
  if (!/^[0-9a-f-]{36}$/i.test(uploadId)) return null
  const u = await db.upload.findFirst({
    where: { AND: [{ id: uploadId }, uploadScope(caller)] },
    select: {
      status: true,
      sizeBytes: true,
      jobLane: true,
      jobQueuedAt: true,
      jobStartedAt: true,
      jobToken: true,
      progressBytes: true,
      progressRows: true,
      progressEvents: true,
      eventCount: true,
      errorMessage: true,
    },
  })
  if (!u) return null
  const waiting = u.jobToken !== null && (u.status === 'PARSING' || u.status === 'COMMITTING')
  const ahead =
    waiting && u.jobStartedAt === null && u.jobQueuedAt
      ? await db.upload.count({
          where: {
            status: { in: ['PARSING', 'COMMITTING'] },
            jobToken: { not: null },
            jobLane: u.jobLane,
            jobQueuedAt: { lt: u.jobQueuedAt },
          },
        })
      : 0
  return {
    status: u.status,
    sizeBytes: Number(u.sizeBytes),
    started: u.jobStartedAt !== null,
    bytes: Number(u.progressBytes),
    rows: u.progressRows,
    events: u.progressEvents,
    eventCount: u.eventCount,
    ahead,
    errorMessage: u.errorMessage,
  }
}

/** rows of an upload that could not become part of an event, in file order */
export async function getUploadRowIssues(caller: Caller, uploadId: string, take = 500) {
  return db.uploadRowIssue.findMany({
    where: { uploadId, upload: uploadScope(caller) },
    orderBy: { rowNumber: 'asc' },
    take,
  })
}

/** how many of the upload's sales are INVALID and how many of its rows are row issues: the lists above are capped */
export async function getUploadAttentionCounts(caller: Caller, uploadId: string) {
  const [invalidEvents, rowIssues] = await Promise.all([
    db.saleEvent.count({ where: { uploadId, status: 'INVALID', ...scopeWhere(caller) } }),
    db.uploadRowIssue.count({ where: { uploadId, upload: uploadScope(caller) } }),
  ])
  return { invalidEvents, rowIssues }
}

/** the upload's events stored INVALID, with their reasons, in order of their first row */
export async function getUploadInvalidEvents(caller: Caller, uploadId: string, take = 500) {
  return db.saleEvent.findMany({
    where: { uploadId, status: 'INVALID', ...scopeWhere(caller) },
    orderBy: { createdAt: 'asc' },
    take,
    select: { id: true, orderId: true, kind: true, issues: true, store: { select: { code: true } } },
  })
}

/** the upload's sales ready to submit in the caller's stores: what "Submit the N ready sales from this file" takes */
export async function countReadyInUpload(caller: Caller, uploadId: string) {
  return db.saleEvent.count({
    where: { uploadId, status: 'READY', openBatchId: null, ...scopeWhere(caller) },
  })
}

export type UploadBatch = { id: string; status: string; eventCount: number; createdAt: Date }

/** where the upload's sales (in the caller's stores) stand, and the batches they went in, newest first */
export async function getUploadSubmission(caller: Caller, uploadId: string, take = 10) {
  const scope = scopeWhere(caller)
  const stores = scope.storeId ? Prisma.sql`AND e."storeId" = ANY(${scope.storeId.in}::uuid[])` : Prisma.empty
  const [grouped, batches] = await Promise.all([
    db.saleEvent.groupBy({ by: ['status'], where: { uploadId, ...scope }, _count: { _all: true } }),
    db.$queryRaw<(UploadBatch & { total: number })[]>(Prisma.sql`
      WITH ids AS (
        SELECT e."openBatchId" AS id FROM "SaleEvent" e
        WHERE e."uploadId" = ${uploadId}::uuid AND e."openBatchId" IS NOT NULL ${stores}
        UNION
        SELECT be."batchId" FROM "BatchEvent" be JOIN "SaleEvent" e ON e.id = be."eventId"
        WHERE e."uploadId" = ${uploadId}::uuid ${stores})
      SELECT b.id, b.status::text AS status, b."eventCount", b."createdAt", count(*) OVER ()::int AS total
      FROM "Batch" b JOIN ids USING (id) ORDER BY b."createdAt" DESC, b.id DESC LIMIT ${take}`),
  ])
  return {
    counts: Object.fromEntries(grouped.map((g) => [g.status, g._count._all])) as Partial<
      Record<string, number>
    >,
    batchCount: batches[0]?.total ?? 0,
    batches: batches.map(({ total: _t, ...b }) => b),
  }
}

/** the caller's active stores, as the parser and the payload builder need them, with their tills' names */
export async function getIngestStores(caller: Caller): Promise<IngestStore[]> {
  const stores = await db.store.findMany({
    where: { active: true, ...(caller.allStores ? {} : { id: { in: caller.storeIds } }) },
    select: {
      id: true,
      code: true,
      timeZone: true,
      latitude: true,
      longitude: true,
      aliases: { select: { name: true }, orderBy: { name: 'asc' } },
    },
    orderBy: { code: 'asc' },
  })
  return stores.map(({ aliases, ...s }) => ({ ...s, aliases: aliases.map((a) => a.name) }))
}

/**
 * Normalized codes and names of the stores the caller may not upload for (another manager's, or inactive), so
 * their rows say why instead of "unknown store"; never shown, only compared.
 */
export async function getOtherStoreNames(caller: Caller): Promise<string[]> {
  const others = await db.store.findMany({
    where: caller.allStores
      ? { active: false }
      : { OR: [{ active: false }, { id: { notIn: caller.storeIds } }] },
    select: { code: true, aliases: { select: { normalized: true } } },
  })
  return others.flatMap((s) => [normalizeStoreName(s.code), ...s.aliases.map((a) => a.normalized)])
}

/** stores to choose from on the upload and hand-entry forms */
export async function getStoreChoices(caller: Caller) {
  return db.store.findMany({
    where: { active: true, ...(caller.allStores ? {} : { id: { in: caller.storeIds } }) },
    select: { id: true, code: true, name: true, timeZone: true, currency: true, locale: true },
    orderBy: { code: 'asc' },
  })
}

/** the mapping this store last used for this source (a preset id or a header signature) */
export async function getRememberedMapping(storeId: string, source: string) {
  const found = await db.columnMappingPreset.findUnique({ where: { storeId_source: { storeId, source } } })
  return (found?.mapping ?? null) as Record<string, string | null> | null
}
