'use server'

import { audit } from '@/lib/audit/log'
import { ActionError, authorizedAction } from '@/lib/auth/action'
import { verifyCredentials } from '@/lib/auth/credentials'
import { passwordProblem } from '@/lib/auth/password-policy'
import {
  changePasswordSchema,
  emptySchema,
  SIGN_IN_FAILED,
  safeNextPath,
  signInSchema,
} from '@/lib/auth/schema'
import { endEverySession } from '@/lib/auth/sign-out'
import { currentTestRequest } from '@/lib/auth/testing'
import { db } from '@/lib/db'
import { hashPassword, verifyPassword } from '@/lib/users/password'

// Anyone may try to sign in; the throttle and the password check live in the Credentials provider.
export const signInAction = authorizedAction({
  name: 'auth.signIn',
  access: 'public',
  schema: signInSchema,
  handler: async (input, _caller, ctx) => {
    if (currentTestRequest()) {
      // tests call actions outside a request, where there is no cookie to set: check credentials only
      const outcome = await verifyCredentials({ email: input.email, password: input.password, ip: ctx.ip })
      if (outcome.ok) return null
      throw new ActionError(
        outcome.reason === 'throttled'
          ? `Too many attempts, try again in ${outcome.retryAfterSeconds} seconds.`
          : SIGN_IN_FAILED,
      )
    }
    const { signInWithPassword } = await import('@/lib/auth/auth')
    // redirects (a thrown NEXT_REDIRECT) on success; the helper lets that through
    const failure = await signInWithPassword(input.email, input.password, safeNextPath(input.next))
    throw new ActionError(failure)
  },
})

// Signing out ends every session of this person (see endEverySession).
export const signOutAction = authorizedAction({
  name: 'auth.signOut',
  access: 'signed-in',
  schema: emptySchema,
  allowDuringPasswordChange: true,
  handler: async (_input, caller, ctx) => {
    await endEverySession(caller, ctx.ip, 'button')
    if (currentTestRequest()) return null // outside a request there is no cookie to clear
    const { signOut } = await import('@/lib/auth/auth')
    await signOut({ redirectTo: '/login' })
    return null
  },
})

export const changePasswordAction = authorizedAction({
  name: 'auth.changePassword',
  access: 'signed-in',
  schema: changePasswordSchema,
  allowDuringPasswordChange: true,
  handler: async (input, caller, ctx) => {
    const user = await db.user.findUniqueOrThrow({ where: { id: caller.userId } })
    if (!(await verifyPassword(user.passwordHash, input.currentPassword)))
      throw new ActionError('Your current password is not right.', {
        currentPassword: ['Your current password is not right'],
      })
    const problem = passwordProblem(input.newPassword, { email: user.email, name: user.name })
    if (problem) throw new ActionError(problem, { newPassword: [problem] })
    // a new password ends every other session (sessionVersion), then signs this one in afresh
    await db.$transaction(async (tx) => {
      await tx.user.update({
        where: { id: user.id },
        data: {
          passwordHash: await hashPassword(input.newPassword),
          mustChangePassword: false,
          sessionVersion: { increment: 1 },
        },
      })
      await audit(tx, {
        actor: ctx.actor,
        action: 'user.password_changed',
        entity: 'User',
        entityId: user.id,
        details: { mustChangePassword: { before: user.mustChangePassword, after: false } },
        ip: ctx.ip,
      })
    })
    if (currentTestRequest()) return null // outside a request there is no cookie to set
    const { signIn } = await import('@/lib/auth/auth')
    await signIn('credentials', { email: user.email, password: input.newPassword, redirectTo: '/' })
    return null
  },
})
