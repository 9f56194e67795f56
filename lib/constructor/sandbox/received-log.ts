import { createReadStream } from 'node:fs'
import fs from 'node:fs/promises'
import path from 'node:path'

export const RECEIVED_FILE_NAME = 'received.jsonl'

export type ReceivedRecord = {
  /** position in the log, from 0 */
  seq: number
  /** when the request carrying the action arrived (ISO 8601) */
  receivedAt: string
  requestId: number
  /** the action's index in its request body */
  index: number
  action: unknown
}

export type ReceivedQuery = { limit?: number; offset?: number; orderId?: string }
export type ReceivedPage = { total: number; limit: number; offset: number; records: ReceivedRecord[] }

type PendingAppend = {
  kind: 'append'
  requestId: number
  receivedAt: string
  actions: readonly unknown[]
  resolve: () => void
  reject: (error: unknown) => void
}
type PendingReset = { kind: 'reset'; resolve: () => void; reject: (error: unknown) => void }

function orderIdOf(action: unknown): string | undefined {
  const orderId = (action as { data?: { order_id?: unknown } } | null)?.data?.order_id
  return typeof orderId === 'string' ? orderId : undefined
}

// Append-only JSON Lines of every accepted action: written (and fsynced) before the sandbox answers 204.
export class ReceivedLog {
  private readonly offsets: number[] = []
  private readonly lengths: number[] = []
  private readonly byOrderId = new Map<string, number[]>()
  private size = 0
  private queue: (PendingAppend | PendingReset)[] = []
  private writing = false

  private constructor(
    readonly file: string,
    private readonly writer: fs.FileHandle,
    private readonly reader: fs.FileHandle,
    private readonly fsync: boolean,
  ) {}

  static async open(dataDir: string, options: { fsync?: boolean } = {}): Promise<ReceivedLog> {
    await fs.mkdir(dataDir, { recursive: true })
    const file = path.join(dataDir, RECEIVED_FILE_NAME)
    const writer = await fs.open(file, 'a')
    const reader = await fs.open(file, 'r')
    const log = new ReceivedLog(file, writer, reader, options.fsync ?? true)
    await log.loadIndex()
    return log
  }

  get total(): number {
    return this.offsets.length
  }

  private addToIndex(offset: number, length: number, orderId: string | undefined): void {
    const seq = this.offsets.length
    this.offsets.push(offset)
    this.lengths.push(length)
    if (orderId !== undefined) {
      const seqs = this.byOrderId.get(orderId)
      if (seqs) seqs.push(seq)
      else this.byOrderId.set(orderId, [seq])
    }
  }

  // Rebuilds the index after a restart; a torn last line (crash mid-write) is cut off.
  private async loadIndex(): Promise<void> {
    let offset = 0
    let carry: Buffer = Buffer.alloc(0)
    for await (const chunk of createReadStream(this.file)) {
      const buffer = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer)
      let start = 0
      for (let newline = buffer.indexOf(10, start); newline !== -1; newline = buffer.indexOf(10, start)) {
        const line = buffer.subarray(start, newline).toString('utf8')
        const record = JSON.parse(line) as ReceivedRecord
        this.addToIndex(offset + start, newline - start + 1, orderIdOf(record.action))
        start = newline + 1
      }
      offset += start
      carry = Buffer.from(buffer.subarray(start))
    }
    this.size = offset
    if (carry.length > 0) await this.writer.truncate(offset)
  }

  append(requestId: number, receivedAt: Date, actions: readonly unknown[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({
        kind: 'append',
        requestId,
        receivedAt: receivedAt.toISOString(),
        actions,
        resolve,
        reject,
      })
      this.kick()
    })
  }

  /** empties the log (after every write queued before it) */
  reset(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ kind: 'reset', resolve, reject })
      this.kick()
    })
  }

  private kick(): void {
    if (this.writing) return
    this.writing = true
    void this.drain()
  }

  // Group commit: everything queued while the previous write ran goes out in one write and one fsync.
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const head = this.queue[0]
      if (head?.kind === 'reset') {
        this.queue.shift()
        try {
          await this.writer.truncate(0)
          if (this.fsync) await this.writer.datasync()
          this.offsets.length = 0
          this.lengths.length = 0
          this.byOrderId.clear()
          this.size = 0
          head.resolve()
        } catch (error) {
          head.reject(error)
        }
        continue
      }
      const resetAt = this.queue.findIndex((entry) => entry.kind === 'reset')
      const batch = this.queue.splice(0, resetAt === -1 ? this.queue.length : resetAt) as PendingAppend[]
      const pieces: Buffer[] = []
      const entries: { length: number; orderId: string | undefined }[] = []
      let seq = this.offsets.length
      for (const request of batch) {
        request.actions.forEach((action, index) => {
          const record: ReceivedRecord = {
            seq: seq++,
            receivedAt: request.receivedAt,
            requestId: request.requestId,
            index,
            action,
          }
          const line = Buffer.from(`${JSON.stringify(record)}\n`)
          pieces.push(line)
          entries.push({ length: line.length, orderId: orderIdOf(action) })
        })
      }
      try {
        const data = Buffer.concat(pieces)
        let written = 0
        while (written < data.length) {
          const { bytesWritten } = await this.writer.write(data, written)
          written += bytesWritten
        }
        if (this.fsync) await this.writer.datasync()
        let offset = this.size
        for (const entry of entries) {
          this.addToIndex(offset, entry.length, entry.orderId)
          offset += entry.length
        }
        this.size = offset
        for (const request of batch) request.resolve()
      } catch (error) {
        for (const request of batch) request.reject(error)
      }
    }
    this.writing = false
  }

  private async readSeqs(seqs: number[]): Promise<Map<number, ReceivedRecord>> {
    const sorted = [...seqs].sort((a, b) => a - b)
    const records = new Map<number, ReceivedRecord>()
    let i = 0
    while (i < sorted.length) {
      // Neighbouring records sit next to each other in the file: read each run with one call.
      let j = i
      const first = sorted[i] ?? 0
      while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++
      const last = sorted[j] ?? first
      const start = this.offsets[first] ?? 0
      const end = (this.offsets[last] ?? 0) + (this.lengths[last] ?? 0)
      const buffer = Buffer.alloc(end - start)
      await this.reader.read(buffer, 0, buffer.length, start)
      const lines = buffer.toString('utf8').split('\n')
      for (let k = 0; k <= j - i; k++)
        records.set(first + k, JSON.parse(lines[k] ?? 'null') as ReceivedRecord)
      i = j + 1
    }
    return records
  }

  /** newest first */
  async query(query: ReceivedQuery = {}): Promise<ReceivedPage> {
    const limit = Math.min(Math.max(query.limit ?? 100, 0), 10_000)
    const offset = Math.max(query.offset ?? 0, 0)
    const all = query.orderId === undefined ? undefined : (this.byOrderId.get(query.orderId) ?? [])
    const total = all ? all.length : this.offsets.length
    const positions: number[] = []
    for (let p = total - 1 - offset; p >= 0 && positions.length < limit; p--)
      positions.push(all ? (all[p] ?? 0) : p)
    const records = await this.readSeqs(positions)
    return {
      total,
      limit,
      offset,
      records: positions.map((seq) => records.get(seq)).filter((r): r is ReceivedRecord => r !== undefined),
    }
  }

  async close(): Promise<void> {
    while (this.writing) await new Promise((resolve) => setTimeout(resolve, 5))
    await this.writer.close()
    await this.reader.close()
  }
}

/** every record in the sandbox's data dir, oldest first (for tests and scripts) */
export async function readReceivedRecords(dataDir: string): Promise<ReceivedRecord[]> {
  let text: string
  try {
    text = await fs.readFile(path.join(dataDir, RECEIVED_FILE_NAME), 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ReceivedRecord)
}
