import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { makeUser, signedIn, uniq } from '@/lib/auth/test-fixtures'
import { runAs } from '@/lib/auth/testing'
import { saveCatalogCheckAction, saveConnectionAction, testConnectionAction } from '@/lib/connection/actions'
import { getConnectionForSettings } from '@/lib/connection/queries'
import { startSandbox } from '@/lib/constructor/sandbox/server'
import { decryptSecret, encryptSecret } from '@/lib/crypto/secret-box'
import { db } from '@/lib/db'

vi.mock('server-only', () => ({}))
process.env.ENCRYPTION_KEY ??= 'c'.repeat(64)

const TOKEN = `sbx_conn_${uniq()}${uniq()}`
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'conn-sandbox-'))
let sandbox: Awaited<ReturnType<typeof startSandbox>>
let admin: Awaited<ReturnType<typeof makeUser>>

async function pausedConnection() {
  return db.constructorConnection.create({
    data: {
      baseUrl: sandbox.url,
      apiKey: 'conn-key',
      tokenCiphertext: encryptSecret('sbx_old_revoked_token'),
      tokenHint: 'oken',
      paused: true,
      pausedReason: 'Constructor answered 401: the token was revoked',
      pausedAt: new Date(),
    },
  })
}

beforeAll(async () => {
  sandbox = await startSandbox({ token: TOKEN, controlToken: 'conn-control', dataDir: dir })
  admin = await makeUser({ role: 'ADMIN' })
})
afterAll(async () => {
  await sandbox.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('Constructor connection settings', () => {
  it('saves a new token encrypted, tests it, resumes the paused connection and never returns the token', async () => {
    const conn = await pausedConnection()
    const result = await runAs(signedIn(admin), () =>
      saveConnectionAction({
        connectionId: conn.id,
        baseUrl: sandbox.url,
        apiKey: 'conn-key',
        section: 'Products',
        token: TOKEN,
      }),
    )
    expect(result).toEqual({
      ok: true,
      data: { test: { ok: true, message: expect.any(String), resumed: true } },
    })
    expect(JSON.stringify(result)).not.toContain(TOKEN)
    const row = await db.constructorConnection.findUniqueOrThrow({ where: { id: conn.id } })
    expect(row).toMatchObject({
      paused: false,
      pausedReason: null,
      lastTestOk: true,
      tokenHint: TOKEN.slice(-4),
    })
    expect(row.tokenCiphertext).not.toContain(TOKEN)
    expect(decryptSecret(row.tokenCiphertext!)).toBe(TOKEN)
    // no sale reached the sandbox: the test sends an empty request Constructor must refuse
    expect(sandbox.stats().acceptedActions).toBe(0)

    const trail = await db.auditLog.findMany({ where: { entityId: conn.id }, orderBy: { at: 'asc' } })
    expect(trail.map((t) => t.action)).toEqual([
      'connection.updated',
      'connection.tested',
      'connection.resumed',
    ])
    expect(trail[0]?.details).toMatchObject({
      tokenChanged: true,
      changes: { tokenHint: { before: 'oken', after: TOKEN.slice(-4) } },
    })
    expect(JSON.stringify(trail)).not.toContain(TOKEN)
    expect(trail[0]?.actorId).toBe(admin.id)
  })

  it("resuming gives every waiting batch its send job at once, without waiting for the worker's sweep", async () => {
    const conn = await pausedConnection()
    // batches whose jobs ran while the connection was paused, found it paused and ended: none has a job left
    const waiting = await db.$queryRaw<{ id: string }[]>`
      INSERT INTO "Batch" (id, "connectionId", status, "eventCount", "nextAttemptAt", "updatedAt")
      VALUES (gen_random_uuid(), ${conn.id}::uuid, 'QUEUED', 0, NULL, now()),
             (gen_random_uuid(), ${conn.id}::uuid, 'RETRY_WAIT', 0, now(), now())
      RETURNING id::text`
    const keys = waiting.map((b) => `batch:${b.id}`)
    const jobs = async () =>
      (
        await db.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM graphile_worker._private_jobs WHERE key = ANY(${keys}::text[])`
      )[0]?.n
    expect(await jobs()).toBe(0)
    const result = await runAs(signedIn(admin), () =>
      saveConnectionAction({
        connectionId: conn.id,
        baseUrl: sandbox.url,
        apiKey: 'conn-key',
        section: 'Products',
        token: TOKEN,
      }),
    )
    expect(result).toMatchObject({ ok: true, data: { test: { ok: true, resumed: true } } })
    expect(await jobs()).toBe(2)
  })

  it('keeps a connection paused when the new settings fail their test', async () => {
    const conn = await pausedConnection()
    const result = await runAs(signedIn(admin), () =>
      saveConnectionAction({
        connectionId: conn.id,
        baseUrl: sandbox.url,
        apiKey: 'conn-key',
        section: 'Products',
        token: 'sbx_still_wrong',
      }),
    )
    expect(result).toMatchObject({ ok: true, data: { test: { ok: false, resumed: false } } })
    expect(JSON.stringify(result)).not.toContain('sbx_still_wrong')
    expect(await db.constructorConnection.findUniqueOrThrow({ where: { id: conn.id } })).toMatchObject({
      paused: true,
      lastTestOk: false,
    })
  })

  it('an empty token field keeps the stored token; Test connection checks without resuming', async () => {
    const conn = await pausedConnection()
    await db.constructorConnection.update({
      where: { id: conn.id },
      data: { tokenCiphertext: encryptSecret(TOKEN) },
    })
    const tested = await runAs(signedIn(admin), () => testConnectionAction({ connectionId: conn.id }))
    expect(tested).toMatchObject({ ok: true, data: { test: { ok: true, resumed: false } } })
    const saved = await runAs(signedIn(admin), () =>
      saveConnectionAction({
        connectionId: conn.id,
        baseUrl: sandbox.url,
        apiKey: 'k2',
        section: 'Products',
        token: '',
      }),
    )
    expect(saved).toMatchObject({ ok: true, data: { test: { ok: true, resumed: true } } })
    const row = await db.constructorConnection.findUniqueOrThrow({ where: { id: conn.id } })
    expect(decryptSecret(row.tokenCiphertext!)).toBe(TOKEN)
    expect(row.apiKey).toBe('k2')
  })

  it('refuses addresses with credentials or a query, with a message for the field', async () => {
    const conn = await pausedConnection()
    const result = await runAs(signedIn(admin), () =>
      saveConnectionAction({
        connectionId: conn.id,
        baseUrl: 'https://user:pw@ac.cnstrc.com/?key=x',
        apiKey: 'k',
        section: 'Products',
      }),
    )
    expect(result).toMatchObject({
      ok: false,
      fieldErrors: { baseUrl: [expect.stringContaining('address only')] },
    })
  })

  it('the settings query never selects the token', async () => {
    const caller = await runAs(signedIn(admin), async () => (await import('@/lib/auth/caller')).getCaller())
    const view = await getConnectionForSettings(caller!)
    expect(view).not.toHaveProperty('tokenCiphertext')
    expect(JSON.stringify(view)).not.toContain('v1.')
  })
})

describe('the catalog check setting', () => {
  it('holds by default, is changed by an admin only, and a new index key forgets the cached catalog', async () => {
    const conn = await pausedConnection()
    expect(conn.holdUnknownItems).toBe(true)
    const saved = await runAs(signedIn(admin), () =>
      saveCatalogCheckAction({ connectionId: conn.id, holdUnknownItems: false }),
    )
    expect(saved).toEqual({ ok: true, data: { holdUnknownItems: false } })
    expect(
      (await db.constructorConnection.findUniqueOrThrow({ where: { id: conn.id } })).holdUnknownItems,
    ).toBe(false)
    const manager = await makeUser({ role: 'MANAGER' })
    const refused = await runAs(signedIn(manager), () =>
      saveCatalogCheckAction({ connectionId: conn.id, holdUnknownItems: true }),
    )
    expect(refused.ok).toBe(false)

    await db.catalogItemCache.create({ data: { connectionId: conn.id, itemId: 'SKU-1', known: true } })
    await runAs(signedIn(admin), () =>
      saveConnectionAction({
        connectionId: conn.id,
        baseUrl: sandbox.url,
        apiKey: 'other-key',
        section: 'Products',
      }),
    )
    expect(await db.catalogItemCache.count({ where: { connectionId: conn.id } })).toBe(0)
  })
})
