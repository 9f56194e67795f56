import { z } from 'zod'
import { parseTrustedProxies } from '@/lib/auth/client-address'

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes')

// Every variable the product reads, validated once; a missing or bad one is named in the error.
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  AUTH_SECRET: z.string().min(32, 'AUTH_SECRET must be at least 32 characters').optional(),
  /** 32 bytes, base64 or hex: encrypts the Constructor token at rest (AES-256-GCM) */
  ENCRYPTION_KEY: z
    .string()
    .refine((v) => decodeKey(v) !== null, 'ENCRYPTION_KEY must be 32 bytes as 64 hex characters or base64')
    .optional(),
  APP_URL: z.url().optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  /** proxies in front of the web app: a hop count or a comma list of addresses/CIDRs; unset: none (docs/operations.md) */
  TRUSTED_PROXIES: z
    .string()
    .optional()
    .transform((v, ctx) => {
      try {
        return parseTrustedProxies(v)
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message })
        return z.NEVER
      }
    }),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** the "service" field of every log line: web, worker, … (set by the process supervisor) */
  SERVICE_NAME: z.string().default('web'),
  /** connections in this process's Prisma pool */
  DB_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(10),
  UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(250 * 1024 * 1024),
  SANDBOX_URL: z.url().optional(),
  SANDBOX_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  SANDBOX_CONTROL_TOKEN: z.string().optional(),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  DATA_DIR: z.string().optional(),
  /** (the worker's own upload settings, UPLOAD_JOB_CONCURRENCY and UPLOAD_RETENTION_DAYS, are read by
   * lib/uploads/jobs/tasks.ts; its memory, WORKER_HEAP_MB, WORKER_SEMI_SPACE_MB and UPLOAD_JOB_HEAP_MB, by
   * lib/process/worker-process.ts) uploads up to this size wait in the small lane, which has its own slot in every worker */
  UPLOAD_SMALL_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(5 * 1024 * 1024),
  SEED_DEMO: bool.default(true),
  /** bearer token a Prometheus scraper presents at /api/metrics; unset: only an admin session reads it */
  METRICS_TOKEN: z.string().min(32, 'METRICS_TOKEN must be at least 32 characters').optional(),
  /** requests one sales feed key may make per minute (POST /api/v1/sales); more get 429 */
  FEED_RATE_PER_MINUTE: z.coerce.number().int().positive().default(120),
})

export type Env = z.infer<typeof envSchema>

export function decodeKey(v: string): Buffer | null {
  const hex = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, 'hex') : null
  if (hex) return hex
  const b64 = Buffer.from(v, 'base64')
  return b64.length === 32 ? b64 : null
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''))
  const result = envSchema.safeParse(cleaned)
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`)
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}\nSee .env.example for every variable.`)
  }
  return result.data
}

const KEYS = Object.keys(envSchema.shape) as (keyof Env)[]
let cached: { key: string; env: Env } | undefined

/** the validated environment; parsed again only when a variable changed (tests set some per case) */
export function env(): Env {
  const key = KEYS.map((k) => process.env[k] ?? '').join('\0')
  if (cached?.key !== key) cached = { key, env: parseEnv() }
  return cached.env
}
