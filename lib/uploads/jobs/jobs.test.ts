import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadCaller } from '@/lib/auth/caller'
import { makeStore, makeUser, uniq } from '@/lib/auth/test-fixtures'
import { runAs, sessionFor } from '@/lib/auth/testing'
import { closeDbPool, db, dbPool } from '@/lib/db'
import { migrate } from '@/lib/db/migrate'
import { createScratchDatabase, type ScratchDatabase } from '@/lib/db/scratch'
import { ensureQueueSchema } from '@/lib/submission/queue'
import { waitFor } from '@/lib/submission/testing'
import { type SubmissionWorker, startSubmissionWorker } from '@/lib/submission/worker'
import { cancelUploadAction, commitUploadAction } from '../actions'
import { getUploadProgress } from '../queries'
import { writeUploadFile } from '../storage/files'
import type { UploadPreview } from '../storage/ingest'
import { TOO_LARGE_TO_READ_MESSAGE } from '../storage/ingest-read'
import { queuePreview } from '../storage/preview-run'
import { receiveUpload } from '../storage/receive'
import { makeUpload, oneOrderCsv } from '../storage/testing'
import { queueCheck, type UploadStatus } from '../transitions'
import { UPLOAD_JOB_KEY_SQL, UPLOAD_JOB_MAX_ATTEMPTS, UPLOAD_RETENTION_TASK } from './queue'
import { runUploadJob } from './run-job'
import { failLeftBehindUploads, removeExpiredUploadFiles } from './sweep'

// The upload's jobs as the web and the worker process run them: the page receives the file and queues its check
// (queuePreview) and its storing (commitUploadAction), a real worker (startSubmissionWorker, in this process) runs
// them, and cancel, a new check, the sweeps and the lanes act on them meanwhile. This file has a database of its own:
// other files start workers on the shared one, and those would take this file's jobs.
//
// A job is held at a chosen moment with a lock from a session of the test, not raced against the clock: an ACCESS
// EXCLUSIVE lock on "SaleEvent" stops a check at its lookup of stored sales, a row inserted and not committed stops a
// commit's COPY at that row's key, a lock on the upload's row stops a job before it starts. (The one pause, 600 ms,
// outlasts the 500 ms a job leaves between two progress notes.)

let scratch: ScratchDatabase
let url: string
type Store = Awaited<ReturnType<typeof makeStore>>
type User = Awaited<ReturnType<typeof makeUser>>
let store: Store
let manager: User

beforeAll(async () => {
  scratch = await createScratchDatabase('jobs')
  url = scratch.url
  await migrate(url)
  await ensureQueueSchema(url)
  // before anything opens the process's pool, so lib/db and the worker use this database
  process.env.DATABASE_URL = url
  // every write to an upload row, with the token it was written under: what a job wrote, and when it stopped
  await dbPool().query(`
    CREATE TABLE test_upload_writes (seq bigserial PRIMARY KEY, id uuid, status text, old_token uuid, new_token uuid,
      runs int, bytes bigint, rows int);
    CREATE FUNCTION test_upload_write() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
      INSERT INTO test_upload_writes (id, status, old_token, new_token, runs, bytes, rows)
      VALUES (NEW.id, NEW.status, OLD."jobToken", NEW."jobToken", NEW."jobRuns", NEW."progressBytes", NEW."progressRows");
      RETURN NEW; END $$;
    CREATE TRIGGER test_upload_write AFTER UPDATE ON "Upload" FOR EACH ROW EXECUTE FUNCTION test_upload_write();`)
  store = await makeStore({ code: `JOB-${uniq()}` })
  manager = await makeUser({ storeIds: [store.id] })
}, 120_000)

afterAll(async () => {
  await closeDbPool()
  await scratch?.close()
})

// ——— the web's side ———

async function callerOf(user: User) {
  const c = await loadCaller(sessionFor(user))
  if (!c) throw new Error('no caller')
  return c
}

const YESTERDAY = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)

/** `rows` one-line orders of our template; `pad` widens each row (a multi-MB file without more rows to parse) */
function salesCsv(rows: number, opts: { prefix?: string; occurredAt?: string; pad?: number } = {}) {
  const prefix = opts.prefix ?? `O${uniq()}`
  const at = opts.occurredAt ?? `${YESTERDAY} 10:00`
  const name = `Stoneware mug ${'x'.repeat(opts.pad ?? 0)}`
  const lines = ['order_id,occurred_at,store_code,kind,item_id,item_name,unit_price,quantity']
  for (let i = 0; i < rows; i++)
    lines.push(`${prefix}-${i},${at},${store.code},purchase,SKU-${i % 97},${name},12.50,1`)
  return Buffer.from(`${lines.join('\n')}\n`)
}

/** POST /api/uploads: the file arrives in 64 KB pieces, as a browser sends it */
async function receive(bytes: Buffer, user: User = manager) {
  const outcome = await receiveUpload({
    caller: await callerOf(user),
    storeId: store.id,
    fileName: 'sales.csv',
    contentLength: bytes.length,
    body: (function* () {
      for (let i = 0; i < bytes.length; i += 65_536) yield bytes.subarray(i, i + 65_536)
    })(),
    ip: '127.0.0.1',
  })
  if (!outcome.ok) throw new Error(outcome.error)
  return outcome.uploadId
}

/** POST /api/uploads/[id]/preview */
async function check(uploadId: string, input: Parameters<typeof queuePreview>[2] = {}, user = manager) {
  const queued = await queuePreview(await callerOf(user), uploadId, input, '127.0.0.1')
  expect(queued).toEqual({ ok: true, uploadId })
  return (await uploadRow(uploadId)).jobToken as string
}

async function commit(uploadId: string) {
  const r = await runAs(sessionFor(manager), () => commitUploadAction({ uploadId }), { ip: '127.0.0.1' })
  expect(r).toEqual({ ok: true, data: { uploadId, queued: true, alreadyStored: false } })
  return (await uploadRow(uploadId)).jobToken as string
}

async function cancel(uploadId: string) {
  const r = await runAs(sessionFor(manager), () => cancelUploadAction({ uploadId }), { ip: '127.0.0.1' })
  expect(r).toEqual({ ok: true, data: { uploadId } })
}

// ——— what the database holds ———

const uploadRow = (id: string) => db.upload.findUniqueOrThrow({ where: { id } })

async function count(sql: string, params: unknown[]) {
  const { rows } = await dbPool().query<{ n: number }>(`SELECT count(*)::int AS n FROM (${sql}) x`, params)
  return rows[0]?.n ?? 0
}

/** the upload's jobs in the queue, waiting, running or replaced */
const jobsOf = (id: string) =>
  count(`SELECT 1 FROM graphile_worker._private_jobs WHERE payload->>'uploadId' = $1`, [id])
const chunksOf = (id: string) => count(`SELECT 1 FROM "UploadFileChunk" WHERE "uploadId" = $1::uuid`, [id])
const eventsOf = (id: string) => count(`SELECT 1 FROM "SaleEvent" WHERE "uploadId" = $1::uuid`, [id])

async function writesOf(id: string) {
  const { rows } = await dbPool().query<{
    seq: string
    status: string
    old_token: string | null
    new_token: string | null
    runs: number
    bytes: string
    rows: number
  }>(`SELECT * FROM test_upload_writes WHERE id = $1::uuid ORDER BY seq`, [id])
  return rows.map((r) => ({ ...r, seq: Number(r.seq), bytes: Number(r.bytes) }))
}

/** the progress notes a job wrote under its token (its start resets them to 0) */
async function progressNotes(id: string, token: string) {
  return (await writesOf(id))
    .filter((w) => w.old_token === token && w.new_token === token && w.bytes > 0)
    .map((w) => ({ bytes: w.bytes, rows: w.rows }))
}

async function settled(id: string, statuses: string[], timeoutMs = 60_000) {
  return waitFor(
    () => uploadRow(id),
    (u) => statuses.includes(u.status),
    { timeoutMs, intervalMs: 50, what: `upload ${id} ${statuses.join('/')}` },
  )
}

/** the upload's jobs have all ended (done, stopped or failed): nothing more of them will run */
async function jobsEnded(id: string) {
  await waitFor(
    () => jobsOf(id),
    (n) => n === 0,
    { timeoutMs: 60_000, intervalMs: 50, what: `the jobs of upload ${id} to end` },
  )
}

// ——— the worker and the holds ———

async function withWorker<T>(fn: (w: SubmissionWorker) => Promise<T>, env: Record<string, string> = {}) {
  const w = await startSubmissionWorker({
    databaseUrl: url,
    // the sweep often, and a grace long enough that it never fails an upload whose job was just queued
    config: { heartbeatMs: 200, sweepMs: 200, staleMs: 10_000 },
    env,
    log: () => {},
  })
  try {
    return await fn(w)
  } finally {
    await w.stop()
  }
}

/** a session of the test that holds a lock until released; `blocking()` waits until a job waits for it */
async function hold(...statements: [string, unknown[]?][]) {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  await c.query('BEGIN')
  for (const [sql, params] of statements) await c.query(sql, params)
  const pid = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid
  let released = false
  return {
    /** waits until a statement like `what` waits for this session (the worker's sweep may wait for it as well) */
    async blocking(what: RegExp) {
      await waitFor(
        () =>
          dbPool().query<{ query: string }>(
            `SELECT query FROM pg_stat_activity WHERE $1::int = ANY(pg_blocking_pids(pid))`,
            [pid],
          ),
        (r) => r.rows.some((x) => what.test(x.query)),
        { timeoutMs: 60_000, intervalMs: 50, what: `a statement like ${what} to wait for the test's lock` },
      )
    },
    async release() {
      if (released) return
      released = true
      await c.query('ROLLBACK')
      await c.end()
    },
  }
}

/** a check stops at its first lookup of stored sales, a commit at its first lookup */
const holdSaleEvents = () => hold(['LOCK TABLE "SaleEvent" IN ACCESS EXCLUSIVE MODE'])
/** the lookup of stored sales (lookupExisting) */
const LOOKUP = /FROM unnest\(.*CROSS JOIN LATERAL/s

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('a file checked and stored by the worker', () => {
  it('checks and stores a multi-MB file in one run each, the progress on the upload row advancing', async () => {
    // 3 lookups' worth of orders, rows widened to 2 MB and more
    const bytes = salesCsv(12_000, { pad: 120 })
    expect(bytes.length).toBeGreaterThan(2 * 1024 * 1024)
    const id = await receive(bytes)
    expect(await uploadRow(id)).toMatchObject({ status: 'RECEIVED', sizeBytes: BigInt(bytes.length) })
    expect(await chunksOf(id)).toBe(3)

    await withWorker(async () => {
      for (const phase of ['check', 'commit'] as const) {
        // held once mid-way, past the 500 ms between two progress notes, so every machine sees a note before and after
        const lock = await holdSaleEvents()
        let token: string
        try {
          token = phase === 'check' ? await check(id) : await commit(id)
          await lock.blocking(LOOKUP)
          await waitFor(
            () => progressNotes(id, token),
            (n) => n.length > 0,
            { timeoutMs: 30_000, what: 'a progress note' },
          )
          await pause(600)
        } finally {
          await lock.release()
        }
        const u = await settled(id, [phase === 'check' ? 'PREVIEW' : 'COMMITTED'])
        expect(u).toMatchObject({ jobRuns: 1, errorMessage: null, jobToken: null })
        const notes = await progressNotes(id, token)
        expect(notes.length).toBeGreaterThanOrEqual(2)
        for (let i = 1; i < notes.length; i++) {
          expect(notes[i]?.bytes).toBeGreaterThanOrEqual(notes[i - 1]?.bytes ?? 0)
          expect(notes[i]?.rows).toBeGreaterThanOrEqual(notes[i - 1]?.rows ?? 0)
        }
        const first = notes[0] ?? { bytes: 0, rows: 0 }
        const last = notes.at(-1) ?? { bytes: 0, rows: 0 }
        expect(last.bytes).toBeGreaterThan(first.bytes)
        expect(last.rows).toBeGreaterThan(first.rows)
        expect(last.bytes).toBeLessThanOrEqual(bytes.length)
        expect(Number(u.progressBytes)).toBe(last.bytes)
      }
    })

    const stored = await uploadRow(id)
    expect(stored).toMatchObject({
      status: 'COMMITTED',
      rowCount: 12_000,
      eventCount: 12_000,
      validEventCount: 12_000,
    })
    expect(await eventsOf(id)).toBe(12_000)
    expect(await chunksOf(id)).toBe(0)
    expect(await jobsOf(id)).toBe(0)
    expect(await db.auditLog.count({ where: { entityId: id, action: 'upload.committed' } })).toBe(1)
  }, 180_000)
})

describe('cancel, at any moment before the file is stored', () => {
  it('a check or a commit still waiting for a worker: its job is removed, the upload CANCELLED, its file deleted', async () => {
    // no worker runs yet
    const checking = await receive(salesCsv(10))
    await check(checking)
    const storing = await makeUpload({
      store,
      uploaderId: manager.id,
      csv: oneOrderCsv(store.code, `Q${uniq()}`),
    })
    await commit(storing)
    for (const [id, status] of [
      [checking, 'PARSING'],
      [storing, 'COMMITTING'],
    ] as const) {
      expect(await uploadRow(id)).toMatchObject({ status, jobStartedAt: null })
      expect(await jobsOf(id)).toBe(1)
      expect(await chunksOf(id)).toBe(1)
      await cancel(id)
      expect(await uploadRow(id)).toMatchObject({ status: 'CANCELLED', jobToken: null })
      expect(await jobsOf(id)).toBe(0)
      expect(await chunksOf(id)).toBe(0)
      expect(await db.auditLog.count({ where: { entityId: id, action: 'upload.cancelled' } })).toBe(1)
    }
  })

  it('a check that is running stops and writes nothing; the worker goes on to the next file', async () => {
    const id = await receive(salesCsv(200))
    await withWorker(async () => {
      const lock = await holdSaleEvents()
      let cancelledAt: number
      try {
        const token = await check(id)
        await lock.blocking(LOOKUP)
        expect(await uploadRow(id)).toMatchObject({ status: 'PARSING', jobRuns: 1, jobToken: token })
        await cancel(id)
        cancelledAt = (await writesOf(id)).at(-1)?.seq ?? 0
      } finally {
        await lock.release()
      }
      await jobsEnded(id)
      const u = await uploadRow(id)
      expect(u).toMatchObject({ status: 'CANCELLED', parsedAt: null, errorMessage: null })
      expect(u.preview).toBeNull()
      // not a progress note, not a result: every write of the stopped job found its token gone
      expect((await writesOf(id)).filter((w) => w.seq > cancelledAt)).toEqual([])
      expect(await chunksOf(id)).toBe(0)

      const next = await receive(salesCsv(5))
      await check(next)
      expect(await settled(next, ['PREVIEW', 'FAILED'])).toMatchObject({ status: 'PREVIEW', eventCount: 5 })
    })
  }, 120_000)

  it('a commit that is running rolls back: no sale of the file is stored, the upload stays CANCELLED', async () => {
    // two lookups' worth: the first 5,000 sales are written in the commit's transaction before it waits for the last
    const prefix = `C${uniq()}`
    const id = await receive(salesCsv(6_000, { prefix }))
    await withWorker(async () => {
      await check(id)
      expect(await settled(id, ['PREVIEW', 'FAILED'])).toMatchObject({ status: 'PREVIEW', eventCount: 6_000 })
      // the file's last order, inserted by the test and not committed: the commit's COPY waits at that key
      const lock = await hold([
        `INSERT INTO "SaleEvent" (id, kind, "storeId", "orderId", "occurredAt", status, "itemCount", "itemsTotal", "updatedAt")
         VALUES (gen_random_uuid(), 'PURCHASE', $1::uuid, $2, now(), 'READY', 1, 12.5, now())`,
        [store.id, `${prefix}-5999`],
      ])
      try {
        await commit(id)
        await lock.blocking(/^COPY "SaleEvent"/)
        expect(await uploadRow(id)).toMatchObject({ status: 'COMMITTING', jobRuns: 1 })
        await cancel(id)
      } finally {
        await lock.release()
      }
      await jobsEnded(id)
    })
    expect(await uploadRow(id)).toMatchObject({ status: 'CANCELLED', committedAt: null })
    expect(await eventsOf(id)).toBe(0)
    expect(
      await count(`SELECT 1 FROM "SaleEvent" WHERE "storeId" = $1::uuid AND "orderId" LIKE $2`, [
        store.id,
        `${prefix}-%`,
      ]),
    ).toBe(0)
    expect(await db.uploadRowIssue.count({ where: { uploadId: id } })).toBe(0)
    expect(await db.auditLog.count({ where: { entityId: id, action: 'upload.committed' } })).toBe(0)
    expect(await chunksOf(id)).toBe(0)
  }, 120_000)
})

describe('checking again', () => {
  // 03/04: the 3rd of April read day first, the 4th of March read month first
  const ambiguous = () => salesCsv(50, { occurredAt: '03/04/2026 10:00' })
  const settingsOf = async (id: string) => ((await uploadRow(id)).preview as UploadPreview | null)?.settings

  it('replaces the check still waiting: one job, the newer settings', async () => {
    const id = await receive(ambiguous())
    await check(id, { dateOrder: 'MDY' })
    const token = await check(id, { dateOrder: 'DMY' })
    expect(await jobsOf(id)).toBe(1)
    await withWorker(async () => {
      await settled(id, ['PREVIEW', 'FAILED'])
      await jobsEnded(id)
    })
    const u = await uploadRow(id)
    expect(u).toMatchObject({ status: 'PREVIEW', dateOrder: 'DMY', jobRuns: 1 })
    expect(await settingsOf(id)).toMatchObject({ dateOrder: 'DMY' })
    expect((await writesOf(id)).filter((w) => w.status === 'PREVIEW').map((w) => w.old_token)).toEqual([
      token,
    ])
  }, 60_000)

  it('replaces the check that is running: the old one writes nothing more, the preview has the newer settings', async () => {
    // two lookups' worth of orders: the old check notes its progress again once it is let go
    const id = await receive(salesCsv(10_000, { occurredAt: '03/04/2026 10:00' }))
    await withWorker(async () => {
      const lock = await holdSaleEvents()
      let replacedAt: number
      let token: string
      try {
        await check(id, { dateOrder: 'MDY' })
        await lock.blocking(LOOKUP)
        expect(await uploadRow(id)).toMatchObject({ status: 'PARSING', jobRuns: 1 })
        token = await check(id, { dateOrder: 'DMY' })
        replacedAt = (await writesOf(id)).at(-1)?.seq ?? 0
        // past the 500 ms between two progress notes: the old check tries to note its progress when let go
        await pause(600)
      } finally {
        await lock.release()
      }
      await settled(id, ['PREVIEW', 'FAILED'])
      await jobsEnded(id)
      // both wait in the small lane, which has one slot: until the new check starts, a write would be the old one's
      const after = await writesOf(id)
      expect(after.filter((w) => w.seq > replacedAt)[0]).toMatchObject({
        status: 'PARSING',
        old_token: token,
        new_token: token,
        runs: 1,
        bytes: 0,
      })
    })
    expect(await uploadRow(id)).toMatchObject({
      status: 'PREVIEW',
      dateOrder: 'DMY',
      jobRuns: 1,
      eventCount: 10_000,
    })
    expect(await settingsOf(id)).toMatchObject({ dateOrder: 'DMY' })
  }, 90_000)
})

describe('uploads whose job was lost', () => {
  const exhaust = (id: string) =>
    dbPool().query(
      `UPDATE graphile_worker._private_jobs SET attempts = max_attempts WHERE key = (SELECT ${UPLOAD_JOB_KEY_SQL} FROM "Upload" u WHERE u.id = $1::uuid)`,
      [id],
    )
  const removeJob = (id: string) =>
    dbPool().query(
      `SELECT graphile_worker.remove_job(${UPLOAD_JOB_KEY_SQL}) FROM "Upload" u WHERE u.id = $1::uuid`,
      [id],
    )

  it('fail with a reason once their job is gone or has used its attempts; a job still alive is spared', async () => {
    // no worker runs: the jobs stay as the test leaves them
    const exhausted = await receive(salesCsv(3))
    await check(exhausted)
    await exhaust(exhausted)
    const gone = await makeUpload({
      store,
      uploaderId: manager.id,
      csv: oneOrderCsv(store.code, `G${uniq()}`),
    })
    await commit(gone)
    await removeJob(gone)
    const alive = await receive(salesCsv(3))
    await check(alive)

    // just queued: spared by the grace, as an upload whose job is being added this instant
    expect(await failLeftBehindUploads(dbPool(), 60_000)).toBe(0)
    expect(await failLeftBehindUploads(dbPool(), 0)).toBe(2)
    expect(await uploadRow(exhausted)).toMatchObject({
      status: 'FAILED',
      jobToken: null,
      errorMessage: expect.stringContaining(`Checking this file stopped ${UPLOAD_JOB_MAX_ATTEMPTS} times`),
    })
    expect(await uploadRow(gone)).toMatchObject({
      status: 'COMMIT_FAILED',
      jobToken: null,
      errorMessage: expect.stringContaining(`Storing this file stopped ${UPLOAD_JOB_MAX_ATTEMPTS} times`),
    })
    // the used-up job is cleared away; the live one waits for a worker
    expect(await jobsOf(exhausted)).toBe(0)
    expect(await uploadRow(alive)).toMatchObject({ status: 'PARSING', errorMessage: null })
    expect(await jobsOf(alive)).toBe(1)
    // the person can try again
    await check(exhausted)
    await commit(gone)

    // the worker's own sweep does the same, every WORKER_SWEEP_MS past WORKER_STALE_MS; it runs the live jobs
    const lost = await makeUpload({
      store,
      uploaderId: manager.id,
      csv: oneOrderCsv(store.code, `L${uniq()}`),
    })
    await commit(lost)
    await removeJob(lost)
    const w = await startSubmissionWorker({
      databaseUrl: url,
      env: { WORKER_SWEEP_MS: '100', WORKER_STALE_MS: '300', WORKER_HEARTBEAT_MS: '100' },
      log: () => {},
    })
    try {
      expect(await settled(lost, ['COMMIT_FAILED'])).toMatchObject({
        errorMessage: expect.stringContaining(`Storing this file stopped ${UPLOAD_JOB_MAX_ATTEMPTS} times`),
      })
      expect(await settled(alive, ['PREVIEW', 'FAILED'])).toMatchObject({ status: 'PREVIEW' })
      expect(await settled(exhausted, ['PREVIEW', 'FAILED'])).toMatchObject({ status: 'PREVIEW' })
      expect(await settled(gone, ['COMMITTED', 'COMMIT_FAILED'])).toMatchObject({ status: 'COMMITTED' })
    } finally {
      await w.stop()
    }
  }, 90_000)
  it('spares a job running its last attempt: the sweep fails only jobs no worker holds', async () => {
    const id = await receive(salesCsv(200))
    await check(id)
    // four workers died running it: graphile-worker counted four attempts, the upload four starts
    await dbPool().query(
      `UPDATE graphile_worker._private_jobs SET attempts = max_attempts - 1 WHERE key = (SELECT ${UPLOAD_JOB_KEY_SQL} FROM "Upload" u WHERE u.id = $1::uuid)`,
      [id],
    )
    await dbPool().query(`UPDATE "Upload" SET "jobRuns" = $2 WHERE id = $1::uuid`, [
      id,
      UPLOAD_JOB_MAX_ATTEMPTS - 1,
    ])
    await withWorker(async () => {
      const lock = await holdSaleEvents()
      try {
        await lock.blocking(LOOKUP)
        // the fifth run is under way, its job locked at its last attempt
        expect(await uploadRow(id)).toMatchObject({ status: 'PARSING', jobRuns: UPLOAD_JOB_MAX_ATTEMPTS })
        expect(await failLeftBehindUploads(dbPool(), 0)).toBe(0)
        expect(await uploadRow(id)).toMatchObject({ status: 'PARSING', errorMessage: null })
      } finally {
        await lock.release()
      }
      expect(await settled(id, ['PREVIEW', 'FAILED'])).toMatchObject({ status: 'PREVIEW', eventCount: 200 })
      await jobsEnded(id)
    })
  }, 60_000)
})

describe('retention of files never stored', () => {
  /** an upload as it was left `age` ago (its last piece arriving `lastPiece` ago), with its file unless it was stored */
  async function leftBehind(status: UploadStatus, age: string, lastPiece = age) {
    const csv = oneOrderCsv(store.code, `R${uniq()}`)
    const id = randomUUID()
    await db.upload.create({
      data: {
        id,
        fileName: 'old.csv',
        sizeBytes: BigInt(csv.length),
        sha256: '0'.repeat(64),
        uploaderId: manager.id,
        storeId: store.id,
        status,
      },
    })
    if (status !== 'COMMITTED') await writeUploadFile(dbPool(), id, [Buffer.from(csv)], 10_000)
    await dbPool().query(`UPDATE "Upload" SET "createdAt" = now() - $2::interval WHERE id = $1::uuid`, [
      id,
      age,
    ])
    await dbPool().query(
      `UPDATE "UploadFileChunk" SET "writtenAt" = now() - $2::interval WHERE "uploadId" = $1::uuid`,
      [id, lastPiece],
    )
    return id
  }

  it('cancels uploads not stored within N days, and files that never arrived whole after an hour', async () => {
    const expired = await Promise.all(
      (['RECEIVED', 'PREVIEW', 'FAILED', 'COMMIT_FAILED'] as const).map((s) => leftBehind(s, '5 days')),
    )
    const halfArrived = await leftBehind('RECEIVING', '2 hours')
    const arriving = await leftBehind('RECEIVING', '10 minutes')
    // a large file on a slow line: begun two hours ago, its last piece a minute ago
    const slowlyArriving = await leftBehind('RECEIVING', '2 hours', '1 minute')
    const recent = await leftBehind('PREVIEW', '1 day')
    const stored = await leftBehind('COMMITTED', '5 days')
    const running = await leftBehind('PARSING', '5 days')

    expect(await removeExpiredUploadFiles(dbPool(), 3)).toBe(expired.length + 1)
    for (const id of expired) {
      expect(await uploadRow(id)).toMatchObject({
        status: 'CANCELLED',
        errorMessage:
          'This file was not stored within 3 days, so it was removed. Upload it again to store its sales.',
      })
      expect(await chunksOf(id)).toBe(0)
    }
    expect(await uploadRow(halfArrived)).toMatchObject({
      status: 'CANCELLED',
      errorMessage: 'The file did not arrive completely, so it was removed. Upload it again.',
    })
    expect(await chunksOf(halfArrived)).toBe(0)
    for (const [id, status] of [
      [arriving, 'RECEIVING'],
      [slowlyArriving, 'RECEIVING'],
      [recent, 'PREVIEW'],
      [stored, 'COMMITTED'],
      [running, 'PARSING'],
    ] as const) {
      expect(await uploadRow(id)).toMatchObject({ status, errorMessage: null })
      if (status !== 'COMMITTED') expect(await chunksOf(id)).toBe(1)
    }

    // the worker runs the same as its hourly task, with UPLOAD_RETENTION_DAYS
    const older = await leftBehind('PREVIEW', '3 days')
    await withWorker(
      async () => {
        await dbPool().query(`SELECT graphile_worker.add_job($1, '{}'::json)`, [UPLOAD_RETENTION_TASK])
        expect(await settled(older, ['CANCELLED'])).toMatchObject({
          errorMessage: expect.stringContaining('not stored within 2 days'),
        })
      },
      { UPLOAD_RETENTION_DAYS: '2' },
    )
    expect(await chunksOf(older)).toBe(0)
    expect(await uploadRow(recent)).toMatchObject({ status: 'PREVIEW' })
  }, 60_000)
})

describe('lanes', () => {
  it('a small file is checked while a large one holds the large lane; a large one waiting says how many are ahead', async () => {
    const small = process.env.UPLOAD_SMALL_BYTES
    process.env.UPLOAD_SMALL_BYTES = '1000'
    try {
      const first = await receive(salesCsv(40))
      const second = await receive(salesCsv(40))
      const little = await receive(Buffer.from(oneOrderCsv(store.code, `S${uniq()}`)))
      expect((await uploadRow(first)).sizeBytes).toBeGreaterThan(1000n)
      expect((await uploadRow(little)).sizeBytes).toBeLessThanOrEqual(1000n)
      const caller = await callerOf(manager)
      await check(first)
      // the first large job is held before it starts: its worker waits for the upload's row
      const lock = await hold([`SELECT 1 FROM "Upload" WHERE id = $1::uuid FOR UPDATE`, [first]])
      try {
        await withWorker(
          async () => {
            await lock.blocking(/"jobRuns" = "jobRuns" \+ 1/)
            await check(second)
            await check(little)
            expect(await settled(little, ['PREVIEW', 'FAILED'])).toMatchObject({
              status: 'PREVIEW',
              jobLane: 'small',
            })
            // one large slot, held: the second waits behind the first
            expect(await uploadRow(second)).toMatchObject({
              status: 'PARSING',
              jobLane: 'large',
              jobStartedAt: null,
            })
            expect(await getUploadProgress(caller, second)).toMatchObject({
              status: 'PARSING',
              started: false,
              ahead: 1,
            })
            expect(await getUploadProgress(caller, first)).toMatchObject({ status: 'PARSING', ahead: 0 })
            await lock.release()
            for (const id of [first, second])
              expect(await settled(id, ['PREVIEW', 'FAILED'])).toMatchObject({
                status: 'PREVIEW',
                jobRuns: 1,
              })
            expect(await getUploadProgress(caller, second)).toMatchObject({ status: 'PREVIEW', ahead: 0 })
          },
          { UPLOAD_JOB_CONCURRENCY: '1' },
        )
      } finally {
        await lock.release()
      }
    } finally {
      if (small === undefined) delete process.env.UPLOAD_SMALL_BYTES
      else process.env.UPLOAD_SMALL_BYTES = small
    }
  }, 60_000)
})

describe('a job that cannot run', () => {
  it('a file over the heap limit fails with a reason, and the worker goes on serving the next file', async () => {
    await withWorker(async () => {
      const id = await receive(salesCsv(200))
      // the check as queuePreview queues it, run as the worker's task runs it, with a heap limit the process is over
      const token = randomUUID()
      expect(await queueCheck(dbPool(), id, token, 'small')).toBe(true)
      const outcome = await runUploadJob(
        {
          uploadId: id,
          token,
          mode: 'preview',
          settings: {},
          userId: manager.id,
          email: manager.email,
          ip: null,
        },
        { pool: dbPool(), heapLimitBytes: 1 },
      )
      // returned, not thrown: the queue does not run it again
      expect(outcome).toBe('failed')
      expect(await uploadRow(id)).toMatchObject({
        status: 'FAILED',
        jobToken: null,
        errorMessage: TOO_LARGE_TO_READ_MESSAGE,
      })
      expect((await uploadRow(id)).errorMessage).toContain('too large to check in one go')

      const next = await receive(salesCsv(5))
      await check(next)
      expect(await settled(next, ['PREVIEW', 'FAILED'])).toMatchObject({ status: 'PREVIEW', eventCount: 5 })
      // and the refused file itself, checked again within the limit
      await check(id)
      expect(await settled(id, ['PREVIEW', 'FAILED'])).toMatchObject({ status: 'PREVIEW', eventCount: 200 })
    })
  }, 60_000)

  it('the person who uploaded the file lost access to its store before the job ran: FAILED with the reason', async () => {
    const person = await makeUser({ storeIds: [store.id] })
    const id = await receive(salesCsv(3), person)
    await check(id, {}, person)
    // no worker runs yet; then the person is taken off the store
    await db.storeMembership.deleteMany({ where: { userId: person.id, storeId: store.id } })
    await withWorker(async () => {
      expect(await settled(id, ['FAILED', 'PREVIEW'])).toMatchObject({
        status: 'FAILED',
        jobRuns: 1,
        errorMessage:
          'The person who uploaded this file can no longer upload for its store, so it was not checked or stored. Upload it again.',
      })
      await jobsEnded(id)
    })
    expect(await uploadRow(id)).toMatchObject({ preview: null, parsedAt: null })
  }, 60_000)
})
