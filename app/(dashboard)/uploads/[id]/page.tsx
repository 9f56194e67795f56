import fs from 'node:fs'
import Link from 'next/link'
import { notFound } from 'next/navigation'
import { LiveRefresh } from '@/components/data-table/live-refresh'
import { FormError } from '@/components/forms/field'
import { PageHeader } from '@/components/shell/app-shell'
import { Badge } from '@/components/ui/badge'
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card'
import { Progress } from '@/components/ui/progress'
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table'
import { requirePageCaller } from '@/lib/auth/caller'
import type { PreviewCatalog } from '@/lib/catalog/upload-check'
import { getCustomerIdSettings } from '@/lib/connection/queries'
import { actionAsSent, type CustomerIdSettings } from '@/lib/customers/customer-id'
import type { SaleIssue } from '@/lib/sales/schema'
import { getStores } from '@/lib/stores/queries'
import { isUploadFileError } from '@/lib/uploads/errors'
import { fieldLabel } from '@/lib/uploads/field-label'
import { type FilePreview, previewSalesFile } from '@/lib/uploads/parse-sales-file'
import { presetLabel } from '@/lib/uploads/presets'
import {
  countReadyInUpload,
  getStoreChoices,
  getUpload,
  getUploadAttentionCounts,
  getUploadInvalidEvents,
  getUploadRowIssues,
  getUploadSubmission,
} from '@/lib/uploads/queries'
import { formatBytes, openUploadFile, uploadFilePath } from '@/lib/uploads/storage/files'
import type { IngestCounts, UploadPreview } from '@/lib/uploads/storage/ingest'
import { initialMappingFor } from '@/lib/uploads/storage/preview-run'
import { isCheckable, isCommittable } from '@/lib/uploads/transitions'
import { commitChoice } from '@/lib/uploads/upload-summary'
import { formatCount, formatUtc } from '@/lib/utils/format'
import { BatchStatusBadge } from '../../batches/batch-status-badge'
import { STATUS_LABELS, statusVariant } from '../upload-status'
import { CommitButton } from './commit-button'
import { UnknownCatalogItems } from './map-catalog-items'
import { MappingForm } from './mapping-form'
import { NameStores } from './name-stores'
import { SubmitUpload } from './submit-upload'

export const metadata = { title: 'Upload' }

type Params = { params: Promise<{ id: string }> }

async function readHead(uploadId: string): Promise<{ file: FilePreview | null; error: string | null }> {
  if (!fs.existsSync(uploadFilePath(uploadId))) return { file: null, error: null }
  try {
    return { file: await previewSalesFile(openUploadFile(uploadId)), error: null }
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
  const head = checkable ? await readHead(upload.id) : { file: null, error: null }

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

/** the preview route's input that reads the file again exactly as this preview did */
function recheckInput(preview: UploadPreview) {
  const s = preview.settings
  return {
    ...(s.mapping !== undefined && { mapping: s.mapping }),
    ...(s.dateOrder !== undefined && { dateOrder: s.dateOrder }),
    ...(s.decimalSeparator !== undefined && { decimalSeparator: s.decimalSeparator }),
  }
}

const salesOf = (n: number) => `${formatCount(n)} ${n === 1 ? 'sale' : 'sales'}`

// After storing: the file's ready sales go out with one click, and what was sent from it shows here, live.
async function SubmissionCard({ uploadId }: { uploadId: string }) {
  const caller = await requirePageCaller()
  const [ready, progress] = await Promise.all([
    countReadyInUpload(caller, uploadId),
    getUploadSubmission(caller, uploadId),
  ])
  const c = progress.counts
  const sent = c.SUBMITTED ?? 0
  const waiting = c.QUEUED ?? 0
  const refused = c.FAILED ?? 0
  const invalid = c.INVALID ?? 0
  const submitted = sent + waiting + refused
  const open = progress.batches.some((b) => ['QUEUED', 'SENDING', 'RETRY_WAIT'].includes(b.status))
  return (
    <Card>
      <CardHeader>
        <div className="flex items-start justify-between gap-3">
          <CardTitle>Send to Constructor</CardTitle>
          <LiveRefresh active={waiting > 0 || open} />
        </div>
        <CardDescription>
          {ready > 0
            ? `${salesOf(ready)} from this file ${ready === 1 ? 'is' : 'are'} ready. They go out in batches of up to 100${invalid === 1 ? '; the 1 sale that needs fixing stays here until you fix it' : invalid > 1 ? `; the ${salesOf(invalid)} that need fixing stay here until you fix them` : ''}.`
            : submitted > 0
              ? 'Every ready sale from this file has been submitted.'
              : invalid > 0
                ? 'No sale from this file is ready to submit: fix the ones that need attention first.'
                : 'No sale from this file is ready to submit.'}
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-4">
        <SubmitUpload uploadId={uploadId} ready={ready} />
        {submitted > 0 ? (
          <section aria-label="Sending progress" className="flex flex-col gap-2 text-sm">
            <Progress value={(sent / submitted) * 100} label="Sales from this file accepted by Constructor" />
            <p>
              {formatCount(sent)} of {salesOf(submitted)} accepted by Constructor
              {waiting > 0 ? ` · ${formatCount(waiting)} waiting to be sent` : ''}
              {refused > 0 ? (
                <>
                  {' · '}
                  <Link className="underline" href={`/sales?upload=${uploadId}&status=FAILED`}>
                    {formatCount(refused)} refused
                  </Link>
                </>
              ) : null}
            </p>
            <ul className="flex flex-col gap-1" aria-label="Batches with sales from this file">
              {progress.batches.map((b) => (
                <li key={b.id} className="flex flex-wrap items-center gap-2">
                  <BatchStatusBadge status={b.status} />
                  <Link className="font-mono text-xs underline" href={`/batches/${b.id}`}>
                    Batch …{b.id.slice(-8)}
                  </Link>
                  <span className="text-muted-foreground">{salesOf(b.eventCount)}</span>
                </li>
              ))}
            </ul>
            {progress.batchCount > progress.batches.length ? (
              <p className="text-muted-foreground">
                Showing the latest {formatCount(progress.batches.length)} of{' '}
                {formatCount(progress.batchCount)} batches.{' '}
                <Link className="underline" href="/batches">
                  All batches
                </Link>
              </p>
            ) : null}
          </section>
        ) : null}
      </CardContent>
    </Card>
  )
}

/** the action exactly as it will be sent (the customer id as the connection's policy sends it), and the stored id */
function ActionAsSent({
  action,
  customerIds,
  locale,
}: {
  action: { data: object }
  customerIds: CustomerIdSettings
  locale: string | undefined
}) {
  const shown = actionAsSent(action, customerIds, locale)
  return (
    <>
      <pre className="overflow-x-auto rounded bg-muted p-2 text-xs">
        {JSON.stringify(shown.action, null, 2)}
      </pre>
      {shown.stored !== null && shown.outgoing.sent !== shown.stored ? (
        <p className="mt-1 text-xs text-muted-foreground" data-testid="customer-id-note">
          Customer id stored as <code className="break-all">{shown.stored}</code>. {shown.outgoing.note}
        </p>
      ) : null}
    </>
  )
}

function CountsList({ counts }: { counts: IngestCounts }) {
  const items: [string, number][] = [
    ['Rows', counts.rows],
    ['Sales (events)', counts.events],
    ['Valid', counts.validEvents],
    ['Invalid', counts.invalidEvents],
    ['Rows with problems', counts.invalidRows],
    ['Returns', counts.returns],
    ['New', counts.new],
    ['Duplicates (unchanged, skipped)', counts.unchanged],
    ['Changed (updated)', counts.updated],
    ['Corrections to resend', counts.corrections],
    ['Being sent (left as they are)', counts.queued],
  ]
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-6" aria-label="Counts">
      {items.map(([label, n]) => (
        <div key={label} className="rounded-md border p-3">
          <dt className="text-xs text-muted-foreground">{label}</dt>
          <dd className="text-lg font-semibold" data-testid={`count-${label}`}>
            {formatCount(n)}
          </dd>
        </div>
      ))}
    </dl>
  )
}

function ProblemsTable({
  rows,
  caption,
}: {
  rows: { row: number | null; orderId: string | null; field: string; message: string }[]
  caption: string
}) {
  return (
    <Table aria-label={caption}>
      <TableHeader>
        <TableRow>
          <TableHead>Row</TableHead>
          <TableHead>Order</TableHead>
          <TableHead>Field</TableHead>
          <TableHead>Reason</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((p, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: problems have no id; their order is the file's
          <TableRow key={i}>
            <TableCell>{p.row ?? '—'}</TableCell>
            <TableCell>{p.orderId ?? '—'}</TableCell>
            <TableCell>{fieldLabel(p.field)}</TableCell>
            <TableCell>{p.message}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  )
}

// The catalog pre-flight of the file's item ids: which the Constructor catalog does not hold (their sales are held
// when submitted, or sent anyway, as the connection says), which the store already maps to a catalog id.
function CatalogCheck({
  uploadId,
  catalog,
  recheck,
}: {
  uploadId: string
  catalog: PreviewCatalog
  recheck: Record<string, unknown>
}) {
  return (
    <section aria-labelledby="catalog-check-title">
      <h3 id="catalog-check-title" className="mb-2 font-medium">
        {catalog.unknown.length === 0
          ? catalog.status === 'unavailable'
            ? 'Catalog check unavailable'
            : 'Every item is in your Constructor catalog'
          : `${formatCount(catalog.unknown.length)} ${catalog.unknown.length === 1 ? 'item is' : 'items are'} not in your Constructor catalog`}
      </h3>
      {catalog.status === 'unavailable' ? (
        <p role="status" className="mb-2 text-sm text-muted-foreground">
          {catalog.message ?? 'The catalog could not be checked.'} Sending is not affected.
        </p>
      ) : null}
      {catalog.unknown.length > 0 ? (
        <>
          <UnknownCatalogItems uploadId={uploadId} items={catalog.unknown} recheck={recheck} />
          <p className="mt-2 text-sm text-muted-foreground">
            {catalog.hold
              ? 'These sales are held when you submit them. Give the catalog’s id for each SKU now, or later in Needs attention: the store remembers it for later files.'
              : 'These sales are sent anyway (the connection’s setting), but they teach Constructor’s ranking nothing until their ids match the catalog.'}
          </p>
        </>
      ) : null}
      {catalog.mapped.length > 0 ? (
        <p className="mt-2 text-sm text-muted-foreground">
          Stored as the catalog’s ids, as your store mapped them:{' '}
          {catalog.mapped
            .slice(0, 10)
            .map((m) => `${m.itemId} → ${m.catalogItemId}`)
            .join(', ')}
          {catalog.mapped.length > 10 ? ', …' : ''}.
        </p>
      ) : null}
    </section>
  )
}

function PreviewView({
  uploadId,
  preview,
  customerIds,
  localeOf,
}: {
  uploadId: string
  preview: UploadPreview
  customerIds: CustomerIdSettings
  localeOf: Map<string, string>
}) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Preview</CardTitle>
        <CardDescription>
          Nothing is stored yet. Check the counts and the problems, then store the sales.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-6">
        {preview.sameFileAs ? (
          <p role="status" className="rounded-md border border-sky-300 bg-sky-50 px-3 py-2 text-sm">
            This exact file was already stored
            {preview.sameFileAs.committedAt
              ? ` on ${formatUtc(new Date(preview.sameFileAs.committedAt))}`
              : ''}{' '}
            (
            <Link className="underline" href={`/uploads/${preview.sameFileAs.uploadId}`}>
              see that upload
            </Link>
            ). Storing it again changes nothing.
          </p>
        ) : null}
        <CountsList counts={preview.counts} />
        {preview.warnings.map((w) => (
          <p
            key={w}
            className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900"
          >
            {w}
          </p>
        ))}
        {preview.counts.queued > 0 ? (
          <p className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
            {formatCount(preview.counts.queued)} changed{' '}
            {preview.counts.queued === 1 ? 'sale is' : 'sales are'} being sent to Constructor right now (
            {preview.queuedOrders.slice(0, 10).join(', ')}
            {preview.queuedOrders.length > 10 ? ', …' : ''}) and will be left as they are. Upload the file
            again once that batch has finished to send the change as a correction.
          </p>
        ) : null}
        <section>
          <h3 className="mb-2 font-medium">
            {preview.problemTotal === 0
              ? 'No problems found'
              : `${formatCount(preview.problemTotal)} ${preview.problemTotal === 1 ? 'problem' : 'problems'} to fix`}
          </h3>
          {preview.problemTotal > 0 ? (
            <>
              <ProblemsTable rows={preview.problems} caption="Problems found in the file" />
              {preview.problemTotal > preview.problems.length ? (
                <p className="mt-2 text-sm text-muted-foreground">
                  Showing the first {formatCount(preview.problems.length)}. Every one is kept with its reason
                  when you store the file, and listed on this page afterwards.
                </p>
              ) : (
                <p className="mt-2 text-sm text-muted-foreground">
                  These rows are kept with their reasons when you store the file; fix them in Sales
                  afterwards, or fix the file and upload it again.
                </p>
              )}
            </>
          ) : null}
        </section>
        {preview.catalog ? (
          <CatalogCheck uploadId={uploadId} catalog={preview.catalog} recheck={recheckInput(preview)} />
        ) : null}
        <section>
          <h3 className="mb-2 font-medium">First events exactly as they will be sent</h3>
          <ol className="flex flex-col gap-3">
            {preview.firstEvents.map((e) => (
              <li key={`${e.storeCode}-${e.kind}-${e.orderId}`} className="rounded-md border p-3 text-sm">
                <div className="mb-2 flex flex-wrap items-center gap-2">
                  <span className="font-medium">
                    {e.kind === 'RETURN' ? 'Return' : 'Purchase'} {e.orderId}
                  </span>
                  <span className="text-muted-foreground">
                    {e.storeCode} · row{e.rows.length > 1 ? 's' : ''} {e.rows.join(', ')}
                  </span>
                  <Badge variant={e.status === 'READY' ? 'success' : 'danger'}>
                    {e.status === 'READY' ? 'Valid' : 'Invalid'}
                  </Badge>
                  {e.disposition !== 'new' ? <Badge variant="muted">{e.disposition}</Badge> : null}
                </div>
                {e.action ? (
                  <ActionAsSent
                    action={e.action}
                    customerIds={customerIds}
                    locale={localeOf.get(e.storeCode)}
                  />
                ) : (
                  <ul className="list-disc pl-5 text-destructive">
                    {e.issues.map((i) => (
                      <li key={`${i.field}-${i.message}`}>
                        {fieldLabel(i.field)}: {i.message}
                      </li>
                    ))}
                  </ul>
                )}
              </li>
            ))}
          </ol>
        </section>
      </CardContent>
    </Card>
  )
}

async function StoredView({
  uploadId,
  preview,
  counts,
}: {
  uploadId: string
  preview: UploadPreview | null
  counts: {
    eventCount: number
    duplicateCount: number
    updatedCount: number
    correctionCount: number
    queuedSkipCount: number
    committedAt: Date | null
  }
}) {
  const caller = await requirePageCaller()
  const [invalid, rowIssues, totals] = await Promise.all([
    getUploadInvalidEvents(caller, uploadId),
    getUploadRowIssues(caller, uploadId),
    getUploadAttentionCounts(caller, uploadId),
  ])
  // the lists are capped (500 each): say so rather than let the heading count only what is shown
  const capped = totals.invalidEvents > invalid.length || totals.rowIssues > rowIssues.length
  const problems: { row: number | null; orderId: string | null; field: string; message: string }[] = []
  for (const e of invalid)
    for (const i of (e.issues ?? []) as unknown as SaleIssue[])
      problems.push({ row: i.row ?? null, orderId: e.orderId, field: i.field, message: i.message })
  for (const r of rowIssues)
    for (const reason of r.reasons as { field: string; message: string }[])
      problems.push({ row: r.rowNumber, orderId: null, field: reason.field, message: reason.message })
  problems.sort((a, b) => (a.row ?? 0) - (b.row ?? 0))
  const sameFile = Boolean(
    (preview as (UploadPreview & { committedAsSameFile?: boolean }) | null)?.committedAsSameFile,
  )
  return (
    <Card>
      <CardHeader>
        <CardTitle>Stored</CardTitle>
        <CardDescription>
          {sameFile
            ? 'This file had already been stored: nothing changed.'
            : `Stored ${counts.committedAt ? formatUtc(counts.committedAt) : ''}.`}
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-6">
        {preview && !sameFile ? <CountsList counts={preview.counts} /> : null}
        {counts.queuedSkipCount > 0 ? (
          <p className="text-sm text-amber-900">
            {formatCount(counts.queuedSkipCount)} changed sales were being sent to Constructor and were left
            as they were.
          </p>
        ) : null}
        <section>
          <h3 className="mb-2 font-medium">
            {problems.length === 0 && !capped
              ? 'No rows need attention'
              : `Needs attention: ${formatCount(totals.invalidEvents)} invalid ${totals.invalidEvents === 1 ? 'sale' : 'sales'}, ${formatCount(totals.rowIssues)} unreadable ${totals.rowIssues === 1 ? 'row' : 'rows'}`}
          </h3>
          {problems.length > 0 ? (
            <>
              <ProblemsTable rows={problems} caption="Rows that need attention" />
              {capped ? (
                <p className="mt-2 text-sm text-muted-foreground">
                  Showing the problems of the first {formatCount(invalid.length)} invalid sales and{' '}
                  {formatCount(rowIssues.length)} unreadable rows.
                </p>
              ) : null}
              <p className="mt-2 text-sm">
                <Link className="underline" href={`/sales?status=INVALID&upload=${uploadId}`}>
                  Fix this file's invalid sales in Sales
                </Link>
              </p>
            </>
          ) : null}
        </section>
      </CardContent>
    </Card>
  )
}
