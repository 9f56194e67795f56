import { runMigrations } from 'graphile-worker'

export const SEND_BATCH_TASK = 'submission.send-batch'
/** graphile-worker's own retries only cover crashes of our code; batch retries are ours (RETRY_WAIT) */
export const JOB_MAX_ATTEMPTS = 25

const ensured = new Set<string>()

// graphile-worker's schema (graphile_worker.*) must exist before any submit enqueues in its transaction.
export async function ensureQueueSchema(connectionString: string) {
  if (ensured.has(connectionString)) return
  await runMigrations({ connectionString, logger: quietLogger() })
  ensured.add(connectionString)
}

import { Logger } from 'graphile-worker'

export function quietLogger() {
  return new Logger(() => (level, message) => {
    if (level === 'error' || level === 'warning') process.stderr.write(`[queue] ${level}: ${message}\n`)
  })
}
