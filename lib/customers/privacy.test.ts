import { execFileSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { loadCaller } from '@/lib/auth/caller'
import { makeStore, makeUser, signedIn } from '@/lib/auth/test-fixtures'
import { runAs } from '@/lib/auth/testing'
import { saveCustomerIdPolicyAction } from '@/lib/connection/actions'
import { readReceivedRecords } from '@/lib/constructor/sandbox/server'
import { startTestSandbox, type TestSandbox } from '@/lib/constructor/testing/sandbox'
import { createPrismaClient } from '@/lib/db'
import type { PrismaClient } from '@/lib/generated/prisma/client'
import { submitEvents } from '@/lib/submission/submit'
import { createConnection, createStore, seedReadyEvents, waitFor } from '@/lib/submission/testing'
import { startSubmissionWorker } from '@/lib/submission/worker'
import { getIngestStores } from '@/lib/uploads/queries'
import { commitUpload, previewUpload } from '@/lib/uploads/storage/ingest'
import { receiveUpload } from '@/lib/uploads/storage/receive'

// Customers' emails and phone numbers, as a Shopify export carries them, submitted through the real worker to
// the sandbox: what the receiving end sees is checked against the documented formula computed by openssl.
const url = inject('databaseUrl')
let prisma: PrismaClient
let c: pg.Client
let sandbox: TestSandbox
let connectionId: string
let stop: () => Promise<void>

const CUSTOMERS = ['Jane.Doe@Example.com', 'jane.doe@example.com', '+49 151 1234 5678', 'LOYAL-00042']
const EMAIL_OR_PHONE = /@|\+?49\s?151|15112345678/i

const openssl = (value: string, secret: string) =>
  execFileSync('openssl', ['dgst', '-sha256', '-hmac', secret], { input: value, encoding: 'utf8' })
    .trim()
    .split(/\s+/)
    .pop()

beforeAll(async () => {
  prisma = createPrismaClient(url)
  c = new pg.Client({ connectionString: url })
  await c.connect()
  sandbox = await startTestSandbox()
  connectionId = await createConnection(c, { baseUrl: sandbox.url, token: sandbox.token })
  const w = await startSubmissionWorker({
    databaseUrl: url,
    config: { concurrency: 4, sweepMs: 300, heartbeatMs: 200 },
    log: () => {},
  })
  stop = () => w.stop()
})
afterAll(async () => {
  await stop?.()
  await sandbox?.dispose()
  await c?.end()
  await prisma?.$disconnect()
})

/** a store's sales with these customer ids, submitted and sent; returns the `ui` of each request in order */
async function submitWithCustomers(code: string) {
  const storeId = await createStore(c, code)
  await seedReadyEvents(c, storeId, CUSTOMERS.length, { orderPrefix: `${code}-` })
  await c.query(
    `UPDATE "SaleEvent" e SET "customerId" = ($2::text[])[n.i]
       FROM (SELECT id, row_number() OVER (ORDER BY "orderId") AS i FROM "SaleEvent" WHERE "storeId" = $1) n
      WHERE e.id = n.id`,
    [storeId, CUSTOMERS],
  )
  const admin = { userId: randomUUID(), role: 'ADMIN' as const, storeIds: [], allStores: true }
  await submitEvents(admin, { scope: 'all', connectionId }, { db: prisma })
  await waitFor(
    async () =>
      (await c.query(`SELECT 1 FROM "SaleEvent" WHERE "storeId" = $1 AND status <> 'SUBMITTED'`, [storeId]))
        .rowCount,
    (n) => n === 0,
    { timeoutMs: 30_000, what: 'the sales to be submitted' },
  )
  const received = (await readReceivedRecords(sandbox.dataDir))
    .map((r) => (r.action as { data: { order_id: string; ui?: string } }).data)
    .filter((d) => d.order_id.startsWith(`${code}-`))
    .sort((a, b) => a.order_id.localeCompare(b.order_id))
  return received.map((d) => d.ui ?? null)
}

describe('customer ids on the wire', () => {
  it('with no secret, no email address or phone number reaches the receiving end; ids do', async () => {
    const sent = await submitWithCustomers(`PRIV-A-${randomUUID().slice(0, 4)}`)
    expect(sent).toHaveLength(CUSTOMERS.length)
    for (const ui of sent) if (ui) expect(ui).not.toMatch(EMAIL_OR_PHONE)
    expect(sent).toEqual([null, null, null, 'LOYAL-00042'])
  })

  it('with a secret, the receiving end sees the documented HMAC: the same across uploads and letter case', async () => {
    const admin = await makeUser({ role: 'ADMIN' })
    const secret = 'shared-with-the-web-team-7c1e0f'
    const saved = await runAs(signedIn(admin), () =>
      saveCustomerIdPolicyAction({ connectionId, policy: 'AS_IS', secret }),
    )
    expect(saved.ok).toBe(true)
    await new Promise((r) => setTimeout(r, 1_100)) // the worker re-reads connection settings within a second
    const first = await submitWithCustomers(`PRIV-B-${randomUUID().slice(0, 4)}`)
    const second = await submitWithCustomers(`PRIV-C-${randomUUID().slice(0, 4)}`)
    const email = openssl('jane.doe@example.com', secret)
    const phone = openssl('+4915112345678', secret)
    expect(first).toEqual([email, email, phone, 'LOYAL-00042'])
    expect(second).toEqual(first)
    for (const ui of [...first, ...second]) expect(ui).not.toMatch(EMAIL_OR_PHONE)
  })

  it('a Shopify POS export whose customer column holds email addresses: none of them reaches the receiving end', async () => {
    const admin = await makeUser({ role: 'ADMIN' })
    await runAs(signedIn(admin), () =>
      saveCustomerIdPolicyAction({ connectionId, policy: 'AS_IS', clearSecret: true }),
    )
    await new Promise((r) => setTimeout(r, 1_100)) // the worker re-reads connection settings within a second
    const store = await makeStore({ code: `PRIV-S-${randomUUID().slice(0, 4)}` })
    const manager = await makeUser({ storeIds: [store.id] })
    const caller = await loadCaller(signedIn(manager))
    if (!caller) throw new Error('no caller')
    // the till's shop names as this store's code; the manager maps Email to the customer id by hand
    const text = fs
      .readFileSync(path.join(import.meta.dirname, '../uploads/__fixtures__/shopify-pos-orders.csv'), 'utf8')
      .replaceAll('Brooklyn Flagship', store.code)
      .replaceAll('Williamsburg Pop-Up', store.code)
    const bytes = Buffer.from(text)
    const received = await receiveUpload({
      caller,
      storeId: store.id,
      fileName: 'orders_export.csv',
      contentLength: bytes.length,
      body: [bytes],
      ip: '127.0.0.1',
    })
    if (!received.ok) throw new Error(received.error)
    const upload = await prisma.upload.findUniqueOrThrow({ where: { id: received.uploadId } })
    const stores = await getIngestStores(caller)
    await previewUpload({
      uploadId: upload.id,
      sizeBytes: Number(upload.sizeBytes),
      sha256: upload.sha256,
      storeId: store.id,
      stores,
      defaultStoreCode: store.code,
      settings: { mapping: { customerId: 'Email' } },
    })
    await commitUpload({
      uploadId: upload.id,
      actor: { userId: manager.id, email: manager.email },
      stores,
      defaultStoreCode: store.code,
    })
    const stored = await prisma.saleEvent.findMany({ where: { storeId: store.id, status: 'READY' } })
    // managers own their data: the emails are stored as the file has them
    expect(stored.filter((e) => e.customerId?.includes('@')).length).toBeGreaterThan(0)
    await submitEvents(
      { userId: manager.id, role: 'MANAGER', storeIds: [store.id], allStores: false },
      { scope: 'all', connectionId },
      { db: prisma },
    )
    await waitFor(
      async () =>
        (
          await c.query(`SELECT 1 FROM "SaleEvent" WHERE "storeId" = $1 AND status IN ('READY', 'QUEUED')`, [
            store.id,
          ])
        ).rowCount,
      (n) => n === 0,
      { timeoutMs: 30_000, what: 'the sales to be sent' },
    )
    const orders = new Set(stored.map((e) => e.orderId))
    const sent = (await readReceivedRecords(sandbox.dataDir))
      .map((r) => (r.action as { data: { order_id: string; ui?: string } }).data)
      .filter((d) => orders.has(d.order_id))
    expect(sent.length).toBeGreaterThanOrEqual(stored.length)
    expect(JSON.stringify(sent)).not.toMatch(/@example\.com/)
    expect(sent.filter((d) => d.ui !== undefined)).toEqual([])
  })
})
