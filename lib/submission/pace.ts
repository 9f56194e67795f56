import type { Queryable } from './sql'

// Pace per connection, shared by every worker process through the database:
// - concurrency: N slots as session advisory locks (pg_try_advisory_lock(hashtext(connection), slot)) held on the
//   connection that sends; a killed worker's session ends and PostgreSQL frees its slot at once, no lease needed.
// - rate: one ConnectionPace row as a GCRA schedule (nextAt = when the next request may start) with an AIMD rate:
//   every request nudges it up by ~1 req/s per second, a 429 halves it once and holds everyone until Retry-After.

export async function ensurePaceRow(q: Queryable, connectionId: string, rate: number) {
  await q.query(
    `INSERT INTO "ConnectionPace" ("connectionId", "nextAt", rate, "updatedAt") VALUES ($1::uuid, clock_timestamp(), $2::float8, now())
     ON CONFLICT ("connectionId") DO NOTHING`,
    [connectionId, rate],
  )
}

// One short statement (the shared rate row stays locked only for it): win a free slot among 0..max-1 and, only
// then, reserve the next start time on the schedule. slot null: every slot is busy and nothing was reserved.
export async function takeSlotAndSendTime(
  q: Queryable,
  connectionId: string,
  maxConcurrency: number,
  maxRate: number,
): Promise<{ slot: number | null; waitMs: number }> {
  // start at a random slot so processes don't all probe slot 0 first; no ORDER BY, so probing stops at the first win
  const start = Math.floor(Math.random() * maxConcurrency)
  const { rows } = await q.query<{ slot: number | null; waitMs: number | null }>(
    `WITH s AS (
       SELECT ((g + $3::int) % $2::int)::int AS slot FROM generate_series(0, $2::int - 1) AS g
       WHERE pg_try_advisory_lock(hashtext($1::text), ((g + $3::int) % $2::int)::int) LIMIT 1
     ), cur AS (
       SELECT "connectionId", least($4::float8, rate) AS r,
         greatest("nextAt", clock_timestamp() - make_interval(secs => 1.0 / least($4::float8, rate)),
           coalesce("holdUntil", '-infinity'::timestamptz)) AS start
       FROM "ConnectionPace" WHERE "connectionId" = $1::uuid AND EXISTS (SELECT 1 FROM s) FOR UPDATE
     ), p AS (
       UPDATE "ConnectionPace" x SET "nextAt" = cur.start + make_interval(secs => 1.0 / cur.r),
         rate = least($4::float8, cur.r + 1.0 / cur.r), "updatedAt" = now()
       FROM cur WHERE x."connectionId" = cur."connectionId"
       RETURNING greatest(0, extract(epoch FROM cur.start - clock_timestamp()) * 1000)::float8 AS "waitMs"
     )
     SELECT (SELECT slot FROM s) AS slot, (SELECT "waitMs" FROM p) AS "waitMs"`,
    [connectionId, maxConcurrency, start, maxRate],
  )
  return { slot: rows[0]?.slot ?? null, waitMs: rows[0]?.waitMs ?? 0 }
}

export async function releaseSlot(q: Queryable, connectionId: string, slot: number) {
  await q.query('SELECT pg_advisory_unlock(hashtext($1::text), $2::int)', [connectionId, slot])
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
