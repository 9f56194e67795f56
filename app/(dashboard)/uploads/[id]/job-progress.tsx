'use client'

import { useRouter } from 'next/navigation'
import { useEffect, useState } from 'react'
import { Progress } from '@/components/ui/progress'
import type { UploadProgress } from '@/lib/uploads/queries'
import { formatBytes } from '@/lib/uploads/storage/format-bytes'

const POLL_MS = 1_000

/** the progress route's answer: the progress, a refusal no later poll would change, or null to try again */
type ProgressAnswer = { progress: UploadProgress } | { refused: string } | null

export const SIGNED_OUT_MESSAGE =
  'You were signed out, so this page stopped following the upload (its work goes on). Sign in again to see it.'

/** asks the progress route once */
export async function fetchUploadProgress(uploadId: string): Promise<ProgressAnswer> {
  const res = await fetch(`/api/uploads/${uploadId}/progress`, { cache: 'no-store' }).catch(() => null)
  if (!res) return null
  if (res.ok) return { progress: (await res.json()) as UploadProgress }
  if (res.status === 401) return { refused: SIGNED_OUT_MESSAGE }
  if (res.status === 403 || res.status === 404) {
    const data = (await res.json().catch(() => ({}))) as { error?: string }
    return { refused: `${data.error ?? 'This upload is no longer yours to see.'} Reload the page.` }
  }
  return null // the server or the database is away for a moment
}

/**
 * Queues the check of the whole stored file (POST …/preview) with the person's column choices. The caller then
 * refreshes the page, which shows the check's progress and a way to cancel it (JobProgress) until it ends.
 */
export async function queueCheck(
  uploadId: string,
  settings: unknown,
): Promise<{ ok: true } | { ok: false; error: string }> {
  const res = await fetch(`/api/uploads/${uploadId}/preview`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(settings),
  }).catch(() => null)
  if (!res)
    return { ok: false, error: 'The server could not be reached. Check your connection and try again.' }
  if (!res.ok) {
    const data = (await res.json().catch(() => ({}))) as { error?: string }
    return { ok: false, error: data.error ?? `Checking the file could not start (${res.status}). Try again.` }
  }
  return { ok: true }
}

/** what the person reads while the upload's job waits or runs, and for the moment after it ended */
export function progressText(p: UploadProgress): string {
  const n = (v: number) => v.toLocaleString('en-US')
  if (p.status === 'CANCELLED') return 'Cancelled: nothing was stored.'
  if (p.status !== 'PARSING' && p.status !== 'COMMITTING') return 'Finished: loading the result…'

  const verb = p.status === 'COMMITTING' ? 'Storing' : 'Checking rows'
  if (!p.started)
    return p.ahead > 0
      ? `Waiting for a free worker: ${n(p.ahead)} upload${p.ahead === 1 ? ' is' : 's are'} ahead of this one.`
      : 'Waiting for a free worker…'
  // storing writes the sales the check kept (or, for a check saved before that, reads the file again)
  if (p.status === 'COMMITTING') return `${verb}… ${n(p.events)} of ${n(p.eventCount)} sales written`
  return `${verb}… ${n(p.rows)} rows read (${formatBytes(p.bytes)} of ${formatBytes(p.sizeBytes)})`
}

/**
 * Follows the upload's queued job live: its place in the queue, then bytes and rows read. When the job ends (the
 * status is no longer the one the page was rendered with) the page is rendered again and shows the outcome. The page
 * keys this component by status, so a new job always starts from its own progress.
 */
export function JobProgress({
  uploadId,
  renderedStatus,
  initial,
}: {
  uploadId: string
  /** the status the page was rendered with: read before `initial`, whose job may have ended in between */
  renderedStatus: string
  initial: UploadProgress
}) {
  const router = useRouter()
  const [progress, setProgress] = useState(initial)
  const [refused, setRefused] = useState<string | null>(null)
  useEffect(() => {
    let stop = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const tick = async () => {
      const answer = await fetchUploadProgress(uploadId)
      if (stop) return
      // signed out, or the upload gone from the person's stores: asking every second would change nothing
      if (answer && 'refused' in answer) return setRefused(answer.refused)
      if (answer) {
        setProgress(answer.progress)
        // asked again at every poll until the page shows the outcome (this component is then gone): a refresh that
        // raced with another navigation is not left unanswered
        if (answer.progress.status !== renderedStatus) router.refresh()
      }
      timer = setTimeout(tick, POLL_MS)
    }
    timer = setTimeout(tick, POLL_MS)
    return () => {
      stop = true
      clearTimeout(timer)
    }
  }, [uploadId, renderedStatus, router])
  const fraction = progress.started && progress.sizeBytes > 0 ? progress.bytes / progress.sizeBytes : 0
  return (
    <div className="flex flex-col gap-2">
      <Progress
        value={fraction * 100}
        label={renderedStatus === 'COMMITTING' ? 'Storing progress' : 'Checking progress'}
      />
      <p className="text-sm text-muted-foreground" aria-live="polite">
        {progressText(progress)}
      </p>
      {refused && (
        <p role="alert" className="text-sm text-destructive">
          {refused}{' '}
          {refused === SIGNED_OUT_MESSAGE && (
            <a className="underline" href={`/login?next=${encodeURIComponent(`/uploads/${uploadId}`)}`}>
              Sign in
            </a>
          )}
        </p>
      )}
    </div>
  )
}
