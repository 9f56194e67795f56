import 'server-only'
import type { Caller } from '@/lib/auth/caller'
import { db } from '@/lib/db'
import { prismaQueryable } from '@/lib/submission/sql'
import { ensureAppQueueSchema } from '@/lib/submission/submit'
import { isUploadFileError } from '../errors'
import type { SalesField } from '../fields'
import { addUploadJob } from '../jobs/queue'
import type { FilePreview } from '../parse-sales-file'
import { applyMapping } from '../presets'
import { getRememberedMapping, getUpload } from '../queries'
import type { PreviewUploadInput } from '../schema'
import { isCheckable, queueCheck } from '../transitions'
import { laneOf } from './lanes'
import { mappingSource } from './remembered-mapping'

// The preview as the page asks for it: authorize, then queue the check of the whole file as a job (run-job.ts).

export { mappingSource } from './remembered-mapping'

/** the mapping the page starts from for a file not checked yet: the one remembered for its layout, else the proposal */
export async function initialMappingFor(
  storeId: string | null,
  head: FilePreview,
): Promise<Partial<Record<SalesField, number | null>>> {
  const remembered = storeId
    ? await getRememberedMapping(storeId, mappingSource(head.proposal.preset, head.header))
    : null
  const proposal = remembered
    ? applyMapping(
        head.header,
        remembered,
        head.sampleRows.map((r) => r.cells),
      )
    : head.proposal
  const initial: Partial<Record<SalesField, number | null>> = {}
  for (const [field, col] of Object.entries(proposal.mapping))
    if (col) initial[field as SalesField] = col.index
  return initial
}

export type QueueOutcome = { ok: false; status: 404 | 409; error: string } | { ok: true; uploadId: string }

/**
 * The caller has passed the route's door (lib/auth/route.ts); here the upload must be in their stores. The upload
 * moves to PARSING under a new job token and its job is added in the same transaction (a check waiting or running
 * for it is replaced: its token is no longer the upload's).
 */
export async function queuePreview(
  caller: Caller,
  uploadId: string,
  input: PreviewUploadInput,
  ip: string | null,
): Promise<QueueOutcome> {
  const upload = await getUpload(caller, uploadId)
  if (!upload)
    return { ok: false, status: 404, error: 'That upload does not exist or is not in one of your stores.' }
  const refused = {
    ok: false,
    status: 409,
    error:
      upload.status === 'CANCELLED'
        ? 'This upload was cancelled. Upload the file again.'
        : upload.status === 'COMMITTING'
          ? 'This file is being stored right now; its rows can no longer be checked again.'
          : 'This file is already stored; nothing to check again.',
  } as const
  if (!isCheckable(upload.status)) return refused
  // the worker may not have started yet on a fresh database: the queue's schema must exist for the job
  await ensureAppQueueSchema()
  const token = crypto.randomUUID()
  const lane = laneOf(Number(upload.sizeBytes))
  const queued = await db.$transaction(async (tx) => {
    const q = prismaQueryable(tx)
    if (!(await queueCheck(q, upload.id, token, lane))) return false
    await addUploadJob(q, lane, {
      uploadId: upload.id,
      token,
      mode: 'preview',
      settings: {
        ...(input.mapping !== undefined && { mapping: input.mapping }),
        ...(input.dateOrder !== undefined && { dateOrder: input.dateOrder }),
        ...(input.decimalSeparator !== undefined && { decimalSeparator: input.decimalSeparator }),
      },
      userId: caller.userId,
      email: caller.email,
      ip,
    })
    return true
  })
  return queued ? { ok: true, uploadId: upload.id } : refused
}

export function previewErrorMessage(e: unknown): string {
  // a message about a row already names it
  if (isUploadFileError(e)) return e.message
  return 'The file could not be checked. Try again; if it keeps failing, tell your administrator.'
}
