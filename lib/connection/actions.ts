'use server'

import { randomBytes } from 'node:crypto'
import { audit, diff } from '@/lib/audit/log'
import { type ActionContext, ActionError, authorizedAction, refresh } from '@/lib/auth/action'
import { clearCatalogCache } from '@/lib/catalog/preflight'
import {
  saveCatalogCheckSchema,
  saveConnectionSchema,
  saveCustomerIdPolicySchema,
  testConnectionSchema,
} from '@/lib/connection/schema'
import { checkConnection } from '@/lib/connection/tester'
import { resumeConnection } from '@/lib/connection/transitions'
import { decryptSecret, encryptSecret, secretHint } from '@/lib/crypto/secret-box'
import { db } from '@/lib/db'
import { prismaQueryable } from '@/lib/submission/sql'
import { ensureAppQueueSchema } from '@/lib/submission/submit'

// The Constructor connection: one row, admins only. The token goes in encrypted and never comes
// back out of the server: results carry the hint (last four characters) at most.

type TestOutcome = { ok: boolean; message: string; resumed: boolean }

/** tests the stored settings, records the result, and resumes a paused connection when asked to */
async function testStored(
  connectionId: string,
  ctx: ActionContext,
  resumeIfOk: boolean,
): Promise<TestOutcome> {
  const conn = await db.constructorConnection.findUniqueOrThrow({ where: { id: connectionId } })
  if (!conn.tokenCiphertext) return { ok: false, message: 'Enter the API token first.', resumed: false }
  const check = await checkConnection({
    baseUrl: conn.baseUrl,
    apiKey: conn.apiKey,
    section: conn.section,
    token: decryptSecret(conn.tokenCiphertext),
  })
  const resume = resumeIfOk && check.ok && conn.paused
  // resuming gives the waiting batches their send jobs in the same transaction
  if (resume) await ensureAppQueueSchema()
  await db.$transaction(async (tx) => {
    await tx.constructorConnection.update({
      where: { id: conn.id },
      data: {
        lastTestedAt: new Date(),
        lastTestOk: check.ok,
        lastTestMessage: check.message,
      },
    })
    if (resume) await resumeConnection(prismaQueryable(tx), conn.id)
    await audit(tx, {
      actor: ctx.actor,
      action: 'connection.tested',
      entity: 'ConstructorConnection',
      entityId: conn.id,
      details: { ok: check.ok, message: check.message },
      ip: ctx.ip,
    })
    if (resume)
      await audit(tx, {
        actor: ctx.actor,
        action: 'connection.resumed',
        entity: 'ConstructorConnection',
        entityId: conn.id,
        details: { changes: { paused: { before: true, after: false } }, pausedReason: conn.pausedReason },
        ip: ctx.ip,
      })
  })
  return { ok: check.ok, message: check.message, resumed: resume }
}

// Saving tests the new settings at once; when they work, a connection paused by a 401/403 resumes.
export const saveConnectionAction = authorizedAction({
  name: 'connection.save',
  access: ['ADMIN'],
  schema: saveConnectionSchema,
  handler: async ({ connectionId, token, ...fields }, _caller, ctx) => {
    const before = connectionId
      ? await db.constructorConnection.findUnique({ where: { id: connectionId } })
      : null
    if (connectionId && !before) throw new ActionError('That connection no longer exists. Reload the page.')
    if (!connectionId && (await db.constructorConnection.count()) > 0)
      throw new ActionError('A connection already exists. Reload the page to edit it.')
    if (!before && !token) throw new ActionError('Enter the API token.', { token: ['Enter the API token'] })
    const secret = token ? { tokenCiphertext: encryptSecret(token), tokenHint: secretHint(token) } : {}
    const saved = await db.$transaction(async (tx) => {
      const after = before
        ? await tx.constructorConnection.update({ where: { id: before.id }, data: { ...fields, ...secret } })
        : await tx.constructorConnection.create({ data: { ...fields, ...secret } })
      await audit(tx, {
        actor: ctx.actor,
        action: before ? 'connection.updated' : 'connection.created',
        entity: 'ConstructorConnection',
        entityId: after.id,
        details: {
          changes: diff(before, after, ['baseUrl', 'apiKey', 'section', 'tokenHint']),
          tokenChanged: Boolean(token),
        },
        ip: ctx.ip,
      })
      return after
    })
    // another index, section, host or token may have another catalog: ask again
    if (
      before &&
      (token ||
        ['baseUrl', 'apiKey', 'section'].some((k) => before[k as 'baseUrl'] !== saved[k as 'baseUrl']))
    )
      await clearCatalogCache(saved.id)
    const test = await testStored(saved.id, ctx, true)
    refresh()
    return { test }
  },
})

export const testConnectionAction = authorizedAction({
  name: 'connection.test',
  access: ['ADMIN'],
  schema: testConnectionSchema,
  handler: async ({ connectionId }, _caller, ctx) => {
    const conn = await db.constructorConnection.findUnique({ where: { id: connectionId } })
    if (!conn) throw new ActionError('That connection no longer exists. Reload the page.')
    const test = await testStored(conn.id, ctx, false)
    refresh()
    return { test }
  },
})

// How shoppers' ids leave (lib/customers/customer-id.ts). The secret is write-only and encrypted at rest like the
// token; a generated one is returned once, so the admin can hand it to the web team. Changing or rotating it
// changes every pseudonymised id from then on.
export const saveCustomerIdPolicyAction = authorizedAction({
  name: 'connection.saveCustomerIdPolicy',
  access: ['ADMIN'],
  schema: saveCustomerIdPolicySchema,
  handler: async ({ connectionId, policy, secret, generate, clearSecret }, _caller, ctx) => {
    const before = await db.constructorConnection.findUnique({ where: { id: connectionId } })
    if (!before) throw new ActionError('That connection no longer exists. Reload the page.')
    if ([Boolean(secret), Boolean(generate), Boolean(clearSecret)].filter(Boolean).length > 1)
      throw new ActionError('Enter a secret, generate one or remove it: one at a time.')
    const newSecret = generate ? randomBytes(32).toString('hex') : secret
    const hasSecret = clearSecret ? false : Boolean(newSecret) || Boolean(before.customerIdSecretCiphertext)
    if (policy === 'PSEUDONYMISE' && !hasSecret)
      throw new ActionError(
        'Pseudonymising needs a secret: enter the one your website uses, or generate one.',
        {
          secret: ['Enter or generate a secret'],
        },
      )
    const secretChange = newSecret
      ? { customerIdSecretCiphertext: encryptSecret(newSecret), customerIdSecretSetAt: new Date() }
      : clearSecret
        ? { customerIdSecretCiphertext: null, customerIdSecretSetAt: null }
        : {}
    await db.$transaction(async (tx) => {
      const after = await tx.constructorConnection.update({
        where: { id: before.id },
        data: { customerIdPolicy: policy, ...secretChange },
      })
      await audit(tx, {
        actor: ctx.actor,
        action: 'connection.customer_ids_changed',
        entity: 'ConstructorConnection',
        entityId: after.id,
        details: {
          changes: diff(before, after, ['customerIdPolicy']),
          secretChanged: Boolean(newSecret) || Boolean(clearSecret && before.customerIdSecretCiphertext),
          secretGenerated: Boolean(generate),
        },
        ip: ctx.ip,
      })
    })
    refresh()
    return { generatedSecret: generate ? newSecret : null }
  },
})

// The catalog pre-flight's setting: hold sales of item ids the catalog does not hold (the default), or send them anyway.
export const saveCatalogCheckAction = authorizedAction({
  name: 'connection.saveCatalogCheck',
  access: ['ADMIN'],
  schema: saveCatalogCheckSchema,
  handler: async ({ connectionId, holdUnknownItems }, _caller, ctx) => {
    const before = await db.constructorConnection.findUnique({ where: { id: connectionId } })
    if (!before) throw new ActionError('That connection no longer exists. Reload the page.')
    await db.$transaction(async (tx) => {
      const after = await tx.constructorConnection.update({
        where: { id: before.id },
        data: { holdUnknownItems },
      })
      await audit(tx, {
        actor: ctx.actor,
        action: 'connection.catalog_check_changed',
        entity: 'ConstructorConnection',
        entityId: after.id,
        details: { changes: diff(before, after, ['holdUnknownItems']) },
        ip: ctx.ip,
      })
    })
    refresh()
    return { holdUnknownItems }
  },
})
