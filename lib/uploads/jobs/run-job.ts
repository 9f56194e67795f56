import type pg from 'pg'
import { loggableDbError, logger } from '@/lib/log'
import { isUploadFileError } from '../errors'
import {
  commitUpload,
  JobStoppedError,
  previewUpload,
  UploadBusyError,
  UploadStateError,
} from '../storage/ingest'
import type { IngestProgress } from '../storage/ingest-rows'
import { mappingSource, rememberMapping } from '../storage/remembered-mapping'
import { failCommitting, failParsing, noteJobProgress, startJobRun } from '../transitions'
import { UPLOAD_JOB_MAX_ATTEMPTS, type UploadJobPayload } from './queue'
import { uploaderScope } from './uploader'

// One preview or commit job, in a worker process. Everything it writes names the job's token, so a job whose upload
// was cancelled or checked again meanwhile stops at its next progress note (a running commit rolls back).

export type UploadJobOptions = {
  pool: pg.Pool
  /** the heap the process may reach while one file is read (UPLOAD_JOB_HEAP_MB) */
  heapLimitBytes: number
  /** how often progress is written to the Upload row, at most */
  progressEveryMs?: number
}

const INTERRUPTED = {
  preview: `Checking this file was interrupted ${UPLOAD_JOB_MAX_ATTEMPTS} times (the worker stopped while it ran). Nothing was stored. Check the rows again; if it keeps happening, upload a shorter period.`,
  commit: `Storing this file was interrupted ${UPLOAD_JOB_MAX_ATTEMPTS} times (the worker stopped while it ran). Nothing was stored. Try again; if it keeps happening, upload a shorter period.`,
}

/** the job's outcome, for logs and tests */
export type UploadJobOutcome = 'done' | 'stopped' | 'failed'

export async function runUploadJob(
  payload: UploadJobPayload,
  opts: UploadJobOptions,
): Promise<UploadJobOutcome> {
  const { pool } = opts
  const { uploadId, token, mode } = payload
  const run = await startJobRun(pool, uploadId, token)
  if (!run) return 'stopped' // cancelled, replaced by a newer check, or finished by an earlier run
  const fail = (message: string) =>
    mode === 'preview'
      ? failParsing(pool, uploadId, token, message)
      : failCommitting(pool, uploadId, token, message)
  // every start after the first follows a worker that died mid-job (graphile-worker counts attempts as well)
  if (run.runs > UPLOAD_JOB_MAX_ATTEMPTS) {
    await fail(INTERRUPTED[mode])
    return 'failed'
  }
  const scope = await uploaderScope(pool, payload.userId, uploadId)
  if (!scope) {
    await fail(
      'The person who uploaded this file can no longer upload for its store, so it was not checked or stored. Upload it again.',
    )
    return 'failed'
  }

  let stopped = false
  let lastWrite = 0
  let writing: Promise<void> = Promise.resolve()
  const every = opts.progressEveryMs ?? 500
  const onProgress = (p: IngestProgress) => {
    if (stopped) throw new JobStoppedError()
    const now = Date.now()
    if (now - lastWrite < every) return
    lastWrite = now
    writing = writing
      .then(() => noteJobProgress(pool, uploadId, token, { bytes: p.bytes, rows: p.rows, events: p.events }))
      .then((current) => {
        if (!current) stopped = true
      })
      .catch((e) => logger.warn({ uploadId, err: (e as Error).message }, 'upload progress not written'))
  }
  const common = {
    uploadId,
    pool,
    token,
    stores: scope.stores,
    otherStoreNames: scope.otherStoreNames,
    ...(scope.defaultStoreCode !== null && { defaultStoreCode: scope.defaultStoreCode }),
    onProgress,
    heapLimitBytes: opts.heapLimitBytes,
  }
  try {
    if (mode === 'preview') {
      const preview = await previewUpload({
        ...common,
        sizeBytes: scope.sizeBytes,
        sha256: scope.sha256,
        storeId: scope.storeId,
        settings: payload.settings ?? {},
      })
      if (scope.storeId)
        await rememberMapping(
          pool,
          scope.storeId,
          mappingSource(preview.preset, preview.header),
          preview.mapping,
        )
    } else {
      await commitUpload({
        ...common,
        actor: { userId: payload.userId, email: payload.email },
        ip: payload.ip,
      })
    }
    return 'done'
  } catch (e) {
    if (e instanceof JobStoppedError) return 'stopped'
    // another run of this commit is alive (its worker was only thought dead): this one tries again later
    if (e instanceof UploadBusyError) throw e
    // the reason is on the upload already: a problem in the file, or the same file stored meanwhile
    if (isUploadFileError(e) || e instanceof UploadStateError) return 'failed'
    // anything else was logged with the upload (or could not be written, the database being away): the queue
    // tries again, and a job whose upload moved on finds nothing to do
    logger.error({ uploadId, mode, dbError: loggableDbError(e) }, 'upload job failed')
    throw e
  } finally {
    await writing
  }
}
