import v8 from 'node:v8'
import { describe, expect, it } from 'vitest'
import { copyBinaryRows } from '@/lib/db/copy/testing'
import { isUploadFileError } from '../errors'
import type { ChunkRows } from './commit-rows'
import { type ReadJob, type ReadPort, readUpload, TOO_LARGE_TO_READ_MESSAGE } from './ingest-read'
import type { EventKeys, IngestProgress, IngestStore } from './ingest-rows'

// The reading side on its own (it runs in the upload's job, in the worker process): what it hands the database
// side, how progress and refusals come back, and what a file too big for the heap it may use turns into.

const NOW = new Date('2026-03-10T12:00:00Z')
const UPLOAD_ID = '0190b7b0-0000-7000-8000-0000000000aa'
const store: IngestStore = {
  id: '0190b7b0-0000-7000-8000-000000000001',
  code: 'BER-01',
  timeZone: 'Europe/Berlin',
  latitude: null,
  longitude: null,
}

/** a file of `orders` orders of two items each, in 1 MB pieces as the database hands it out (files.ts) */
function ordersFile(orders: number, extraLines: string[] = []): Buffer[] {
  const lines = ['order_id,occurred_at,store_code,item_id,item_name,unit_price,quantity']
  for (let o = 0; o < orders; o++)
    for (let i = 0; i < 2; i++) lines.push(`O-${o},2026-03-02 10:00,BER-01,SKU-${i},"Mug, size ${i}",12.50,1`)
  lines.push(...extraLines)
  const bytes = Buffer.from(`${lines.join('\n')}\n`)
  const pieces: Buffer[] = []
  for (let at = 0; at < bytes.length; at += 2 ** 20) pieces.push(bytes.subarray(at, at + 2 ** 20))
  return pieces
}

function job(pieces: Buffer[], mode: ReadJob['mode'], heapLimitBytes?: number): ReadJob {
  return {
    mode,
    source: pieces,
    sizeBytes: pieces.reduce((n, p) => n + p.length, 0),
    stores: [store],
    settings: {},
    now: NOW.getTime(),
    ...(heapLimitBytes !== undefined && { heapLimitBytes }),
    ...(mode === 'commit' && { commit: { uploadId: UPLOAD_ID, userId: null, at: NOW.toISOString() } }),
  }
}

/** a database side that stores nothing and records what it was handed */
function recordingPort(overrides: Partial<ReadPort> = {}) {
  const asked: string[] = []
  const stored: ChunkRows[] = []
  const issues: Uint8Array[] = []
  const progress: IngestProgress[] = []
  const port: ReadPort = {
    lookup: async (keys: EventKeys) => {
      asked.push(...keys.orderIds)
      return []
    },
    store: async (rows) => {
      stored.push(rows)
    },
    rowIssues: async (text) => {
      issues.push(text)
    },
    progress: (p) => {
      progress.push(p)
    },
    ...overrides,
  }
  return { port, asked, stored, issues, progress }
}

describe('reading a stored file', () => {
  it('asks for every order once and hands over COPY rows for events, line items and row issues, with progress', async () => {
    const { port, asked, stored, issues, progress } = recordingPort()
    const read = await readUpload(
      job(ordersFile(12_000, ['X-1,2026-03-02 10:00,Nowhere Mall,SKU-9,Mug,12.50,1']), 'commit'),
      port,
    )
    expect(read.counts).toMatchObject({
      rows: 24_001,
      events: 12_000,
      lineItems: 24_000,
      new: 12_000,
      rowIssues: 1,
    })
    expect(new Set(asked).size).toBe(12_000)
    expect(asked).toHaveLength(12_000)
    const rows = (pick: (r: ChunkRows) => Uint8Array) => stored.flatMap((r) => copyBinaryRows(pick(r)))
    const events = rows((r) => r.newEvents)
    const lines = rows((r) => r.lines)
    expect(events).toHaveLength(12_000)
    expect(lines).toHaveLength(24_000)
    const [line] = lines
    expect(line?.[1]).toEqual(events[0]?.[0])
    expect(line?.[2]?.readInt32BE(0)).toBe(1)
    expect(line?.slice(3, 7).map((v) => v?.toString('utf8') ?? null)).toEqual([
      'PURCHASED',
      'SKU-0',
      'Mug, size 0',
      null,
    ])
    expect(line?.[8]?.readInt32BE(0)).toBe(1)
    // the row with a store nobody keeps: one UploadRowIssue row of this upload, at its row of the file
    const issueRows = Buffer.concat(issues).toString('utf8').trimEnd().split('\n')
    expect(issueRows).toHaveLength(1)
    expect(issueRows[0]?.split('\t').slice(1, 3)).toEqual([UPLOAD_ID, '24002'])
    expect(progress[0]?.phase).toBe('reading')
    expect(read.firstEvents).toEqual([])
  })

  it('a preview looks up without storing: counts, first events and problems come back instead', async () => {
    const { port, asked, stored, issues } = recordingPort()
    const read = await readUpload(
      job(ordersFile(50, ['X-1,2026-03-02 10:00,Nowhere Mall,SKU-9,Mug,12.50,1']), 'preview'),
      port,
    )
    expect(read.counts).toMatchObject({ events: 50, new: 50, rowIssues: 1 })
    expect(new Set(asked).size).toBe(50)
    expect(stored).toEqual([])
    expect(issues).toEqual([])
    expect(read.firstEvents.length).toBeGreaterThan(0)
    expect(read.problems).toMatchObject([{ row: 102, field: 'storeCode' }])
    expect(read.problemTotal).toBe(1)
  })

  it('passes a refusal back as an UploadFileError, with its row', async () => {
    const { port } = recordingPort()
    const file = Buffer.from(
      `order_id,occurred_at,store_code,item_id,unit_price,quantity\n1,2026-03-02,BER-01,A,1,1\n2,2026-03-02,BER-01,${'x'.repeat(70_000)},1,1\n`,
    )
    const refusal = await readUpload(job([file], 'preview'), port).catch((e) => e)
    expect(isUploadFileError(refusal)).toBe(true)
    expect(refusal).toMatchObject({ code: 'LINE_TOO_LONG', line: 3 })
  })

  it('refuses a file once the heap passes the limit the read may use, and reads it under a roomy one', async () => {
    const pieces = ordersFile(20_000)
    // a limit below what this process already uses: the first progress note finds the heap over it
    const small = recordingPort()
    const refusal = await readUpload(job(pieces, 'commit', 1024 * 1024), small.port).catch((e) => e)
    expect(isUploadFileError(refusal)).toBe(true)
    expect(refusal).toMatchObject({ code: 'TOO_LARGE_TO_READ', message: TOO_LARGE_TO_READ_MESSAGE })
    expect(refusal.message).toMatch(/too large to check in one go/)
    // refused while reading: nothing was handed to the database side to store
    expect(small.stored).toEqual([])

    const roomy = recordingPort()
    const limit = v8.getHeapStatistics().used_heap_size + 2 * 1024 ** 3
    const read = await readUpload(job(pieces, 'commit', limit), roomy.port)
    expect(read.counts).toMatchObject({ events: 20_000, new: 20_000 })
  })

  it('stops when the progress note throws (the job was cancelled or replaced), handing nothing more over', async () => {
    class Stopped extends Error {}
    let notes = 0
    const { port, stored } = recordingPort({
      progress: () => {
        notes++
        if (notes === 2) throw new Stopped('the job is no longer the upload’s')
      },
    })
    const stopped = await readUpload(job(ordersFile(200_000), 'commit'), port).catch((e) => e)
    expect(stopped).toBeInstanceOf(Stopped)
    expect(notes).toBe(2)
    // the file holds 200,000 orders; the read ended long before it could hand them all over
    const handed = stored.flatMap((r) => copyBinaryRows(r.newEvents)).length
    expect(handed).toBeLessThan(200_000)
  })
})
