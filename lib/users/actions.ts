'use server'

import { audit } from '@/lib/audit/log'
import { ActionError, authorizedAction, refresh } from '@/lib/auth/action'
import { passwordProblem } from '@/lib/auth/password-policy'
import { db, Prisma } from '@/lib/db'
import { hashPassword } from '@/lib/users/password'
import {
  createUserSchema,
  resetPasswordSchema,
  setUserActiveSchema,
  updateUserAccessSchema,
} from '@/lib/users/schema'

// Every change to who may do what bumps the user's sessionVersion, so their open sessions stop
// working at their very next request (getCaller compares it).

function checkPassword(password: string, who: { email: string; name: string }, field = 'temporaryPassword') {
  const problem = passwordProblem(password, who)
  if (problem) throw new ActionError(problem, { [field]: [problem] })
}

async function existingStores(tx: Prisma.TransactionClient, storeIds: string[]) {
  const found = await tx.store.findMany({ where: { id: { in: storeIds } }, select: { id: true, code: true } })
  if (found.length !== new Set(storeIds).size)
    throw new ActionError('One of the chosen stores no longer exists. Reload the page and try again.', {
      storeIds: ['Choose stores from the list'],
    })
  return found
}

async function target(tx: Prisma.TransactionClient, userId: string) {
  const user = await tx.user.findUnique({
    where: { id: userId },
    include: { memberships: { include: { store: { select: { code: true } } } } },
  })
  if (!user) throw new ActionError('That user no longer exists.')
  return user
}

function notYourself(callerId: string, userId: string, what: string) {
  // an admin who locks themselves out needs another admin to get back in
  if (callerId === userId) throw new ActionError(`You cannot ${what} your own account. Ask another admin.`)
}

export const createUserAction = authorizedAction({
  name: 'users.create',
  access: ['ADMIN'],
  schema: createUserSchema,
  handler: async (input, _caller, ctx) => {
    checkPassword(input.temporaryPassword, input)
    const storeIds = input.role === 'ADMIN' ? [] : input.storeIds
    const passwordHash = await hashPassword(input.temporaryPassword)
    const user = await db
      .$transaction(async (tx) => {
        const stores = await existingStores(tx, storeIds)
        const created = await tx.user.create({
          data: {
            email: input.email,
            name: input.name,
            role: input.role,
            passwordHash,
            mustChangePassword: true,
            memberships: { create: storeIds.map((storeId) => ({ storeId })) },
          },
        })
        await audit(tx, {
          actor: ctx.actor,
          action: 'user.created',
          entity: 'User',
          entityId: created.id,
          details: {
            after: {
              email: created.email,
              name: created.name,
              role: created.role,
              stores: stores.map((s) => s.code),
            },
          },
          ip: ctx.ip,
        })
        return created
      })
      .catch((error: unknown) => {
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')
          throw new ActionError('A user with this email already exists.', {
            email: ['A user with this email already exists'],
          })
        throw error
      })
    refresh()
    return { id: user.id, email: user.email }
  },
})

export const updateUserAccessAction = authorizedAction({
  name: 'users.updateAccess',
  access: ['ADMIN'],
  schema: updateUserAccessSchema,
  handler: async ({ userId, role, storeIds: requested }, caller, ctx) => {
    const storeIds = role === 'ADMIN' ? [] : requested
    await db.$transaction(async (tx) => {
      const before = await target(tx, userId)
      if (before.role === 'ADMIN' && role !== 'ADMIN') notYourself(caller.userId, userId, 'demote')
      const stores = await existingStores(tx, storeIds)
      await tx.storeMembership.deleteMany({ where: { userId } })
      await tx.storeMembership.createMany({ data: storeIds.map((storeId) => ({ userId, storeId })) })
      await tx.user.update({ where: { id: userId }, data: { role, sessionVersion: { increment: 1 } } })
      await audit(tx, {
        actor: ctx.actor,
        action: 'user.access_changed',
        entity: 'User',
        entityId: userId,
        details: {
          changes: {
            role: { before: before.role, after: role },
            stores: {
              before: before.memberships.map((m) => m.store.code).sort(),
              after: stores.map((s) => s.code).sort(),
            },
          },
        },
        ip: ctx.ip,
      })
    })
    refresh()
    return { id: userId }
  },
})

export const setUserActiveAction = authorizedAction({
  name: 'users.setActive',
  access: ['ADMIN'],
  schema: setUserActiveSchema,
  handler: async ({ userId, active }, caller, ctx) => {
    if (!active) notYourself(caller.userId, userId, 'deactivate')
    await db.$transaction(async (tx) => {
      const before = await target(tx, userId)
      if (before.active === active) return
      await tx.user.update({ where: { id: userId }, data: { active, sessionVersion: { increment: 1 } } })
      await audit(tx, {
        actor: ctx.actor,
        action: active ? 'user.reactivated' : 'user.deactivated',
        entity: 'User',
        entityId: userId,
        details: { changes: { active: { before: before.active, after: active } } },
        ip: ctx.ip,
      })
    })
    refresh()
    return { id: userId, active }
  },
})

export const resetPasswordAction = authorizedAction({
  name: 'users.resetPassword',
  access: ['ADMIN'],
  schema: resetPasswordSchema,
  handler: async ({ userId, temporaryPassword }, caller, ctx) => {
    notYourself(caller.userId, userId, 'reset the password of')
    const user = await db.user.findUnique({ where: { id: userId } })
    if (!user) throw new ActionError('That user no longer exists.')
    checkPassword(temporaryPassword, user)
    const passwordHash = await hashPassword(temporaryPassword)
    await db.$transaction(async (tx) => {
      await tx.user.update({
        where: { id: userId },
        data: { passwordHash, mustChangePassword: true, sessionVersion: { increment: 1 } },
      })
      await audit(tx, {
        actor: ctx.actor,
        action: 'user.password_reset',
        entity: 'User',
        entityId: userId,
        details: {
          passwordReset: true,
          mustChangePassword: { before: user.mustChangePassword, after: true },
        },
        ip: ctx.ip,
      })
    })
    refresh()
    return { id: userId }
  },
})
