import { z } from 'zod'

// Shared by the browser forms and the server actions. The common-password check needs the shipped
// list, so it runs on the server only (lib/auth/password-policy.ts); length is checked on both sides.
export const PASSWORD_MIN = 12
export const PASSWORD_MAX = 128

export const ROLES = ['ADMIN', 'MANAGER'] as const
export type RoleName = (typeof ROLES)[number]

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email('Enter an email address like name@example.com').max(320))

export const newPasswordSchema = z
  .string()
  .min(PASSWORD_MIN, `Use at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `Use at most ${PASSWORD_MAX} characters`)

const storeIdsSchema = z.array(z.uuid('Choose stores from the list')).max(500).default([])

const roleAndStores = {
  role: z.enum(ROLES, 'Choose a role'),
  storeIds: storeIdsSchema,
}

function managersNeedAStore(v: { role: RoleName; storeIds: string[] }, ctx: z.RefinementCtx) {
  if (v.role === 'MANAGER' && v.storeIds.length === 0)
    ctx.addIssue({
      code: 'custom',
      path: ['storeIds'],
      message: 'Choose at least one store for a store manager',
    })
}

export const createUserSchema = z
  .object({
    email: emailSchema,
    name: z.string().trim().min(1, 'Enter a name').max(200),
    temporaryPassword: newPasswordSchema,
    ...roleAndStores,
  })
  .superRefine(managersNeedAStore)
export type CreateUserInput = z.input<typeof createUserSchema>

export const updateUserAccessSchema = z
  .object({ userId: z.uuid('Unknown user'), ...roleAndStores })
  .superRefine(managersNeedAStore)
export type UpdateUserAccessInput = z.input<typeof updateUserAccessSchema>

export const setUserActiveSchema = z.object({ userId: z.uuid('Unknown user'), active: z.boolean() })

export const resetPasswordSchema = z.object({
  userId: z.uuid('Unknown user'),
  temporaryPassword: newPasswordSchema,
})
export type ResetPasswordInput = z.input<typeof resetPasswordSchema>
