import { z } from 'zod'
import { newPasswordSchema } from '@/lib/users/schema'

// Sign-in and password-change forms: shared by the browser and the server actions.
export const signInSchema = z.object({
  email: z.string().trim().toLowerCase().min(1, 'Enter your email address').max(320),
  password: z.string().min(1, 'Enter your password').max(1024),
  next: z.string().max(2000).optional(),
})
export type SignInInput = z.input<typeof signInSchema>

export const changePasswordSchema = z
  .object({
    currentPassword: z.string().min(1, 'Enter your current password').max(1024),
    newPassword: newPasswordSchema,
    confirmPassword: z.string(),
  })
  .refine((v) => v.newPassword === v.confirmPassword, {
    path: ['confirmPassword'],
    message: 'The two new passwords differ',
  })
  .refine((v) => v.newPassword !== v.currentPassword, {
    path: ['newPassword'],
    message: 'Choose a password different from the current one',
  })
export type ChangePasswordInput = z.input<typeof changePasswordSchema>

/** the one message for a wrong email or password: never says which */
export const SIGN_IN_FAILED = 'The email or password is not right. Check both and try again.'

export const emptySchema = z.object({})

// C0 controls and DEL: a newline in a redirect's Location header is a 500 at best, a header injection at worst
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters refused
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/

/** only a path on this site: never another host (open redirect), never a character a header cannot carry */
export function safeNextPath(next: string | undefined | null) {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/'
  if (CONTROL_CHARACTERS.test(next)) return '/'
  // the URL parser percent-encodes what a header cannot carry (non-ASCII, spaces) and resolves dot segments
  const url = new URL(next, 'http://this.site')
  if (url.host !== 'this.site') return '/'
  if (url.pathname.startsWith('/login') || url.pathname.startsWith('/api/')) return '/'
  return `${url.pathname}${url.search}${url.hash}`
}
