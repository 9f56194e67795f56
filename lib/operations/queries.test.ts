import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { GET as health } from '@/app/api/health/route'
import { type Caller, loadCaller } from '@/lib/auth/caller'
import { makeStore, makeUser, uniq } from '@/lib/auth/test-fixtures'
import { sessionFor } from '@/lib/auth/testing'
import { db } from '@/lib/db'
import { getOperations, getPipelineHealth } from '@/lib/operations/queries'
import { SEND_BATCH_TASK } from '@/lib/submission/queue'

vi.mock('server-only', () => ({}))

let admin: Caller
let manager: Caller
const workerId = `ops-test:${uniq()}`
const jobKey = `ops-test:${randomUUID()}`

beforeAll(async () => {
  const store = await makeStore({ code: `OPS-${uniq()}` })
  admin = (await loadCaller(sessionFor(await makeUser({ role: 'ADMIN' })))) as Caller
  manager = (await loadCaller(sessionFor(await makeUser({ storeIds: [store.id] })))) as Caller
  await db.workerHeartbeat.create({
    data: { id: workerId, host: 'ops-test-host', pid: 4242, startedAt: new Date(), seenAt: new Date() },
  })
  // a job nobody will run for a day: it counts in the depth without being taken by another file's worker
  await db.$executeRawUnsafe(
    `SELECT graphile_worker.add_job($1, json_build_object('batchId', $2::text, 'connectionId', $2::text),
       run_at := now() + interval '1 day', job_key := $3)`,
    SEND_BATCH_TASK,
    randomUUID(),
    jobKey,
  )
  return async () => {
    await db.$executeRawUnsafe('SELECT graphile_worker.remove_job($1)', jobKey)
    await db.workerHeartbeat.deleteMany({ where: { id: workerId } })
  }
})

describe('operations', () => {
  it('is for admins only', async () => {
    expect(await getOperations(manager)).toBeNull()
  })

  it('shows the queue, the workers and the connection state', async () => {
    const ops = await getOperations(admin)
    expect(ops?.queue.depth).toBeGreaterThanOrEqual(1)
    expect(ops?.queue.oldestCreatedAt).toBeInstanceOf(Date)
    expect(ops?.workers.find((w) => w.id === workerId)).toMatchObject({ host: 'ops-test-host', alive: true })
    expect(Array.isArray(ops?.connections)).toBe(true)
    for (const c of ops?.connections ?? []) expect(c).not.toHaveProperty('tokenCiphertext')
  })

  it('shows the uploads waiting and running in each lane, and the files waiting in the database', async () => {
    const store = await makeStore({ code: `OPSU-${uniq()}` })
    const hourAgo = new Date(Date.now() - 3_600_000)
    const upload = (status: 'PARSING' | 'COMMITTING', lane: string, started: boolean) =>
      db.upload.create({
        data: {
          fileName: 'ops.csv',
          sizeBytes: 3n * 1024n * 1024n,
          sha256: '0'.repeat(64),
          storeId: store.id,
          status,
          jobToken: randomUUID(),
          jobLane: lane,
          jobQueuedAt: hourAgo,
          jobStartedAt: started ? new Date() : null,
        },
      })
    await upload('PARSING', 'small', false)
    await upload('COMMITTING', 'small', false)
    const running = await upload('PARSING', 'large', true)
    await db.uploadFileChunk.create({
      data: { uploadId: running.id, seq: 0, data: Buffer.from('order_id\n') },
    })
    const ops = await getOperations(admin)
    expect(ops?.uploads.small.waiting).toBeGreaterThanOrEqual(2)
    expect(ops?.uploads.small.oldestWaiting?.getTime()).toBeLessThanOrEqual(hourAgo.getTime())
    expect(ops?.uploads.large.running).toBeGreaterThanOrEqual(1)
    expect(ops?.uploads.filesWaiting).toBeGreaterThanOrEqual(1)
    expect(ops?.uploads.fileBytes).toBeGreaterThanOrEqual(3 * 1024 * 1024)
  })

  it('GET /api/health reports the queue and the workers, and no data', async () => {
    const res = await health()
    expect(res.status).toBe(200)
    const body = (await res.json()) as Record<string, unknown>
    expect(body).toMatchObject({ database: { status: 'up' } })
    const pipeline = await getPipelineHealth()
    expect((body.workers as { alive: number }).alive).toBeGreaterThanOrEqual(1)
    expect((body.queue as { depth: number }).depth).toBeGreaterThanOrEqual(1)
    expect(Object.keys(body).sort()).toEqual(['database', 'problems', 'queue', 'status', 'workers'])
    expect(Object.keys(pipeline.queue).sort()).toEqual(['depth', 'oldestReadyAgeSeconds', 'ready', 'running'])
  })
})
