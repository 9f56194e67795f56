// A sale's history as its page lists it: where it came from, who changed it, every batch and attempt it was in.

export type HistoryEntry = { at: Date; title: string; detail?: string; tone?: 'bad' | 'good' }

const AUDIT_LABELS: Record<string, string> = {
  'sale.edited': 'Edited',
  'sale.excluded': 'Excluded',
  'sale.included': 'Included again',
  'sale.group-fixed': 'Fixed with its group in the inbox',
  'sale.created': 'Entered by hand',
  'sale.refund-completed': 'Returned items taken from the purchase',
}

const ATTEMPT_OUTCOMES: Record<string, string> = {
  ACCEPTED: 'accepted',
  REJECTED: 'refused',
  UNAUTHORIZED: 'not authorised (sending paused)',
  RATE_LIMITED: 'rate limited, retried later',
  TRANSIENT: 'temporary failure, retried later',
  LOST: 'no answer recorded: our sending process stopped; sent again',
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

/**
 * The last attempt of a batch that carried the sale. A sale refused by a 400 (FAILED) or moved to a split batch
 * (SPLIT) left the batch at a refused attempt, so no later attempt carried it; an accepted attempt never did
 * (it would be SUBMITTED). With several refused attempts the one that took it out is not recorded: the last one is
 * assumed, which never calls an attempt without the sale its success.
 */
function lastAttemptWith(outcome: string, attempts: readonly { number: number; outcome: string | null }[]) {
  if (outcome !== 'FAILED' && outcome !== 'SPLIT') return Number.POSITIVE_INFINITY
  const refused = attempts.filter((a) => a.outcome === 'REJECTED').map((a) => a.number)
  return refused.length > 0 ? Math.max(...refused) : Number.POSITIVE_INFINITY
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
    const leftAfter = lastAttemptWith(be.outcome, be.batch.attemptsLog)
    for (const a of be.batch.attemptsLog) {
      const name = `Attempt ${a.number} of batch …${be.batchId.slice(-8)}`
      if (a.number > leftAfter) {
        history.push({
          at: a.startedAt,
          title: `${name}: sent without this sale (it had been taken out of the batch)`,
        })
        continue
      }
      history.push({
        at: a.startedAt,
        title: `${name}: ${a.httpStatus ? `HTTP ${a.httpStatus}` : 'no answer'}${a.outcome ? `, ${ATTEMPT_OUTCOMES[a.outcome] ?? a.outcome}` : ', sending'}`,
        detail: a.responseExcerpt ?? undefined,
        tone: a.outcome === 'ACCEPTED' ? 'good' : a.outcome ? 'bad' : undefined,
      })
    }
  }
  history.sort((a, b) => a.at.getTime() - b.at.getTime())
  return history
}
