import { z } from 'zod'

// The sending pace of a connection, shared by every worker process: the form on the connection's settings page and
// its action parse with this one schema.

export const PACE_LIMITS = {
  /** Constructor publishes no rate limit: a 429 halves the pace on its own, this bounds a typing slip */
  maxRequestsPerSecond: { min: 1, max: 200 },
  /** requests on the wire at once; more than the workers run together (SUBMIT_WORKER_CONCURRENCY each) adds nothing */
  maxConcurrency: { min: 1, max: 64 },
} as const

const wholeNumber = (what: string, { min, max }: { min: number; max: number }) =>
  z.coerce
    .number({ error: `Enter the ${what} as a number` })
    .int(`Enter a whole number of ${what}`)
    .min(min, `Use at least ${min}`)
    .max(max, `Use at most ${max}`)

export const savePaceSchema = z.object({
  connectionId: z.uuid('Unknown connection'),
  maxRequestsPerSecond: wholeNumber('requests per second', PACE_LIMITS.maxRequestsPerSecond),
  maxConcurrency: wholeNumber('requests at once', PACE_LIMITS.maxConcurrency),
})
export type SavePaceInput = z.input<typeof savePaceSchema>
