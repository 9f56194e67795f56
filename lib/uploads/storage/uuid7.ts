import { randomFillSync } from 'node:crypto'

// UUIDv7 made in JS, so one COPY pass can write events and their line items (which name the event's id).
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
const POOL_SIZE = 16 * 4096
const pool = Buffer.alloc(POOL_SIZE)
let poolOffset = POOL_SIZE
let lastMs = 0
let counter = 0

function random10(): Buffer {
  if (poolOffset + 10 > POOL_SIZE) {
    randomFillSync(pool)
    poolOffset = 0
  }
  const out = pool.subarray(poolOffset, poolOffset + 10)
  poolOffset += 10
  return out
}

/** A time-ordered UUIDv7; within one millisecond a 12-bit counter keeps ids of this process increasing. */
export function uuidv7(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now
    counter = 0
  } else if (++counter > 0xfff) {
    // more than 4,096 ids in one millisecond: borrow the next millisecond
    lastMs++
    counter = 0
  }
  const ms = lastMs
  const r = random10()
  const hi = Math.floor(ms / 0x10000)
  const lo = ms % 0x10000
  const h = hi.toString(16).padStart(8, '0')
  const l = lo.toString(16).padStart(4, '0')
  const randA = (0x7000 | counter).toString(16)
  const v = (r[0]! & 0x3f) | 0x80
  return `${h}-${l}-${randA}-${HEX[v]}${HEX[r[1]!]}-${HEX[r[2]!]}${HEX[r[3]!]}${HEX[r[4]!]}${HEX[r[5]!]}${HEX[r[6]!]}${HEX[r[7]!]}`
}
