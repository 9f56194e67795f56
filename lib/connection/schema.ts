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
