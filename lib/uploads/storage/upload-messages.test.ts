import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { loadCaller } from '@/lib/auth/caller'
import { makeStore, makeUser, uniq } from '@/lib/auth/test-fixtures'
import { sessionFor } from '@/lib/auth/testing'
import { closeDbPool, db, dbPool } from '@/lib/db'
import { waitFor } from '@/lib/submission/testing'
import { commitUpload, type IngestStore, previewUpload, SAME_FILE_JUST_STORED_MESSAGE } from './ingest'
import { previewErrorMessage } from './preview-run'
import { receiveUpload } from './receive'

vi.mock('server-only', () => ({}))

// What a manager reads when the upload path refuses a file or loses a race: one clear sentence each.
const NOW = new Date('2026-03-10T12:00:00Z')
const HEADER = 'order_id,occurred_at,store_code,item_id,unit_price,quantity'

type Store = Awaited<ReturnType<typeof makeStore>>
let manager: Awaited<ReturnType<typeof makeUser>>
let store: Store
let stores: IngestStore[]

beforeAll(async () => {
  store = await makeStore({ code: `MSG-${uniq()}` })
  manager = await makeUser({ storeIds: [store.id] })
  stores = [
    {
      id: store.id,
      code: store.code,
      timeZone: store.timeZone,
      latitude: store.latitude,
      longitude: store.longitude,
    },
  ]
})
afterAll(async () => {
  await closeDbPool()
})

async function receive(bytes: Buffer) {
  const caller = await loadCaller(sessionFor(manager))
  return receiveUpload({
    caller,
    storeId: store.id,
    fileName: 'sales.csv',
    contentLength: null,
    body: (async function* () {
      for (let i = 0; i < bytes.length; i += 100) yield bytes.subarray(i, i + 100)
    })(),
    ip: '127.0.0.1',
  })
}

async function upload(text: string) {
  const outcome = await receive(Buffer.from(text))
  if (!outcome.ok) throw new Error(outcome.error)
  return outcome.uploadId
}

async function preview(uploadId: string) {
  const u = await db.upload.findUniqueOrThrow({ where: { id: uploadId } })
  return previewUpload({
    uploadId,
    sizeBytes: Number(u.sizeBytes),
    sha256: u.sha256,
    storeId: u.storeId,
    stores,
    defaultStoreCode: store.code,
    settings: {},
    now: NOW,
  })
}

const commit = (uploadId: string) =>
  commitUpload({
    uploadId,
    actor: { userId: manager.id, email: manager.email },
    stores,
    defaultStoreCode: store.code,
    now: NOW,
  })

describe('a file refused for one of its rows', () => {
  it('names the row once, on the upload and in the check’s message', async () => {
    const uploadId = await upload(
      `${HEADER}\n1,2026-03-02,${store.code},A,1,1\n2,2026-03-02,${store.code},${'x'.repeat(70_000)},1,1\n`,
    )
    const message =
      'Row 3 is longer than 65,536 characters, which a sales row never is. Check that this is the sales export; if a cell really holds that much text, shorten it.'
    const error = await preview(uploadId).then(
      () => null,
      (e: unknown) => e,
    )
    expect(previewErrorMessage(error)).toBe(message)
    expect(await db.upload.findUniqueOrThrow({ where: { id: uploadId } })).toMatchObject({
      status: 'FAILED',
      errorMessage: message,
    })
  })
})

describe('files the upload path refuses, through receiving and the stored check', () => {
  const row = (n: number) => `${n},2026-03-02,${'{store}'},A,1,1\n`
  const refusals: [string, () => string | Buffer, string][] = [
    [
      'binary data',
      () => Buffer.from(`${HEADER}\n${row(1)}\u0000\u0001\u0002`, 'latin1'),
      "This file contains binary data (first at line 3), so it isn't a CSV text file. Upload the CSV export of your sales, not a workbook, image or database file.",
    ],
    [
      'a 5 MB line',
      () => `${HEADER}\n${row(1)}2,2026-03-02,${'{store}'},${'x'.repeat(5 * 1024 * 1024)},1,1\n`,
      'Row 3 is longer than 65,536 characters, which a sales row never is. Check that this is the sales export; if a cell really holds that much text, shorten it.',
    ],
    [
      '10,000 columns',
      () =>
        `${HEADER}${Array.from({ length: 9_994 }, (_, i) => `,Extra column ${i + 1}`).join('')}\n${row(1)}`,
      'Row 1 is longer than 65,536 characters, which a sales row never is. Check that this is the sales export; if a cell really holds that much text, shorten it.',
    ],
    [
      'a quote never closed',
      () => `${HEADER}\n${row(1)}2,2026-03-02,${'{store}'},"Blue mug,1,1\n${row(3)}`,
      'Row 3 opens a quote (") that is never closed, so everything after it would be one cell. Close the quote, or remove it; a quote inside a cell is written twice ("").',
    ],
  ]

  it.each(refusals)('refuses %s with its message on the upload', async (_name, file, message) => {
    const content = file()
    const bytes =
      typeof content === 'string' ? Buffer.from(content.replaceAll('{store}', store.code)) : content
    const outcome = await receive(bytes)
    if (!outcome.ok) throw new Error(outcome.error)
    await expect(preview(outcome.uploadId)).rejects.toMatchObject({ message })
    expect(await db.upload.findUniqueOrThrow({ where: { id: outcome.uploadId } })).toMatchObject({
      status: 'FAILED',
      errorMessage: message,
    })
  })

  it('refuses an empty file when it is received', async () => {
    expect(await receive(Buffer.alloc(0))).toEqual({
      ok: false,
      status: 400,
      error: 'The file is empty. Export the sales from your till again and upload that file.',
    })
  })

  it('reads a file whose lines end in CR alone and whose last line ends in LF', async () => {
    const lines = [
      HEADER,
      ...[1, 2, 3].map((n) => `CR-${uniq()}-${n},2026-03-02 10:00,${store.code},A,1.00,1`),
    ]
    const uploadId = await upload(`${lines.join('\r')}\r\n`)
    const checked = await preview(uploadId)
    expect(checked.counts).toMatchObject({ events: 3, new: 3 })
    expect(checked.problemTotal).toBe(0)
  })
})

describe('the size limit', () => {
  it('takes a file of exactly UPLOAD_MAX_BYTES and refuses one byte more', async () => {
    const bytes = Buffer.from(`${HEADER}\n1,2026-03-02,${store.code},A,1,1\n`)
    process.env.UPLOAD_MAX_BYTES = String(bytes.length - 1)
    try {
      expect(await receive(bytes)).toEqual({
        ok: false,
        status: 413,
        error: `The file is larger than ${bytes.length - 1} bytes, the most this site accepts. Export a shorter period (for example one day or one week) and upload each file.`,
      })
      process.env.UPLOAD_MAX_BYTES = String(bytes.length)
      expect(await receive(bytes)).toMatchObject({ ok: true, status: 201 })
    } finally {
      delete process.env.UPLOAD_MAX_BYTES
    }
  })
})

describe('the same file stored twice at the same moment', () => {
  it('stores it once, and tells the losing commit that another upload of this file was just stored', async () => {
    const rows = Array.from(
      { length: 50 },
      (_, i) => `SAME-${uniq()}-${i},2026-03-02 10:00,${store.code},A,1.00,1`,
    )
    const text = `${HEADER}\n${rows.join('\n')}\n`
    const first = await upload(text)
    const second = await upload(text)
    await preview(first)
    await preview(second)

    // both commits get past the check for a stored twin before either finishes: the audit table is held
    // until both wait on a lock (one on the audit table, the other on the first one's new sales)
    const pool = dbPool()
    const holder = await pool.connect()
    let results: PromiseSettledResult<Awaited<ReturnType<typeof commit>>>[]
    try {
      await holder.query('BEGIN')
      await holder.query('LOCK TABLE "AuditLog" IN EXCLUSIVE MODE')
      const both = Promise.allSettled([commit(first), commit(second)])
      await waitFor(
        async () =>
          (
            await pool.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM pg_stat_activity
               WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> $1`,
              [(await holder.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid],
            )
          ).rows[0]!.n,
        (n) => n >= 2,
        { timeoutMs: 60_000, what: 'both commits waiting on a lock' },
      )
      await holder.query('COMMIT')
      results = await both
    } finally {
      await holder.query('ROLLBACK').catch(() => {})
      holder.release()
    }

    const stored = results.filter((r) => r.status === 'fulfilled')
    expect(stored).toHaveLength(1)
    expect(stored[0]).toMatchObject({ value: { noOp: false, counts: { new: 50 } } })
    const lost = results.find((r) => r.status === 'rejected')
    expect(String(lost?.reason)).toContain(SAME_FILE_JUST_STORED_MESSAGE)
    expect(SAME_FILE_JUST_STORED_MESSAGE).toMatch(/^Another upload of this file was just stored/)

    const winner = stored[0]?.status === 'fulfilled' ? stored[0].value.uploadId : ''
    const loser = winner === first ? second : first
    // storing failed with the reason on the upload, and it can be tried again (transitions.ts: COMMIT_FAILED)
    expect(await db.upload.findUniqueOrThrow({ where: { id: loser } })).toMatchObject({
      status: 'COMMIT_FAILED',
      errorMessage: SAME_FILE_JUST_STORED_MESSAGE,
    })
    expect(await db.saleEvent.count({ where: { storeId: store.id, orderId: { startsWith: 'SAME-' } } })).toBe(
      50,
    )
    // storing the loser again is the ordinary "already stored" no-op
    expect(await commit(loser)).toMatchObject({ noOp: true })
    expect(await db.upload.findUniqueOrThrow({ where: { id: loser } })).toMatchObject({ status: 'COMMITTED' })
  })
})
