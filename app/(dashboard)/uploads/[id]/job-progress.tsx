'use client'

import { useRouter } from 'next/navigation'
import { useEffect, useState } from 'react'
import { Progress } from '@/components/ui/progress'
import type { UploadProgress } from '@/lib/uploads/queries'
import { formatBytes } from '@/lib/uploads/storage/format-bytes'

const POLL_MS = 1_000

/** asks the progress route once; null when it could not answer (the next poll tries again) */
export async function fetchUploadProgress(uploadId: string): Promise<UploadProgress | null> {
  const res = await fetch(`/api/uploads/${uploadId}/progress`, { cache: 'no-store' }).catch(() => null)
  if (!res?.ok) return null
  return (await res.json()) as UploadProgress
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
  useEffect(() => {
    let stop = false
    let timer: ReturnType<typeof setTimeout> | undefined
    const tick = async () => {
      const p = await fetchUploadProgress(uploadId)
      if (stop) return
      if (p) {
        setProgress(p)
        // asked again at every poll until the page shows the outcome (this component is then gone): a refresh that
        // raced with another navigation is not left unanswered
        if (p.status !== renderedStatus) router.refresh()
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
    </div>
  )
}
