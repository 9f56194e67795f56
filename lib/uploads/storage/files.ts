import { createHash } from 'node:crypto'
import { env } from '@/lib/env'
import type { Queryable } from '@/lib/submission/sql'
import { UploadFileError } from '../errors'
import { formatBytes } from './format-bytes'
import { removeStagedChunks } from './staged-events'

export { formatBytes } from './format-bytes'

// An uploaded file lives in PostgreSQL between upload, preview and commit (UploadFileChunk): every web and worker
// instance reaches it, and nothing is kept on a local disk. It is streamed in and out one chunk at a time and is
// never held whole in memory; it is deleted when the upload is stored or cancelled, and by the retention job.

/** the size of one stored piece of a file */
export const FILE_CHUNK_BYTES = 1024 * 1024

export function uploadMaxBytes(): number {
  return env().UPLOAD_MAX_BYTES
}

export class FileTooLargeError extends Error {
  override name = 'FileTooLargeError'
  constructor(readonly maxBytes: number) {
    super(
      `The file is larger than ${formatBytes(maxBytes)}, the most this site accepts. Export a shorter period (for example one day or one week) and upload each file.`,
    )
  }
}

export type ReceivedFile = { sizeBytes: number; sha256: string }

type Body = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Iterable<Uint8Array>

/**
 * Streams the body into UploadFileChunk rows of the (RECEIVING) upload while hashing it, one INSERT per 1 MB piece:
 * the next piece is read only once the last one is written, so a fast client can't fill memory. Stops as soon as
 * the limit is passed (the caller deletes the upload, and its pieces with it).
 */
export async function writeUploadFile(
  q: Queryable,
  uploadId: string,
  body: Body,
  maxBytes: number,
): Promise<ReceivedFile> {
  const hash = createHash('sha256')
  let size = 0
  let seq = 0
  let pending: Buffer[] = []
  let pendingBytes = 0
  const flush = async () => {
    if (pendingBytes === 0) return
    const piece = Buffer.concat(pending, pendingBytes)
    pending = []
    pendingBytes = 0
    await q.query(
      `INSERT INTO "UploadFileChunk" ("uploadId", seq, data, "writtenAt") VALUES ($1::uuid, $2, $3, clock_timestamp())`,
      [uploadId, seq++, piece],
    )
  }
  const iterable: AsyncIterable<Uint8Array> | Iterable<Uint8Array> =
    Symbol.asyncIterator in body || Symbol.iterator in body
      ? (body as AsyncIterable<Uint8Array> | Iterable<Uint8Array>)
      : streamIterable(body as ReadableStream<Uint8Array>)
  for await (const chunk of iterable) {
    size += chunk.byteLength
    if (size > maxBytes) throw new FileTooLargeError(maxBytes)
    hash.update(chunk)
    let rest = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    while (pendingBytes + rest.byteLength >= FILE_CHUNK_BYTES) {
      const take = FILE_CHUNK_BYTES - pendingBytes
      pending.push(rest.subarray(0, take))
      pendingBytes += take
      rest = rest.subarray(take)
      await flush()
    }
    if (rest.byteLength > 0) {
      // copied: the body's buffer may be reused by the stream once this chunk is handed back
      pending.push(Buffer.from(rest))
      pendingBytes += rest.byteLength
    }
  }
  await flush()
  return { sizeBytes: size, sha256: hash.digest('hex') }
}

/**
 * The stored file, piece by piece in file order: one query per 1 MB piece, so only one is in memory at a time. With
 * the size the upload recorded, a file that ends early (a missing piece, or its pieces gone) fails the read instead
 * of being read as a shorter file.
 */
export async function* readUploadFile(
  q: Queryable,
  uploadId: string,
  expectedBytes?: number,
): AsyncGenerator<Uint8Array> {
  let read = 0
  for (let seq = 0; ; seq++) {
    const { rows } = await q.query<{ data: Uint8Array }>(
      `SELECT data FROM "UploadFileChunk" WHERE "uploadId" = $1::uuid AND seq = $2`,
      [uploadId, seq],
    )
    const piece = rows[0]?.data
    if (!piece) break
    read += piece.byteLength
    yield piece
  }
  if (expectedBytes !== undefined && read !== expectedBytes)
    throw new UploadFileError(
      'FILE_CHANGED',
      'The stored file is incomplete (it was removed or never arrived whole), so it cannot be read. Upload it again.',
    )
}

/** whether the upload's file is stored (it is gone once the upload was stored, cancelled or expired) */
export async function hasUploadFile(q: Queryable, uploadId: string): Promise<boolean> {
  const { rows } = await q.query(`SELECT 1 FROM "UploadFileChunk" WHERE "uploadId" = $1::uuid AND seq = 0`, [
    uploadId,
  ])
  return rows.length > 0
}

/** deletes the upload's file and the events its checks kept (the Upload row stays, with its counts and history) */
export async function removeUploadFile(q: Queryable, uploadId: string): Promise<void> {
  await q.query(`DELETE FROM "UploadFileChunk" WHERE "uploadId" = $1::uuid`, [uploadId])
  await removeStagedChunks(q, uploadId)
}

async function* streamIterable(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return
      yield value
    }
  } finally {
    await reader.cancel().catch(() => {})
    reader.releaseLock()
  }
}
