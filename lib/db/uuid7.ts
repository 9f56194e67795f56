import { randomFillSync } from 'node:crypto'

// UUIDv7 made in JS, so one COPY pass can write events and their line items (which name the event's id).
const POOL_SIZE = 8 * 8192
const pool = Buffer.alloc(POOL_SIZE)
let poolOffset = POOL_SIZE
let lastMs = -1
let counter = 0
let timeHex = ''
const VARIANT = ['8', '9', 'a', 'b']

/** A time-ordered UUIDv7; within one millisecond a 12-bit counter keeps ids of this process increasing. */
export function uuidv7(now = Date.now()): string {
  if (now > lastMs) {
    lastMs = now
    counter = 0
    timeHex = now.toString(16).padStart(12, '0')
  } else if (++counter > 0xfff) {
    // more than 4,096 ids in one millisecond: borrow the next millisecond
    lastMs++
    counter = 0
    timeHex = lastMs.toString(16).padStart(12, '0')
  }
  if (poolOffset + 8 > POOL_SIZE) {
    randomFillSync(pool)
    poolOffset = 0
  }
  // 62 random bits: 2 in the variant digit, 60 in the 15 hex digits after it
  const variant = VARIANT[pool[poolOffset]! & 3]
  const r = pool.toString('hex', poolOffset, poolOffset + 8)
  poolOffset += 8
  const c = counter.toString(16).padStart(3, '0')
  return `${timeHex.slice(0, 8)}-${timeHex.slice(8)}-7${c}-${variant}${r.slice(1, 4)}-${r.slice(4)}`
}
