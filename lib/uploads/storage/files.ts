import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { env } from '@/lib/env'

// Uploaded files live on disk between upload, preview and commit: streamed in, read again as streams,
// never held whole in memory. Every web instance must see the same folder (a shared volume when scaled out).

function uploadDir(): string {
  const e = env()
  const dir = e.UPLOAD_DIR ?? path.join(e.DATA_DIR ?? '.data', 'uploads')
  fs.mkdirSync(dir, { recursive: true })
  return dir
}

export function uploadMaxBytes(): number {
  return env().UPLOAD_MAX_BYTES
}

/** the stored file of an upload; the id is a UUID we made, so it can't climb out of the folder */
export function uploadFilePath(uploadId: string): string {
  if (!/^[0-9a-f-]{36}$/i.test(uploadId)) throw new Error('not an upload id')
  return path.join(uploadDir(), `${uploadId}.csv`)
}

export function openUploadFile(uploadId: string): fs.ReadStream {
  return fs.createReadStream(uploadFilePath(uploadId), { highWaterMark: 256 * 1024 })
}

export function removeUploadFile(uploadId: string) {
  fs.rmSync(uploadFilePath(uploadId), { force: true })
}

/** a size in the units a person reads: 250 MB, 1.5 GB */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`
  const units = ['KB', 'MB', 'GB', 'TB']
  let v = n / 1024
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[u]}`
}

export class FileTooLargeError extends Error {
  override name = 'FileTooLargeError'
  constructor(readonly maxBytes: number) {
    super(
      `The file is larger than ${formatBytes(maxBytes)}, the most this site accepts. Export a shorter period (for example one day or one week) and upload each file.`,
    )
  }
}

export type ReceivedFile = { path: string; sizeBytes: number; sha256: string }

/**
 * Streams the body to `<dir>/<uploadId>.csv` while hashing it; stops as soon as the limit is passed
 * (the partial file is removed). Written to a .part file first, so a half-received file is never read.
 */
export async function receiveUploadFile(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  uploadId: string,
  maxBytes: number,
): Promise<ReceivedFile> {
  const final = uploadFilePath(uploadId)
  const part = `${final}.part`
  const hash = createHash('sha256')
  const out = fs.createWriteStream(part)
  let size = 0
  const failed = new Promise<never>((_, reject) => out.once('error', reject))
  failed.catch(() => {})
  try {
    const iterable: AsyncIterable<Uint8Array> | Iterable<Uint8Array> =
      Symbol.asyncIterator in body || Symbol.iterator in body
        ? (body as AsyncIterable<Uint8Array> | Iterable<Uint8Array>)
        : streamIterable(body as ReadableStream<Uint8Array>)
    for await (const chunk of iterable) {
      size += chunk.byteLength
      if (size > maxBytes) throw new FileTooLargeError(maxBytes)
      hash.update(chunk)
      // respect back-pressure: a fast client must not fill memory while the disk catches up
      if (!out.write(chunk))
        await Promise.race([new Promise<void>((r) => out.once('drain', () => r())), failed])
    }
    await Promise.race([new Promise<void>((r) => out.end(() => r())), failed])
    fs.renameSync(part, final)
    return { path: final, sizeBytes: size, sha256: hash.digest('hex') }
  } catch (e) {
    out.destroy()
    fs.rmSync(part, { force: true })
    throw e
  }
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
