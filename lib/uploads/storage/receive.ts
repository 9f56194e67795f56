import 'server-only'
import { audit } from '@/lib/audit/log'
import { canAccessStore, MESSAGES, refuseCaller } from '@/lib/auth/action'
import type { Caller } from '@/lib/auth/caller'
import { REFUSAL_STATUS } from '@/lib/auth/route'
import { db, dbPool } from '@/lib/db'
import { uuidv7 } from '@/lib/db/uuid7'
import { prismaQueryable } from '@/lib/submission/sql'
import { finishReceiving } from '../transitions'
import { FileTooLargeError, type ReceivedFile, uploadMaxBytes, writeUploadFile } from './files'

// The large-upload door: the caller and their store are checked before a byte of the body is read.

export type ReceiveOutcome =
  | { ok: true; status: 201; uploadId: string; sameFileAs: string | null }
  | { ok: false; status: 400 | 401 | 403 | 413; error: string }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function cleanFileName(raw: string | null): string {
  const name = (raw ?? '')
    .replace(/[\\/]/g, '_')
    .replace(/\p{Cc}/gu, '')
    .trim()
  return (name || 'upload.csv').slice(0, 500)
}

export async function receiveUpload(opts: {
  caller: Caller | null
  storeId: string | null
  fileName: string | null
  contentLength: number | null
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Iterable<Uint8Array> | null
  ip: string
}): Promise<ReceiveOutcome> {
  const { caller } = opts
  // the route's door has checked already; callers from elsewhere (tests, scripts) get the same checks
  const refused = refuseCaller(caller, 'signed-in')
  if (refused || !caller) {
    const why = refused ?? 'signedOut'
    return { ok: false, status: REFUSAL_STATUS[why], error: MESSAGES[why] }
  }
  const storeId = opts.storeId || null
  if (storeId !== null && (!UUID.test(storeId) || !canAccessStore(caller, storeId)))
    return { ok: false, status: 403, error: MESSAGES.notFound }
  if (storeId !== null) {
    const store = await db.store.findUnique({ where: { id: storeId }, select: { active: true } })
    if (!store?.active) return { ok: false, status: 403, error: MESSAGES.notFound }
  }
  const maxBytes = uploadMaxBytes()
  // refused before reading when the browser says up front that it is too large
  if (opts.contentLength !== null && opts.contentLength > maxBytes)
    return { ok: false, status: 413, error: new FileTooLargeError(maxBytes).message }
  if (!opts.body || opts.contentLength === 0)
    return {
      ok: false,
      status: 400,
      error: 'The file is empty. Export the sales from your till again and upload that file.',
    }

  const uploadId = uuidv7()
  const fileName = cleanFileName(opts.fileName)
  // the row first (RECEIVING), so every piece of the file is written under its key as it arrives
  await db.upload.create({
    data: {
      id: uploadId,
      fileName,
      sizeBytes: 0n,
      sha256: '0'.repeat(64),
      uploaderId: caller.userId,
      storeId,
      status: 'RECEIVING',
    },
  })
  let received: ReceivedFile
  try {
    // through pg (the pool Prisma uses), not a Prisma raw query, whose copies of each 1 MB piece the garbage collector
    // reclaims late (bench:ingest, a 250 MB file: +323 MB of peak RSS through Prisma, +57 MB through pg)
    received = await writeUploadFile(dbPool(), uploadId, opts.body, maxBytes)
  } catch (e) {
    // nothing is kept of a file that did not arrive whole: the row goes, and its pieces with it
    await db.upload.delete({ where: { id: uploadId } }).catch(() => {})
    if (e instanceof FileTooLargeError) return { ok: false, status: 413, error: e.message }
    throw e
  }
  // a request cut short (the browser's Cancel, a dropped connection) may end the body early instead of failing it:
  // a file shorter than the browser announced is not kept
  if (opts.contentLength !== null && received.sizeBytes !== opts.contentLength) {
    await db.upload.delete({ where: { id: uploadId } })
    return {
      ok: false,
      status: 400,
      error: 'The file did not arrive completely, so nothing was kept. Upload it again.',
    }
  }
  if (received.sizeBytes === 0) {
    await db.upload.delete({ where: { id: uploadId } })
    return {
      ok: false,
      status: 400,
      error: 'The file is empty. Export the sales from your till again and upload that file.',
    }
  }
  try {
    const same = await db.$transaction(async (tx) => {
      if (!(await finishReceiving(prismaQueryable(tx), uploadId, received)))
        throw new Error('the upload left RECEIVING while its file arrived')
      await audit(tx, {
        actor: { userId: caller.userId, email: caller.email },
        action: 'upload.received',
        entity: 'Upload',
        entityId: uploadId,
        storeId,
        details: { fileName, sizeBytes: received.sizeBytes, sha256: received.sha256 },
        ip: opts.ip,
      })
      return tx.upload.findFirst({
        where: { sha256: received.sha256, storeId, status: 'COMMITTED', id: { not: uploadId } },
        select: { id: true },
      })
    })
    return { ok: true, status: 201, uploadId, sameFileAs: same?.id ?? null }
  } catch (e) {
    await db.upload.delete({ where: { id: uploadId } }).catch(() => {})
    throw e
  }
}
