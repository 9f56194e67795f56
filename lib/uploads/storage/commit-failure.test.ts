import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { makeStore, makeUser, uniq } from '@/lib/auth/test-fixtures'
import { runAs, sessionFor } from '@/lib/auth/testing'
import { closeDbPool, db, dbPool } from '@/lib/db'
import { logger } from '@/lib/log'
import { commitUploadAction } from '../actions'
import { runQueuedUploadJob } from '../jobs/testing'
import { STORE_FAILED_MESSAGE } from './ingest'
import { makeUpload } from './testing'

vi.mock('server-only', () => ({}))

// A commit that fails for a reason nobody expected (here a real CHECK constraint the rows break): the manager
// reads what happened on the upload and can try again, the upload says "failed", and the server log has the upload
// id and the database's error, never the rows' contents. Storing is a queued job: the action queues it, and the
// job (run here as a worker would) fails.

afterAll(async () => {
  await closeDbPool()
})

let store: Awaited<ReturnType<typeof makeStore>>
let manager: Awaited<ReturnType<typeof makeUser>>
beforeAll(async () => {
  store = await makeStore({ code: `CF-${uniq()}` })
  manager = await makeUser({ storeIds: [store.id] })
})

/** what pino would write for these arguments: Errors through its own serializer, as the real logger does */
function written(args: unknown[]) {
  return JSON.stringify(args, (_k, v) => (v instanceof Error ? pino.stdSerializers.err(v) : v))
}

describe('a commit that fails for an unexpected reason', () => {
  it('leaves the upload failed with a message the manager understands, logs the id and the error, not the rows, and can be tried again', async () => {
    const customer = `CUST-SECRET-${uniq()}`
    const item = `ITEM-SECRET-${uniq()}`
    const order = `ORD-SECRET-${uniq()}`
    const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
    const csv = `order_id,occurred_at,store_code,customer_id,kind,item_id,item_name,unit_price,quantity\n${order},${day} 10:00,${store.code},${customer},purchase,${item},Mug,12.50,1\n`
    const uploadId = await makeUpload({ store, uploaderId: manager.id, csv })
    const constraint = `test_refuse_${uniq().replace(/-/g, '')}`
    const pool = dbPool()
    await pool.query(
      `ALTER TABLE "SaleEvent" ADD CONSTRAINT ${constraint} CHECK ("customerId" IS DISTINCT FROM '${customer}') NOT VALID`,
    )
    const errors = vi.spyOn(logger, 'error')
    let logged: unknown[][] = []
    const storeFile = async () => {
      const queued = await runAs(sessionFor(manager), () => commitUploadAction({ uploadId }))
      expect(queued).toMatchObject({ ok: true, data: { queued: true, alreadyStored: false } })
    }
    try {
      await storeFile()
      // the job ends failed, the reason on the upload for the manager (the queue does not run it again: nothing
      // would change), and the database's error in the log
      await expect(runQueuedUploadJob(uploadId)).resolves.toBe('failed')
      expect(await db.upload.findUniqueOrThrow({ where: { id: uploadId } })).toMatchObject({
        status: 'COMMIT_FAILED',
        errorMessage: STORE_FAILED_MESSAGE,
      })
      // twice: the second try fails the same way and is allowed to
      await storeFile()
      await expect(runQueuedUploadJob(uploadId)).resolves.toBe('failed')
    } finally {
      await pool.query(`ALTER TABLE "SaleEvent" DROP CONSTRAINT ${constraint}`)
      logged = [...errors.mock.calls]
      errors.mockRestore()
    }
    expect(await db.upload.findUniqueOrThrow({ where: { id: uploadId } })).toMatchObject({
      status: 'COMMIT_FAILED',
      errorMessage: STORE_FAILED_MESSAGE,
    })
    expect(await db.saleEvent.count({ where: { uploadId } })).toBe(0)

    // once per try: the commit logs the failed storing; the job, whose reason is on the upload, does not again
    const calls = logged.filter((c) => written(c).includes(uploadId))
    expect(calls.map((c) => c[1])).toEqual(['storing an upload failed', 'storing an upload failed'])
    for (const call of calls) {
      const line = written(call)
      expect(line).toContain(constraint)
      expect(line).toContain('23514')
      for (const secret of [customer, item, order, 'Mug', '12.50']) expect(line).not.toContain(secret)
    }

    // the manager tries again once the cause is gone
    await storeFile()
    await runQueuedUploadJob(uploadId)
    expect(await db.upload.findUniqueOrThrow({ where: { id: uploadId } })).toMatchObject({
      status: 'COMMITTED',
      errorMessage: null,
      eventCount: 1,
    })
    expect(await db.saleEvent.count({ where: { uploadId } })).toBe(1)
  })
})
