import path from 'node:path'
import { z } from 'zod'
import { DEMO_CATALOG, OPEN_CATALOG, type SandboxCatalog } from './catalog'
import { type SandboxFaults, type SandboxFaultsPatch, sandboxFaultsPatchSchema } from './faults'
import type { SandboxOptions } from './server'

export const DEFAULT_SANDBOX_PORT = 4010

const flag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1')
const number = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'must be a number')
  .transform(Number)
const list = z.string().transform((value) =>
  value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== ''),
)

const envSchema = z.object({
  SANDBOX_PORT: number.default(DEFAULT_SANDBOX_PORT),
  SANDBOX_HOST: z.string().min(1).default('127.0.0.1'),
  SANDBOX_TOKEN: z.string().min(1, 'must not be empty').default('sandbox-token'),
  SANDBOX_FORBIDDEN_TOKENS: list.optional(),
  SANDBOX_CONTROL_TOKEN: z.string().min(1, 'must not be empty').default('sandbox-control'),
  SANDBOX_DATA_DIR: z.string().min(1).optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  SANDBOX_SEED: z
    .string()
    .regex(/^-?\d+$/, 'must be an integer')
    .transform(Number)
    .optional(),
  SANDBOX_FSYNC: flag.optional(),
  /** a JSON object in the shape POST /_sandbox/faults takes; the variables below override it */
  SANDBOX_FAULTS: z.string().optional(),
  /** "<requests>/<windowMs>", e.g. 20/1000 */
  SANDBOX_RATE_LIMIT: z
    .string()
    .regex(/^\d+\/\d+$/, 'must look like <requests>/<windowMs>, e.g. 20/1000')
    .optional(),
  SANDBOX_RETRY_AFTER_FORMAT: z.enum(['seconds', 'http-date', 'none']).optional(),
  SANDBOX_ERROR_RATE: number.optional(),
  SANDBOX_ERROR_STATUSES: list.optional(),
  /** "<ms>" for a fixed delay or "<min>-<max>" for a uniform spread */
  SANDBOX_LATENCY_MS: z
    .string()
    .regex(/^\d+(-\d+)?$/, 'must be <ms> or <min>-<max>')
    .optional(),
  SANDBOX_HANG_RATE: number.optional(),
  SANDBOX_HANG_MAX_MS: number.optional(),
  SANDBOX_HANG_AFTER_RECORDING: flag.optional(),
  SANDBOX_POISON: list.optional(),
  SANDBOX_REVOKED: flag.optional(),
  /** GET /v2/items's catalog: demo (default: the demo's items, a few missing), open (every id), or a list of ids */
  SANDBOX_CATALOG: z.string().optional(),
  /** ids the catalog does not have, whatever SANDBOX_CATALOG says */
  SANDBOX_CATALOG_MISSING: list.optional(),
})

export type SandboxEnvConfig = Omit<SandboxOptions, 'logger'> & {
  port: number
  host: string
  /** true when the token or control token fell back to its development default */
  usesDefaultSecrets: boolean
}

// Reads the sandbox's environment; the error names every variable that is wrong.
export function sandboxConfigFromEnv(source: Record<string, string | undefined>): SandboxEnvConfig {
  // An empty variable means unset, as in lib/env.ts.
  const env = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ''),
  )
  const parsed = envSchema.safeParse(env)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`)
    throw new Error(`Invalid sandbox environment: ${problems.join('; ')}`)
  }
  const e = parsed.data
  const patch: SandboxFaultsPatch = {}
  if (e.SANDBOX_FAULTS) {
    let json: unknown
    try {
      json = JSON.parse(e.SANDBOX_FAULTS)
    } catch {
      throw new Error('Invalid sandbox environment: SANDBOX_FAULTS is not valid JSON')
    }
    const faults = sandboxFaultsPatchSchema.safeParse(json)
    if (!faults.success)
      throw new Error(`Invalid sandbox environment: SANDBOX_FAULTS ${faults.error.message}`)
    Object.assign(patch, faults.data)
  }
  if (e.SANDBOX_SEED !== undefined) patch.seed = e.SANDBOX_SEED
  if (e.SANDBOX_RATE_LIMIT) {
    const [requests = 0, windowMs = 0] = e.SANDBOX_RATE_LIMIT.split('/').map(Number)
    patch.rateLimit = { requests, windowMs }
  }
  if (e.SANDBOX_RETRY_AFTER_FORMAT) patch.retryAfterFormat = e.SANDBOX_RETRY_AFTER_FORMAT
  if (e.SANDBOX_ERROR_RATE !== undefined) patch.errorRate = e.SANDBOX_ERROR_RATE
  if (e.SANDBOX_ERROR_STATUSES) patch.errorStatuses = e.SANDBOX_ERROR_STATUSES.map(Number)
  if (e.SANDBOX_LATENCY_MS) {
    const [minMs = 0, maxMs] = e.SANDBOX_LATENCY_MS.split('-').map(Number)
    patch.latency = maxMs === undefined ? { fixedMs: minMs } : { minMs, maxMs }
  }
  if (e.SANDBOX_HANG_RATE !== undefined) patch.hangRate = e.SANDBOX_HANG_RATE
  if (e.SANDBOX_HANG_MAX_MS !== undefined) patch.hangMaxMs = e.SANDBOX_HANG_MAX_MS
  if (e.SANDBOX_HANG_AFTER_RECORDING !== undefined) patch.hangAfterRecording = e.SANDBOX_HANG_AFTER_RECORDING
  if (e.SANDBOX_POISON) patch.poison = e.SANDBOX_POISON
  if (e.SANDBOX_REVOKED !== undefined) patch.revoked = e.SANDBOX_REVOKED
  const faults = sandboxFaultsPatchSchema.safeParse(patch)
  if (!faults.success) throw new Error(`Invalid sandbox environment: ${faults.error.message}`)
  const { reset: _reset, ...faultOptions } = faults.data
  const base: SandboxCatalog =
    e.SANDBOX_CATALOG === undefined || e.SANDBOX_CATALOG === 'demo'
      ? DEMO_CATALOG
      : e.SANDBOX_CATALOG === 'open'
        ? OPEN_CATALOG
        : { known: list.parse(e.SANDBOX_CATALOG), missing: [] }
  const catalog = { ...base, missing: e.SANDBOX_CATALOG_MISSING ?? base.missing }
  return {
    port: e.SANDBOX_PORT,
    host: e.SANDBOX_HOST,
    token: e.SANDBOX_TOKEN,
    controlToken: e.SANDBOX_CONTROL_TOKEN,
    dataDir: e.SANDBOX_DATA_DIR ?? path.join(e.DATA_DIR, 'sandbox'),
    ...(e.SANDBOX_FORBIDDEN_TOKENS && { forbiddenTokens: e.SANDBOX_FORBIDDEN_TOKENS }),
    ...(e.SANDBOX_FSYNC !== undefined && { fsync: e.SANDBOX_FSYNC }),
    catalog,
    faults: Object.fromEntries(
      Object.entries(faultOptions).filter(([, value]) => value !== undefined),
    ) as Partial<SandboxFaults>,
    usesDefaultSecrets: env.SANDBOX_TOKEN === undefined || env.SANDBOX_CONTROL_TOKEN === undefined,
  }
}
