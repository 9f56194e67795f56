import { z } from 'zod'

// Shared by the connection form and its actions. The token is write-only: an empty field keeps the
// stored one, and nothing ever sends it back to a browser.
export const baseUrlSchema = z
  .string()
  .trim()
  .max(500, 'Use at most 500 characters')
  .pipe(z.url({ protocol: /^https?$/, error: 'Enter an address like https://ac.cnstrc.com' }))
  .refine((v) => {
    const u = new URL(v)
    return !u.username && !u.password && !u.search && !u.hash
  }, 'Enter the address only: no user name, password, query or fragment (the key and token have their own fields)')

export const saveConnectionSchema = z.object({
  /** absent: create the connection (the first time only) */
  connectionId: z.uuid('Unknown connection').optional(),
  baseUrl: baseUrlSchema,
  apiKey: z
    .string()
    .trim()
    .min(1, 'Enter the index API key')
    .max(100, 'Use at most 100 characters')
    .regex(/^\S+$/, 'The API key has no spaces'),
  section: z
    .string()
    .trim()
    .min(1, 'Enter the section, usually Products')
    .max(100, 'Use at most 100 characters'),
  /** empty: keep the stored token */
  token: z
    .string()
    .trim()
    .max(500, 'Use at most 500 characters')
    .regex(/^\S*$/, 'The token has no spaces')
    .optional()
    .transform((v) => (v ? v : undefined)),
})
export type SaveConnectionInput = z.input<typeof saveConnectionSchema>

export const testConnectionSchema = z.object({ connectionId: z.uuid('Unknown connection') })

export const CUSTOMER_ID_POLICY_VALUES = ['AS_IS', 'PSEUDONYMISE', 'OMIT'] as const

/** the customer id policy; the secret is write-only: empty keeps the stored one */
export const saveCustomerIdPolicySchema = z.object({
  connectionId: z.uuid('Unknown connection'),
  policy: z.enum(CUSTOMER_ID_POLICY_VALUES, { error: 'Choose how customer ids are sent' }),
  secret: z
    .string()
    .trim()
    .max(500, 'Use at most 500 characters')
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(z.string().min(16, 'Use a secret of at least 16 characters').optional()),
  /** make a new random secret (shown once) instead of entering one */
  generate: z.boolean().optional(),
  /** forget the stored secret */
  clearSecret: z.boolean().optional(),
})
export type SaveCustomerIdPolicyInput = z.input<typeof saveCustomerIdPolicySchema>

/** what happens to a sale of an item id the Constructor catalog does not hold (lib/catalog/preflight.ts) */
export const saveCatalogCheckSchema = z.object({
  connectionId: z.uuid('Unknown connection'),
  holdUnknownItems: z.boolean({ error: 'Choose what happens to such sales' }),
})
export type SaveCatalogCheckInput = z.infer<typeof saveCatalogCheckSchema>
