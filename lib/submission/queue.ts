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

// SQL fragment adding one send job per batch id; job_key makes a re-enqueue replace a waiting job instead of doubling it.
export function addBatchJobsSql(idsExpr: string, connectionExpr: string, runAtExpr = 'NULL::timestamptz') {
  return `graphile_worker.add_job('${SEND_BATCH_TASK}', json_build_object('batchId', ${idsExpr}, 'connectionId', ${connectionExpr}), run_at := ${runAtExpr}, max_attempts := ${JOB_MAX_ATTEMPTS}, job_key := 'batch:' || ${idsExpr}::text)`
}

import { Logger } from 'graphile-worker'

export function quietLogger() {
  return new Logger(() => (level, message) => {
    if (level === 'error' || level === 'warning') process.stderr.write(`[queue] ${level}: ${message}\n`)
  })
}
