import { z } from 'zod'

const ms = z.coerce.number().int().min(0)

// Every knob of submission, from the environment; tests and the benchmark pass overrides.
export const submissionConfigSchema = z.object({
  /** graphile-worker jobs run at once in one process (≥ the connection's concurrency keeps its slots busy) */
  SUBMIT_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(24),
  /** attempts before a batch ends FAILED (a person can retry it) */
  SUBMIT_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(10),
  /** attempts lost with their worker (killed, or its claim ran out) before a batch ends FAILED as not sent: apart from
   * SUBMIT_MAX_ATTEMPTS, which counts only Constructor's failed answers; stops a batch that crashes every worker */
  SUBMIT_MAX_LOST_ATTEMPTS: z.coerce.number().int().min(1).default(50),
  /** a batch older than this ends FAILED at its next transient failure */
  SUBMIT_MAX_AGE_MS: ms.default(24 * 3_600_000),
  /** the whole request, connect to last byte */
  SUBMIT_REQUEST_TIMEOUT_MS: ms.default(30_000),
  SUBMIT_BACKOFF_BASE_MS: ms.default(1_000),
  SUBMIT_BACKOFF_MAX_MS: ms.default(300_000),
  /** a SENDING batch whose claim is older than timeout + this margin is taken back */
  SUBMIT_LEASE_MARGIN_MS: ms.default(15_000),
  WORKER_HEARTBEAT_MS: ms.default(5_000),
  /** a worker whose heartbeat is older than this is considered dead: its batches and jobs are taken back */
  WORKER_STALE_MS: ms.default(30_000),
  /** how often each worker looks for batches left behind by dead workers */
  WORKER_SWEEP_MS: ms.default(5_000),
  /** statements of the sending path one process runs at once (requests in flight are not limited by it): more
   * than the database's cores only queues backends behind each other's index pages */
  SUBMIT_DB_CONCURRENCY: z.coerce.number().int().min(1).default(4),
})

export type SubmissionConfig = {
  concurrency: number
  maxAttempts: number
  maxLostAttempts: number
  maxAgeMs: number
  requestTimeoutMs: number
  backoffBaseMs: number
  backoffMaxMs: number
  leaseMarginMs: number
  heartbeatMs: number
  staleMs: number
  sweepMs: number
  dbConcurrency: number
}

export function submissionConfig(
  source: Record<string, string | undefined> = process.env,
  overrides: Partial<SubmissionConfig> = {},
): SubmissionConfig {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = submissionConfigSchema.safeParse(cleaned)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new Error(`Invalid worker configuration:\n${lines.join('\n')}`)
  }
  const e = parsed.data
  return {
    concurrency: e.SUBMIT_WORKER_CONCURRENCY,
    maxAttempts: e.SUBMIT_MAX_ATTEMPTS,
    maxLostAttempts: e.SUBMIT_MAX_LOST_ATTEMPTS,
    maxAgeMs: e.SUBMIT_MAX_AGE_MS,
    requestTimeoutMs: e.SUBMIT_REQUEST_TIMEOUT_MS,
    backoffBaseMs: e.SUBMIT_BACKOFF_BASE_MS,
    backoffMaxMs: e.SUBMIT_BACKOFF_MAX_MS,
    leaseMarginMs: e.SUBMIT_LEASE_MARGIN_MS,
    heartbeatMs: e.WORKER_HEARTBEAT_MS,
    staleMs: e.WORKER_STALE_MS,
    sweepMs: e.WORKER_SWEEP_MS,
    dbConcurrency: e.SUBMIT_DB_CONCURRENCY,
    ...overrides,
  }
}
