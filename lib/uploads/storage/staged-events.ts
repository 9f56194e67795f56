import { promisify } from 'node:util'
import { gunzip, gzip } from 'node:zlib'
import type { Queryable } from '@/lib/submission/sql'
import type { ParsedSaleEvent, RowIssue } from '../types'

// Parse once: the check keeps what it parsed (UploadStagedChunk), so the commit stores exactly the events the
// preview showed without reading and parsing the file again. One row per chunk the parser handed over: its events,
// or the rows it could not use, as gzip'd JSON (compressed off the event loop, by zlib's thread pool). Written under
// the check's job token: a check that was replaced may still write a chunk, and those are never read. Deleted with
// the file: when the upload is stored, cancelled or expires.
// Each run of a check writes under an id of its own (StagedRef.run): a run started again after its worker died, or
// one still alive beside it, never writes into another's chunks; a run starting deletes what earlier ones left.

/** what one staged chunk holds */
export type StagedChunk = { events: ParsedSaleEvent[] } | { rowIssues: RowIssue[] }

/** where a preview's chunks are (saved in the preview): the id of the run that wrote them, how many, and their events */
export type StagedRef = { run: string; chunks: number; events: number }

const gzipAsync = promisify(gzip)
const gunzipAsync = promisify(gunzip)

async function encode(chunk: StagedChunk): Promise<Buffer> {
  return gzipAsync(JSON.stringify(chunk), { level: 1 })
}

async function decode(data: Uint8Array): Promise<StagedChunk> {
  const chunk = JSON.parse((await gunzipAsync(data)).toString('utf8')) as StagedChunk
  // JSON keeps a date as its ISO text
  if ('events' in chunk)
    for (const e of chunk.events)
      e.occurredAt = e.occurredAt === null ? null : new Date(e.occurredAt as unknown as string)
  return chunk
}

/**
 * Keeps one chunk of a run of the check whose job has this token. False (nothing written) when the token is no longer
 * the upload's: the check was cancelled or replaced, and its caller stops.
 */
export async function writeStagedChunk(
  q: Queryable,
  upload: { uploadId: string; token: string; run: string },
  seq: number,
  chunk: StagedChunk,
): Promise<boolean> {
  const data = await encode(chunk)
  const { rows } = await q.query(
    `INSERT INTO "UploadStagedChunk" ("uploadId", run, seq, events, data)
     SELECT $1::uuid, $3::uuid, $4, $5, $6 FROM "Upload"
     WHERE id = $1::uuid AND "jobToken" = $2::uuid AND status = 'PARSING'
     RETURNING seq`,
    [upload.uploadId, upload.token, upload.run, seq, 'events' in chunk ? chunk.events.length : 0, data],
  )
  return rows.length > 0
}

/** whether every chunk the preview counted is there (a preview saved before parse once has no ref) */
export async function hasStagedChunks(q: Queryable, uploadId: string, ref: StagedRef): Promise<boolean> {
  const { rows } = await q.query<{ chunks: number; events: number }>(
    `SELECT count(*)::int AS chunks, coalesce(sum(events), 0)::int AS events
     FROM "UploadStagedChunk" WHERE "uploadId" = $1::uuid AND run = $2::uuid`,
    [uploadId, ref.run],
  )
  return rows[0]?.chunks === ref.chunks && rows[0]?.events === ref.events
}

/** the preview's chunks in the order they were written: one query per chunk, so only one is in memory at a time */
export async function* readStagedChunks(
  q: Queryable,
  uploadId: string,
  ref: StagedRef,
): AsyncGenerator<StagedChunk> {
  for (let seq = 0; seq < ref.chunks; seq++) {
    const { rows } = await q.query<{ data: Uint8Array }>(
      `SELECT data FROM "UploadStagedChunk" WHERE "uploadId" = $1::uuid AND run = $2::uuid AND seq = $3`,
      [uploadId, ref.run, seq],
    )
    const data = rows[0]?.data
    if (!data) throw new Error(`staged chunk ${seq} of upload ${uploadId} is missing`)
    yield await decode(data)
  }
}

/** deletes every chunk of the upload, of any check */
export async function removeStagedChunks(q: Queryable, uploadId: string): Promise<void> {
  await q.query(`DELETE FROM "UploadStagedChunk" WHERE "uploadId" = $1::uuid`, [uploadId])
}
