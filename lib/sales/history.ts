// A sale's history as its page lists it: where it came from, who changed it, every batch and attempt it was in.

export type HistoryEntry = { at: Date; title: string; detail?: string; tone?: 'bad' | 'good' }

const AUDIT_LABELS: Record<string, string> = {
  'sale.edited': 'Edited',
  'sale.excluded': 'Excluded',
  'sale.included': 'Included again',
  'sale.group-fixed': 'Fixed with its group in the inbox',
  'sale.created': 'Entered by hand',
}

const ATTEMPT_OUTCOMES: Record<string, string> = {
  ACCEPTED: 'accepted',
  REJECTED: 'refused',
  UNAUTHORIZED: 'not authorised (sending paused)',
  RATE_LIMITED: 'rate limited, retried later',
  TRANSIENT: 'temporary failure, retried later',
}

type Person = { name: string; email: string } | null

export type HistorySource = {
  createdAt: Date
  upload: { createdAt: Date; fileName: string } | null
  uploadedBy: Person
  createdBy: Person
  trail: { at: Date; action: string; actorEmail: string | null }[]
  batchEvents: {
    batchId: string
    position: number
    outcome: string
    error: string | null
    batch: {
      createdAt: Date
      attemptsLog: {
        number: number
        startedAt: Date
        httpStatus: number | null
        outcome: string | null
        responseExcerpt: string | null
      }[]
    }
  }[]
}

/** the entries, oldest first */
export function saleHistory(event: HistorySource): HistoryEntry[] {
  const history: HistoryEntry[] = []
  if (event.upload)
    history.push({
      at: event.upload.createdAt,
      title: `Uploaded in ${event.upload.fileName}`,
      detail: event.uploadedBy ? `by ${event.uploadedBy.name} (${event.uploadedBy.email})` : undefined,
    })
  else
    history.push({
      at: event.createdAt,
      title: 'Created',
      detail: event.createdBy ? `by ${event.createdBy.name} (${event.createdBy.email})` : undefined,
    })
  for (const t of event.trail)
    history.push({
      at: t.at,
      title: AUDIT_LABELS[t.action] ?? t.action,
      detail: t.actorEmail ? `by ${t.actorEmail}` : undefined,
    })
  for (const be of event.batchEvents) {
    history.push({
      at: be.batch.createdAt,
      title: `Queued in batch …${be.batchId.slice(-8)}`,
      detail: `position ${be.position + 1}; outcome: ${be.outcome.toLowerCase()}${be.error ? ` — ${be.error}` : ''}`,
      tone: be.outcome === 'FAILED' ? 'bad' : be.outcome === 'SUBMITTED' ? 'good' : undefined,
    })
    for (const a of be.batch.attemptsLog)
      history.push({
        at: a.startedAt,
        title: `Attempt ${a.number} of batch …${be.batchId.slice(-8)}: ${a.httpStatus ? `HTTP ${a.httpStatus}` : 'no answer'}${a.outcome ? `, ${ATTEMPT_OUTCOMES[a.outcome] ?? a.outcome}` : ', sending'}`,
        detail: a.responseExcerpt ?? undefined,
        tone: a.outcome === 'ACCEPTED' ? 'good' : a.outcome ? 'bad' : undefined,
      })
  }
  history.sort((a, b) => a.at.getTime() - b.at.getTime())
  return history
}
