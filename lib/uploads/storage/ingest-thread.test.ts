import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { copyBinaryRows } from '@/lib/db/copy/testing'
import { isUploadFileError } from '../errors'
import type { ChunkRows } from './commit-rows'
import type { ReadJob } from './ingest-read'
import type { IngestProgress, IngestStore } from './ingest-rows'
import { readInWorker } from './ingest-thread'

// The reading thread on its own: what it hands the database side, how progress and refusals come back,
// and what a file too big for its heap turns into.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ingest-thread-test-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const NOW = new Date('2026-03-10T12:00:00Z')
const store: IngestStore = {
  id: '0190b7b0-0000-7000-8000-000000000001',
  code: 'BER-01',
  timeZone: 'Europe/Berlin',
  latitude: null,
  longitude: null,
}

/** a file of `orders` orders of two items each, written to disk as the upload folder would hold it */
function ordersFile(orders: number): string {
  const lines = ['order_id,occurred_at,store_code,item_id,item_name,unit_price,quantity']
  for (let o = 0; o < orders; o++)
    for (let i = 0; i < 2; i++) lines.push(`O-${o},2026-03-02 10:00,BER-01,SKU-${i},"Mug, size ${i}",12.50,1`)
  const file = path.join(dir, `${orders}-${Math.random().toString(36).slice(2)}.csv`)
  fs.writeFileSync(file, `${lines.join('\n')}\n`)
  return file
}

function job(file: string, mode: ReadJob['mode']): ReadJob {
  return {
    mode,
    file,
    sizeBytes: fs.statSync(file).size,
    stores: [store],
    settings: {},
    now: NOW.getTime(),
    progress: true,
    ...(mode === 'commit' && {
      commit: { uploadId: '0190b7b0-0000-7000-8000-0000000000aa', userId: null, at: NOW.toISOString() },
    }),
  }
}

describe('reading a stored file in its own thread', () => {
  it('asks for every order once and hands over COPY rows for events and line items, with progress', async () => {
    const file = ordersFile(12_000)
    const asked: string[] = []
    const stored: ChunkRows[] = []
    const progress: IngestProgress[] = []
    const read = await readInWorker(job(file, 'commit'), {
      lookup: async (keys) => {
        asked.push(...keys.orderIds)
        return []
      },
      store: async (rows) => {
        stored.push(rows)
      },
      onProgress: (p) => progress.push(p),
    })
    expect(read.counts).toMatchObject({ rows: 24_000, events: 12_000, lineItems: 24_000, new: 12_000 })
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
    expect(progress[0]?.phase).toBe('reading')
  })

  it('passes a refusal back as the same UploadFileError, with its row', async () => {
    const file = path.join(dir, 'long-row.csv')
    fs.writeFileSync(
      file,
      `order_id,occurred_at,store_code,item_id,unit_price,quantity\n1,2026-03-02,BER-01,A,1,1\n2,2026-03-02,BER-01,${'x'.repeat(70_000)},1,1\n`,
    )
    const refusal = await readInWorker(job(file, 'preview'), { lookup: async () => [] }).catch((e) => e)
    expect(isUploadFileError(refusal)).toBe(true)
    expect(refusal).toMatchObject({ code: 'LINE_TOO_LONG', line: 3 })
  })

  it('refuses a file whose orders do not fit in the heap, without touching the caller', async () => {
    const file = ordersFile(100_000)
    const refusal = await readInWorker(job(file, 'preview'), { lookup: async () => [] }, 16).catch((e) => e)
    expect(isUploadFileError(refusal)).toBe(true)
    expect(refusal).toMatchObject({ code: 'TOO_LARGE_TO_READ' })
    expect(refusal.message).toMatch(/too large to check in one go/)
  })
})
