import type { Queryable } from './sql'

// Pace per connection, shared by every worker process through the database:
// - concurrency: N slots as session advisory locks (pg_try_advisory_lock(hashtext(connection), slot)) held on the
//   connection that sends; a killed worker's session ends and PostgreSQL frees its slot at once, no lease needed.
// - rate: one ConnectionPace row as a GCRA schedule (nextAt = when the next request may start) with an AIMD rate:
//   every request nudges it up by ~1 req/s per second, a 429 halves it once and holds everyone until Retry-After.
// A slot and a start time are won in the same statement that claims the batch (claimWithSlot in transitions.ts),
// and the slot is freed by the statement that records the outcome.

export async function ensurePaceRow(q: Queryable, connectionId: string, rate: number) {
  await q.query(
    `INSERT INTO "ConnectionPace" ("connectionId", "nextAt", rate, "updatedAt") VALUES ($1::uuid, clock_timestamp(), $2::float8, now())
     ON CONFLICT ("connectionId") DO NOTHING`,
    [connectionId, rate],
  )
}

// A 429: everyone holds until Retry-After (or the back-off), and the rate halves once per hold, not once per 429.
export async function slowDown(q: Queryable, connectionId: string, holdMs: number) {
  await q.query(
    `UPDATE "ConnectionPace" SET
       rate = CASE WHEN "holdUntil" IS NULL OR "holdUntil" < clock_timestamp() THEN greatest(1, rate / 2) ELSE rate END,
       "holdUntil" = greatest(coalesce("holdUntil", '-infinity'::timestamptz), clock_timestamp() + $2::float8 * interval '1 millisecond'),
       "updatedAt" = now()
     WHERE "connectionId" = $1::uuid`,
    [connectionId, holdMs],
  )
}

// In-process gate in front of the shared slots, so a process never has more waiters probing than it could use.
export class Semaphore {
  private active = 0
  private readonly waiters: (() => void)[] = []

  constructor(private limit: number) {}

  setLimit(limit: number) {
    this.limit = limit
    this.drain()
  }

  acquire(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiters.push(resolve)
      this.drain()
    })
  }

  release() {
    this.active--
    this.drain()
  }

  private drain() {
    while (this.active < this.limit && this.waiters.length > 0) {
      this.active++
      this.waiters.shift()?.()
    }
  }
}
