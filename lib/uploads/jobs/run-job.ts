import type pg from 'pg'
import { loggableDbError, logger } from '@/lib/log'
import { isUploadFileError } from '../errors'
import {
  commitRunning,
  commitUpload,
  JobStoppedError,
  previewUpload,
  UploadBusyError,
  UploadFailedError,
  UploadStateError,
} from '../storage/ingest'
import type { IngestProgress } from '../storage/ingest-rows'
import { mappingSource, rememberMapping } from '../storage/remembered-mapping'
import { failCommitting, failParsing, noteJobProgress, startJobRun } from '../transitions'
import { requeueUploadJob, UPLOAD_JOB_MAX_ATTEMPTS, type UploadJobPayload } from './queue'
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
export type UploadJobOutcome = 'done' | 'stopped' | 'failed' | 'waiting'

/** how long a commit started again while its other run still stores the file waits before it looks again */
export const BUSY_COMMIT_RETRY_MS = 15_000

export async function runUploadJob(
  payload: UploadJobPayload,
  opts: UploadJobOptions,
): Promise<UploadJobOutcome> {
  const { pool } = opts
  const { uploadId, token, mode } = payload
  // a run of this commit whose worker was thought dead is still storing the file: this one waits its turn, before it
  // counts as a run (which would reset the page's progress and, repeated, fail the upload as interrupted)
  if (mode === 'commit' && (await commitRunning(pool, uploadId))) return waitForOtherRun(pool, payload)
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
    // another run of this commit took it meanwhile (its worker was only thought dead)
    if (e instanceof UploadBusyError) return waitForOtherRun(pool, payload)
    // the reason is on the upload already: a problem in the file, the same file stored meanwhile, or a failure the
    // commit logged; running it again would change nothing
    if (isUploadFileError(e) || e instanceof UploadStateError || e instanceof UploadFailedError)
      return 'failed'
    // anything else was logged with the upload (or could not be written, the database being away): the queue
    // tries again, and a job whose upload moved on finds nothing to do
    logger.error({ uploadId, mode, dbError: loggableDbError(e) }, 'upload job failed')
    throw e
  } finally {
    await writing
  }
}

/** queued again for later, so the queue does not count the wait as a failed attempt */
async function waitForOtherRun(pool: pg.Pool, payload: UploadJobPayload): Promise<UploadJobOutcome> {
  return (await requeueUploadJob(pool, payload, BUSY_COMMIT_RETRY_MS)) ? 'waiting' : 'stopped'
}
