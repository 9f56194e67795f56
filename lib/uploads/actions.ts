'use server'

import { audit } from '@/lib/audit/log'
import { ActionError, authorizedAction, MESSAGES, refresh } from '@/lib/auth/action'
import type { Caller } from '@/lib/auth/caller'
import { db } from '@/lib/db'
import { prismaQueryable } from '@/lib/submission/sql'
import { SelectionChangedError, SubmissionError, submitEvents } from '@/lib/submission/submit'
import { getIngestStores, getOtherStoreNames } from './queries'
import { cancelUploadSchema, commitUploadSchema, submitUploadSchema } from './schema'
import { removeUploadFile } from './storage/files'
import { commitUpload, UploadStateError } from './storage/ingest'
import { cancelUpload } from './transitions'

// the upload's store is checked by the helper; an upload without a store is its uploader's (and admins')
async function uploadStoreScope({ uploadId }: { uploadId: string }) {
  const upload = await db.upload.findUnique({ where: { id: uploadId }, select: { storeId: true } })
  if (!upload) return null
  return upload.storeId ?? []
}

async function ownUpload(caller: Caller, uploadId: string) {
  const upload = await db.upload.findUniqueOrThrow({
    where: { id: uploadId },
    include: { store: { select: { code: true } } },
  })
  if (upload.storeId === null && !caller.allStores && upload.uploaderId !== caller.userId)
    throw new ActionError(MESSAGES.notFound)
  return upload
}

/** stores the previewed file's events; a second call (double click, same file) changes nothing */
export const commitUploadAction = authorizedAction({
  name: 'uploads.commit',
  access: 'signed-in',
  schema: commitUploadSchema,
  storeScope: uploadStoreScope,
  handler: async ({ uploadId }, caller, ctx) => {
    const upload = await ownUpload(caller, uploadId)
    try {
      const summary = await commitUpload({
        uploadId,
        actor: ctx.actor,
        ip: ctx.ip,
        stores: await getIngestStores(caller),
        otherStoreNames: await getOtherStoreNames(caller),
        ...(upload.store && { defaultStoreCode: upload.store.code }),
      })
      refresh()
      return summary
    } catch (e) {
      if (e instanceof UploadStateError) throw new ActionError(e.message)
      // commitUpload logged an unexpected failure and left its message on the upload, for the person
      const fresh = await db.upload.findUnique({ where: { id: uploadId }, select: { errorMessage: true } })
      if (fresh?.errorMessage) throw new ActionError(fresh.errorMessage)
      throw e
    }
  },
})

/** drops an upload that was not stored, and its file */
export const cancelUploadAction = authorizedAction({
  name: 'uploads.cancel',
  access: 'signed-in',
  schema: cancelUploadSchema,
  storeScope: uploadStoreScope,
  handler: async ({ uploadId }, caller, ctx) => {
    const upload = await ownUpload(caller, uploadId)
    if (upload.status === 'CANCELLED') return { uploadId }
    const done = await db.$transaction(async (tx) => {
      const changed = await cancelUpload(prismaQueryable(tx), uploadId)
      if (changed)
        await audit(tx, {
          actor: ctx.actor,
          action: 'upload.cancelled',
          entity: 'Upload',
          entityId: uploadId,
          storeId: upload.storeId,
          ip: ctx.ip,
        })
      return changed
    })
    if (!done) throw new ActionError('This upload can no longer be cancelled: it is stored or being stored.')
    removeUploadFile(uploadId)
    refresh()
    return { uploadId }
  },
})

/** "Submit the N ready sales from this file": the upload's READY events in the caller's stores, into new batches */
export const submitUploadAction = authorizedAction({
  name: 'uploads.submit',
  access: 'signed-in',
  schema: submitUploadSchema,
  storeScope: uploadStoreScope,
  handler: async ({ uploadId, expectedCount }, caller) => {
    const upload = await ownUpload(caller, uploadId)
    if (upload.status !== 'COMMITTED') throw new ActionError('Store this file first, then submit its sales.')
    try {
      const r = await submitEvents(caller, { scope: 'upload', uploadId, expectedCount })
      refresh()
      return r
    } catch (e) {
      if (e instanceof SelectionChangedError) {
        const n = (v: number) => v.toLocaleString('en-US')
        throw new ActionError(
          `The ready sales of this file changed since the page was loaded: ${n(e.now)} are ready now, not ${n(e.shown)}. Nothing was submitted; check the count and submit again.`,
        )
      }
      if (e instanceof SubmissionError) throw new ActionError(e.message)
      throw e
    }
  },
})
