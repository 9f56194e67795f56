import { z } from 'zod'

export type RetryAfterFormat = 'seconds' | 'http-date' | 'none'

export type SandboxFaults = {
  /** seeds the PRNG behind every probability and the latency spread */
  seed: number
  /** at most `requests` admitted per fixed window of `windowMs`; the rest get 429 */
  rateLimit: { requests: number; windowMs: number } | null
  retryAfterFormat: RetryAfterFormat
  /** probability (0–1) of answering with one of errorStatuses */
  errorRate: number
  errorStatuses: number[]
  /** added before answering: a fixed delay or a uniform spread */
  latency: { fixedMs: number } | { minMs: number; maxMs: number } | null
  /** probability (0–1) of never answering until the client gives up or hangMaxMs passes */
  hangRate: number
  hangMaxMs: number
  /** record a hanging request's actions before hanging: the client sees a timeout although they were kept */
  hangAfterRecording: boolean
  /** any action holding one of these strings (item_id, order_id, …) is refused with a 400 at its index */
  poison: string[]
  /** 401 for every request, as if the token had been revoked */
  revoked: boolean
  /** GET /v2/items answers 200 with a body that is not JSON, or one of many megabytes */
  catalogAnswer: 'ok' | 'not-json' | 'huge'
}

export const DEFAULT_FAULTS: SandboxFaults = {
  seed: 1,
  rateLimit: null,
  retryAfterFormat: 'seconds',
  errorRate: 0,
  errorStatuses: [500, 502, 503],
  latency: null,
  hangRate: 0,
  hangMaxMs: 120_000,
  hangAfterRecording: false,
  poison: [],
  revoked: false,
  catalogAnswer: 'ok',
}

const probability = z.number().min(0).max(1)
const milliseconds = z.int().min(0).max(3_600_000)

export const sandboxFaultsPatchSchema = z.strictObject({
  /** restore the faults the sandbox started with before applying the rest of the patch */
  reset: z.boolean().optional(),
  seed: z.int().optional(),
  rateLimit: z
    .strictObject({ requests: z.int().min(1), windowMs: z.int().min(1).max(3_600_000) })
    .nullable()
    .optional(),
  retryAfterFormat: z.enum(['seconds', 'http-date', 'none']).optional(),
  errorRate: probability.optional(),
  errorStatuses: z.array(z.int().min(500).max(599)).min(1).optional(),
  latency: z
    .union([
      z.strictObject({ fixedMs: milliseconds }),
      z
        .strictObject({ minMs: milliseconds, maxMs: milliseconds })
        .refine((l) => l.minMs <= l.maxMs, 'minMs must not exceed maxMs'),
    ])
    .nullable()
    .optional(),
  hangRate: probability.optional(),
  hangMaxMs: milliseconds.optional(),
  hangAfterRecording: z.boolean().optional(),
  poison: z.array(z.string()).optional(),
  revoked: z.boolean().optional(),
  catalogAnswer: z.enum(['ok', 'not-json', 'huge']).optional(),
})

export type SandboxFaultsPatch = z.infer<typeof sandboxFaultsPatchSchema>

export function applyFaultsPatch(current: SandboxFaults, initial: SandboxFaults, patch: SandboxFaultsPatch) {
  const { reset, ...changes } = sandboxFaultsPatchSchema.parse(patch)
  const base = reset ? initial : current
  const next: SandboxFaults = { ...base }
  for (const [key, value] of Object.entries(changes)) {
    if (value !== undefined) Object.assign(next, { [key]: value })
  }
  return next
}

// mulberry32: tiny, fast and good enough to make fault injection reproducible under a seed.
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// Fixed windows that restart at the first request after the previous window ran out.
export class FixedWindowLimiter {
  private windowStart = 0
  private admitted = 0

  /** undefined when admitted, else milliseconds until the window ends */
  take(limit: { requests: number; windowMs: number }, now: number): number | undefined {
    if (now >= this.windowStart + limit.windowMs) {
      this.windowStart = now
      this.admitted = 0
    }
    if (this.admitted < limit.requests) {
      this.admitted++
      return undefined
    }
    return this.windowStart + limit.windowMs - now
  }

  reset(): void {
    this.windowStart = 0
    this.admitted = 0
  }
}

export function retryAfterHeader(waitMs: number, format: RetryAfterFormat, now: number): string | undefined {
  if (format === 'none') return undefined
  // HTTP-dates have whole-second precision: round up so a client honouring it never comes back early.
  if (format === 'http-date') return new Date(Math.ceil((now + waitMs) / 1000) * 1000).toUTCString()
  return String(Math.max(1, Math.ceil(waitMs / 1000)))
}
