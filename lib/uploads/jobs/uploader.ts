import type pg from 'pg'
import { normalizeStoreName } from '@/lib/stores/store-names'
import type { IngestStore } from '../storage/ingest-rows'

// What a job may do is what the person who asked for it may do when the job runs (not when it was queued): the same
// scope as getIngestStores/getOtherStoreNames (lib/uploads/queries.ts), read with plain SQL in the worker.

export type UploaderScope = {
  stores: IngestStore[]
  otherStoreNames: string[]
  /** the upload's own store, and its code: the store of rows that name none */
  storeId: string | null
  defaultStoreCode: string | null
  sizeBytes: number
  sha256: string
}

/** null: the person is no longer active, or may no longer write the upload's store (or the upload is gone) */
export async function uploaderScope(
  pool: pg.Pool,
  userId: string,
  uploadId: string,
): Promise<UploaderScope | null> {
  const { rows: users } = await pool.query<{ role: string; storeIds: string[] }>(
    `SELECT u.role::text AS role,
       coalesce(array_agg(m."storeId"::text) FILTER (WHERE m."storeId" IS NOT NULL), '{}') AS "storeIds"
     FROM "User" u LEFT JOIN "StoreMembership" m ON m."userId" = u.id
     WHERE u.id = $1::uuid AND u.active GROUP BY u.id`,
    [userId],
  )
  const user = users[0]
  if (!user) return null
  const allStores = user.role === 'ADMIN'
  const { rows: stores } = await pool.query<{
    id: string
    code: string
    timeZone: string
    latitude: string | null
    longitude: string | null
    active: boolean
    aliases: string[]
    normalized: string[]
  }>(
    `SELECT s.id::text, s.code, s."timeZone", s.latitude, s.longitude, s.active,
       coalesce(array_agg(a.name ORDER BY a.name) FILTER (WHERE a.id IS NOT NULL), '{}') AS aliases,
       coalesce(array_agg(a.normalized) FILTER (WHERE a.id IS NOT NULL), '{}') AS normalized
     FROM "Store" s LEFT JOIN "StoreAlias" a ON a."storeId" = s.id
     GROUP BY s.id ORDER BY s.code`,
  )
  const mine = (s: { id: string; active: boolean }) => s.active && (allStores || user.storeIds.includes(s.id))
  const { rows: uploads } = await pool.query<{
    storeId: string | null
    uploaderId: string | null
    sizeBytes: string
    sha256: string
  }>(
    `SELECT "storeId"::text AS "storeId", "uploaderId"::text AS "uploaderId", "sizeBytes"::text AS "sizeBytes", sha256
     FROM "Upload" WHERE id = $1::uuid`,
    [uploadId],
  )
  const upload = uploads[0]
  if (!upload) return null
  const own = upload.storeId === null ? null : stores.find((s) => s.id === upload.storeId)
  if (upload.storeId !== null && !(own && mine(own))) return null
  if (upload.storeId === null && !allStores && upload.uploaderId !== userId) return null
  return {
    stores: stores.filter(mine).map((s) => ({
      id: s.id,
      code: s.code,
      timeZone: s.timeZone,
      latitude: s.latitude,
      longitude: s.longitude,
      aliases: s.aliases,
    })),
    otherStoreNames: stores
      .filter((s) => !mine(s))
      .flatMap((s) => [normalizeStoreName(s.code), ...s.normalized]),
    storeId: upload.storeId,
    defaultStoreCode: own?.code ?? null,
    sizeBytes: Number(upload.sizeBytes),
    sha256: upload.sha256,
  }
}
