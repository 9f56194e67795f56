'use server'

import { audit } from '@/lib/audit/log'
import { ActionError, authorizedAction, MESSAGES, refresh } from '@/lib/auth/action'
import type { Caller } from '@/lib/auth/caller'
import { db } from '@/lib/db'
import { prismaQueryable } from '@/lib/submission/sql'
import {
  ensureAppQueueSchema,
  SelectionChangedError,
  SubmissionError,
  submitEvents,
} from '@/lib/submission/submit'
import { addUploadJob, UPLOAD_JOB_KEY_SQL } from './jobs/queue'
import { cancelUploadSchema, commitUploadSchema, submitUploadSchema } from './schema'
import { removeUploadFile } from './storage/files'
import { laneOf } from './storage/lanes'
import { cancelUpload, isCommittable, queueCommit } from './transitions'

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

/**
 * Queues storing the previewed file (a worker stores it: run-job.ts); the page follows its progress. A second call
 * (double click) finds it queued or stored and changes nothing.
 */
export const commitUploadAction = authorizedAction({
  name: 'uploads.commit',
  access: 'signed-in',
  schema: commitUploadSchema,
  storeScope: uploadStoreScope,
  handler: async ({ uploadId }, caller, ctx) => {
    const upload = await ownUpload(caller, uploadId)
    if (upload.status === 'COMMITTED' || upload.status === 'COMMITTING') {
      refresh()
      return {
        uploadId,
        queued: upload.status === 'COMMITTING',
        alreadyStored: upload.status === 'COMMITTED',
      }
    }
    if (!isCommittable(upload.status))
      throw new ActionError(
        upload.status === 'CANCELLED'
          ? 'This upload was cancelled. Upload the file again.'
          : 'Check the rows of this file first: the preview comes before storing.',
      )
    // the worker may not have started yet on a fresh database: the queue's schema must exist for the job
    await ensureAppQueueSchema()
    const token = crypto.randomUUID()
    const lane = laneOf(Number(upload.sizeBytes))
    const queued = await db.$transaction(async (tx) => {
      const q = prismaQueryable(tx)
      if (!(await queueCommit(q, uploadId, token, lane))) return false
      await addUploadJob(q, lane, {
        uploadId,
        token,
        mode: 'commit',
        userId: caller.userId,
        email: caller.email,
        ip: ctx.ip ?? null,
      })
      return true
    })
    if (!queued) throw new ActionError('This upload changed meanwhile. Reload the page.')
    refresh()
    return { uploadId, queued: true, alreadyStored: false }
  },
})

/** drops an upload that was not stored, and its file, at any moment before it is stored (a running job stops) */
export const cancelUploadAction = authorizedAction({
  name: 'uploads.cancel',
  access: 'signed-in',
  schema: cancelUploadSchema,
  storeScope: uploadStoreScope,
  handler: async ({ uploadId }, caller, ctx) => {
    const upload = await ownUpload(caller, uploadId)
    if (upload.status === 'CANCELLED') return { uploadId }
    await ensureAppQueueSchema()
    const done = await db.$transaction(async (tx) => {
      const q = prismaQueryable(tx)
      // a job still waiting goes too (one running finds its token gone and stops)
      await q.query(
        // the job row itself is not read: a Prisma transaction could not decode graphile-worker's row type
        `SELECT 1 AS removed FROM "Upload" u, graphile_worker.remove_job(${UPLOAD_JOB_KEY_SQL})
         WHERE u.id = $1::uuid AND u."jobToken" IS NOT NULL`,
        [uploadId],
      )
      const changed = await cancelUpload(q, uploadId)
      if (changed) {
        await removeUploadFile(q, uploadId)
        await audit(tx, {
          actor: ctx.actor,
          action: 'upload.cancelled',
          entity: 'Upload',
          entityId: uploadId,
          storeId: upload.storeId,
          ip: ctx.ip,
        })
      }
      return changed
    })
    if (!done) throw new ActionError('This upload can no longer be cancelled: it is stored.')
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
