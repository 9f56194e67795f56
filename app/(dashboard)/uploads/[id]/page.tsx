import Link from 'next/link'
import { notFound } from 'next/navigation'
import { FormError } from '@/components/forms/field'
import { PageHeader } from '@/components/shell/app-shell'
import { Badge } from '@/components/ui/badge'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { requirePageCaller } from '@/lib/auth/caller'
import { getCustomerIdSettings } from '@/lib/connection/queries'
import { db } from '@/lib/db'
import { getStores } from '@/lib/stores/queries'
import { prismaQueryable } from '@/lib/submission/sql'
import { isUploadFileError } from '@/lib/uploads/errors'
import { type FilePreview, previewSalesFile } from '@/lib/uploads/parse-sales-file'
import { presetLabel } from '@/lib/uploads/presets'
import { getStoreChoices, getUpload, getUploadProgress } from '@/lib/uploads/queries'
import { formatBytes, hasUploadFile, readUploadFile } from '@/lib/uploads/storage/files'
import { initialMappingFor } from '@/lib/uploads/storage/preview-run'
import { isCheckable, isCommittable, isInProgress } from '@/lib/uploads/transitions'
import { commitChoice } from '@/lib/uploads/upload-summary'
import { formatUtc } from '@/lib/utils/format'
import { STATUS_LABELS, statusVariant } from '../upload-status'
import { CancelButton, CommitButton } from './commit-button'
import { JobProgress } from './job-progress'
import { MappingForm } from './mapping-form'
import { NameStores } from './name-stores'
import { PreviewView, recheckInput } from './preview-view'
import { StoredView } from './stored-view'
import { SubmissionCard } from './submission-card'

export const metadata = { title: 'Upload' }

type Params = { params: Promise<{ id: string }> }

// the start of the stored file (its first piece or two), for the column mapping
async function readHead(uploadId: string): Promise<{ file: FilePreview | null; error: string | null }> {
  const q = prismaQueryable(db)
  if (!(await hasUploadFile(q, uploadId))) return { file: null, error: null }
  try {
    return { file: await previewSalesFile(readUploadFile(q, uploadId)), error: null }
  } catch (e) {
    if (isUploadFileError(e)) return { file: null, error: e.message }
    throw e
  }
}

export default async function UploadPage({ params }: Params) {
  const caller = await requirePageCaller()
  const { id } = await params
  const upload = await getUpload(caller, id)
  if (!upload) notFound()
  const preview = upload.preview
  const checkable = isCheckable(upload.status)
  // checked and not stored yet: after a failed try too, the preview stands and storing can be tried again
  const committable = isCommittable(upload.status)
  const retry = upload.status === 'COMMIT_FAILED'
  const choice = preview ? commitChoice(preview) : { canStore: false, label: null }
  // a check or storing waiting or running: its progress, live
  const running = isInProgress(upload.status) ? await getUploadProgress(caller, upload.id) : null
  const head = checkable && !running ? await readHead(upload.id) : { file: null, error: null }

  let initial: Record<string, number | null> = {}
  if (head.file) {
    if (preview?.settings.mapping) initial = preview.settings.mapping as Record<string, number | null>
    else initial = await initialMappingFor(upload.storeId, head.file)
  }

  return (
    <>
      <PageHeader
        title={upload.fileName}
        description={`${upload.store ? `${upload.store.code} — ${upload.store.name}` : "Stores from the file's store column"} · uploaded ${formatUtc(upload.createdAt)} by ${upload.uploader?.name ?? 'a removed user'} · ${formatBytes(Number(upload.sizeBytes))}`}
        actions={
          <Link className="text-sm underline" href="/uploads">
            All uploads
          </Link>
        }
      />
      <div className="mb-4 flex items-center gap-2 text-sm">
        Status: <Badge variant={statusVariant(upload.status)}>{STATUS_LABELS[upload.status]}</Badge>
      </div>
      <div className="flex flex-col gap-6">
        {running ? (
          // keyed by status: the storing that follows a check gets a progress of its own, never the check's
          <Card key={upload.status}>
            <CardHeader>
              <CardTitle>
                {upload.status === 'COMMITTING' ? 'Storing the sales' : 'Checking the rows'}
              </CardTitle>
              <CardDescription>
                This runs on the server: you can leave this page and come back. Cancelling stores nothing.
              </CardDescription>
            </CardHeader>
            <CardContent className="flex flex-col gap-4">
              <JobProgress uploadId={upload.id} renderedStatus={upload.status} initial={running} />
              <div>
                <CancelButton uploadId={upload.id} />
              </div>
            </CardContent>
          </Card>
        ) : null}
        {upload.errorMessage && !committable ? <FormError message={upload.errorMessage} /> : null}
        {head.error && !upload.errorMessage ? <FormError message={head.error} /> : null}
        {committable && (preview?.unknownStores ?? []).length > 0 && preview ? (
          <NameStores
            uploadId={upload.id}
            names={preview.unknownStores}
            stores={(await getStoreChoices(caller)).map((s) => ({ id: s.id, code: s.code, name: s.name }))}
            defaultStoreId={upload.storeId}
            recheck={recheckInput(preview)}
          />
        ) : null}
        {committable && preview ? (
          <PreviewView
            uploadId={upload.id}
            preview={preview}
            customerIds={await getCustomerIdSettings()}
            localeOf={new Map((await getStores(caller)).map((st) => [st.code, st.locale]))}
          />
        ) : null}
        {committable ? (
          <Card>
            <CardHeader>
              <CardTitle>{choice.canStore ? 'Store these sales' : 'Nothing to store'}</CardTitle>
              <CardDescription>
                {preview?.sameFileAs
                  ? 'This exact file is already stored for this store. Storing it again changes nothing.'
                  : choice.canStore
                    ? 'All or nothing: every event above is stored in one go; invalid ones are kept with their reasons so you can fix them in Sales.'
                    : 'No row of this file became a sale: see the problems above. Fix them in the file (or the column mapping below) and check the rows again, or cancel this upload.'}
              </CardDescription>
            </CardHeader>
            <CardContent>
              <CommitButton
                uploadId={upload.id}
                storedError={upload.errorMessage}
                label={
                  choice.label === null
                    ? null
                    : retry
                      ? `Try again: ${choice.label.toLowerCase()}`
                      : choice.label
                }
              />
            </CardContent>
          </Card>
        ) : null}
        {head.file ? (
          <Card>
            <CardHeader>
              <CardTitle>Columns</CardTitle>
              <CardDescription>
                Which column of your file holds each field. We matched what we could
                {presetLabel(head.file.proposal.preset) !== null
                  ? ` (recognised: ${presetLabel(head.file.proposal.preset)})`
                  : ''}
                ; your choice is remembered for the next file from the same till. Header found on row{' '}
                {head.file.headerRowNumber}; {head.file.encoding}, separated by{' '}
                {head.file.delimiter === '\t' ? 'tabs' : `'${head.file.delimiter}'`}.
              </CardDescription>
            </CardHeader>
            <CardContent>
              {committable ? (
                <details>
                  <summary className="cursor-pointer text-sm font-medium">Change the column mapping</summary>
                  <div className="mt-4">
                    <MappingForm
                      uploadId={upload.id}
                      header={head.file.header}
                      sampleRows={head.file.sampleRows.map((r) => r.cells)}
                      initial={initial}
                      submitLabel="Check rows again"
                    />
                  </div>
                </details>
              ) : (
                <MappingForm
                  uploadId={upload.id}
                  header={head.file.header}
                  sampleRows={head.file.sampleRows.map((r) => r.cells)}
                  initial={initial}
                  submitLabel="Check rows"
                />
              )}
            </CardContent>
          </Card>
        ) : null}
        {upload.status === 'COMMITTED' ? <SubmissionCard uploadId={upload.id} /> : null}
        {upload.status === 'COMMITTED' ? (
          <StoredView uploadId={upload.id} preview={preview} counts={upload} />
        ) : null}
        {upload.status === 'CANCELLED' ? (
          <p className="text-sm">This upload was cancelled; nothing was stored.</p>
        ) : null}
      </div>
    </>
  )
}
