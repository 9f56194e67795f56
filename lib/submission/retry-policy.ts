import type { SubmissionConfig } from './config'

// Exponential back-off with full jitter (AWS architecture blog): spreads retries of many batches evenly.
export function backoffMs(
  failures: number,
  cfg: Pick<SubmissionConfig, 'backoffBaseMs' | 'backoffMaxMs'>,
  random = Math.random,
) {
  const cap = Math.min(cfg.backoffMaxMs, cfg.backoffBaseMs * 2 ** Math.max(0, failures - 1))
  return Math.floor(random() * cap)
}

// Retry-After is a floor, never shortened by the jitter.
export function retryDelayMs(
  failures: number,
  retryAfterMs: number | undefined,
  cfg: Pick<SubmissionConfig, 'backoffBaseMs' | 'backoffMaxMs'>,
  random = Math.random,
) {
  const jittered = backoffMs(failures, cfg, random)
  return retryAfterMs === undefined ? jittered : Math.max(retryAfterMs, jittered)
}

/** true when this failure used up the batch's attempts or it is too old to keep trying */
export function shouldGiveUp(
  failures: number,
  createdAt: Date,
  cfg: Pick<SubmissionConfig, 'maxAttempts' | 'maxAgeMs'>,
  now = Date.now(),
) {
  return failures >= cfg.maxAttempts || now - createdAt.getTime() >= cfg.maxAgeMs
}
