import 'server-only'
import { scopeWhere } from '@/lib/auth/action'
import type { Caller } from '@/lib/auth/caller'
import { db } from '@/lib/db'
import type { Prisma } from '@/lib/generated/prisma/client'
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

/** rows of an upload that could not become part of an event, in file order */
export async function getUploadRowIssues(caller: Caller, uploadId: string, take = 500) {
  return db.uploadRowIssue.findMany({
    where: { uploadId, upload: uploadScope(caller) },
    orderBy: { rowNumber: 'asc' },
    take,
  })
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

/** the caller's active stores, as the parser and the payload builder need them */
export async function getIngestStores(caller: Caller): Promise<IngestStore[]> {
  return db.store.findMany({
    where: { active: true, ...(caller.allStores ? {} : { id: { in: caller.storeIds } }) },
    select: { id: true, code: true, timeZone: true, latitude: true, longitude: true },
    orderBy: { code: 'asc' },
  })
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
  return (found?.mapping ?? null) as Record<string, string> | null
}
