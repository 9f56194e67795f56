import type pg from 'pg'
import type { Queryable } from './sql'

// Pace per connection, shared by every worker process through the database:
// - concurrency: slot i (0 ≤ i < maxConcurrency) is the session advisory lock (hashtext(connectionId), i). A request
//   holds a slot while it is on the wire. Each process locks its slots on a session of its own, so PostgreSQL frees
//   a killed worker's slots at once. A slot a request gives back goes straight to the next request waiting in the
//   same process; when there is none, it is unlocked. When every slot is taken, the process tries again after
//   `pollMs`. There is no queue across processes (see docs/architecture.md).
// - rate: the ConnectionPace row is a GCRA schedule: nextAt is the earliest start of the next request and every
//   start reserved moves it on by 1/rate. A 429 halves the rate (it grows back by about 1 request/s per second) and
//   holds every process until Retry-After (holdUntil).
// A process runs its pace statements one at a time, and each serves every request waiting then: it gives back the
// slots released since the last one, takes slots and reserves start times.

export type Clock = { now(): number; sleep(ms: number): Promise<void> }

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
}

export type PacerOptions = {
  /** every slot taken: try again after this long */
  pollMs: number
  /** the database's clock schedules every process unless a test passes its own */
  clock: Clock
}

export const DEFAULT_PACER_OPTIONS: PacerOptions = { pollMs: 5, clock: systemClock }

export async function ensurePaceRow(q: Queryable, connectionId: string, rate: number) {
  await q.query(
    `INSERT INTO "ConnectionPace" ("connectionId", "nextAt", rate, "updatedAt") VALUES ($1::uuid, clock_timestamp(), $2::float8, now())
     ON CONFLICT ("connectionId") DO NOTHING`,
    [connectionId, rate],
  )
}

// A 429: everyone holds until Retry-After (or the back-off), and the rate halves once per hold, not once per 429.
// The send's retry statement embeds the same update (lib/submission/transitions.ts, markRetryWait).
export function slowDownSql(connectionId: string, holdMs: string) {
  return `UPDATE "ConnectionPace" SET
       rate = CASE WHEN "holdUntil" IS NULL OR "holdUntil" < clock_timestamp() THEN greatest(1, rate / 2) ELSE rate END,
       "holdUntil" = greatest(coalesce("holdUntil", '-infinity'::timestamptz),
         clock_timestamp() + ${holdMs}::float8 * interval '1 millisecond'),
       "updatedAt" = now()
     WHERE "connectionId" = ${connectionId}`
}

// In-process gate, e.g. how many batches one process has claimed ahead of a free slot.
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

type Limits = { concurrency: number; rate: number }
type PaceRow = { slots: number[]; startInMs: number | null; stepMs: number | null; reserved: number }

// One process's share of a connection's slots and schedule (see the top of this file).
export class ConnectionPacer {
  private session: pg.Client | null = null
  private limits: Limits = { concurrency: 1, rate: 1 }
  private readonly timeWaiters: { resolve: (t: number) => void; reject: (e: unknown) => void }[] = []
  private readonly slotWaiters: { resolve: (slot: number) => void; reject: (e: unknown) => void }[] = []
  /** slots in use by a request, with the session that locked them */
  private readonly inUse = new Map<number, pg.Client>()
  private toUnlock: number[] = []
  /** every slot was taken at the last try: the next try is not before this */
  private slotsTriedAt = Number.NEGATIVE_INFINITY
  private running = false
  private wakeScheduled = false
  private closed = false
  /** a 429 seen here: no request of this process starts before this */
  private holdUntil = 0
  private stopReason: string | null = null
  private stopRecordedFlag = false

  constructor(
    readonly connectionId: string,
    private readonly connect: () => Promise<pg.Client>,
    private readonly opts: PacerOptions = DEFAULT_PACER_OPTIONS,
    private readonly onError: (e: Error) => void = () => {},
  ) {}

  setLimits(limits: Limits) {
    this.limits = limits
  }

  /** the next start time on the shared schedule (epoch ms on this process's clock); may be in the future */
  time(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.timeWaiters.push({ resolve, reject })
      this.pump()
    })
  }

  /** a concurrency slot, for one request: give it back with releaseSlot when the request has ended */
  slot(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.slotWaiters.push({ resolve, reject })
      this.pump()
    })
  }

  releaseSlot(slot: number) {
    const lockedBy = this.inUse.get(slot)
    this.inUse.delete(slot)
    // a slot of a session that broke is not locked any more
    const locked = lockedBy !== undefined && lockedBy === this.session
    if (locked && this.slotWaiters.length > 0 && slot < this.limits.concurrency) {
      // a request here waits: it takes the slot as it is (a statement would give it back and take it again)
      this.inUse.set(slot, lockedBy)
      this.slotWaiters.shift()?.resolve(slot)
      return
    }
    if (locked) this.toUnlock.push(slot)
    this.pump()
  }

  /** a 401/403 seen here: no request of this process goes out until clearStop (after the pause is lifted) */
  stop(reason: string) {
    this.stopReason ??= reason
    this.stopRecordedFlag = false
  }

  /** the pause that follows the stop is in the database: a read of the connection from now on is conclusive */
  stopRecorded() {
    if (this.stopReason !== null) this.stopRecordedFlag = true
  }

  get stopped(): string | null {
    return this.stopReason
  }

  get stopIsRecorded() {
    return this.stopRecordedFlag
  }

  clearStop() {
    this.stopReason = null
    this.stopRecordedFlag = false
  }

  /** a 429 seen here: no request of this process starts before `until` */
  hold(until: number) {
    this.holdUntil = Math.max(this.holdUntil, until)
  }

  /** the earliest moment a request with start time t may go out */
  notBefore(t: number) {
    return Math.max(t, this.holdUntil)
  }

  async close() {
    this.closed = true
    for (const w of [...this.slotWaiters.splice(0), ...this.timeWaiters.splice(0)])
      w.reject(new Error('the pacer was closed'))
    const s = this.session
    this.session = null
    await s?.end().catch(() => {})
  }

  private pump() {
    if (this.running || this.closed) return
    const retryAt = this.slotsTriedAt + this.opts.pollMs
    // while this process holds every slot, only its own requests' ends (handed on in releaseSlot) can free one
    const trySlots =
      this.slotWaiters.length > 0 &&
      this.inUse.size < this.limits.concurrency &&
      (this.toUnlock.length > 0 || this.opts.clock.now() >= retryAt)
    if (!trySlots && this.timeWaiters.length === 0 && this.toUnlock.length === 0) {
      if (this.slotWaiters.length > 0 && this.inUse.size < this.limits.concurrency)
        this.wakeAfter(retryAt - this.opts.clock.now())
      return
    }
    this.running = true
    this.step(trySlots)
      .catch(async (e: Error) => {
        // the session broke, and its locks with it: start over on a new one
        this.onError(e)
        const s = this.session
        this.session = null
        this.toUnlock = []
        await s?.end().catch(() => {})
        await this.opts.clock.sleep(1_000)
      })
      .finally(() => {
        this.running = false
        this.pump()
      })
  }

  private wakeAfter(ms: number) {
    if (this.wakeScheduled) return
    this.wakeScheduled = true
    this.opts.clock.sleep(Math.max(1, ms)).then(() => {
      this.wakeScheduled = false
      this.pump()
    })
  }

  private async step(trySlots: boolean) {
    const s = await this.sessionClient()
    const unlock = this.toUnlock
    this.toUnlock = []
    const wantTimes = this.timeWaiters.length
    const r = await this.statement(s, unlock, trySlots, wantTimes)
    const now = this.opts.clock.now()
    for (const slot of r.slots) {
      const waiter = this.slotWaiters.shift()
      if (!waiter) {
        // more slots were free than requests waiting here: the rest go back with the next statement
        this.toUnlock.push(slot)
        continue
      }
      this.inUse.set(slot, s)
      waiter.resolve(slot)
    }
    if (trySlots && this.slotWaiters.length > 0) this.slotsTriedAt = now
    if (r.reserved > 0 && r.startInMs !== null && r.stepMs !== null) {
      const start = now + r.startInMs
      for (let i = 0; i < r.reserved; i++) this.timeWaiters.shift()?.resolve(start + i * r.stepMs)
    } else if (wantTimes > 0) {
      // the schedule row went away (e.g. it was deleted by hand): make it again
      await ensurePaceRow(s, this.connectionId, this.limits.rate)
    }
  }

  private async sessionClient() {
    if (this.session) return this.session
    const s = await this.connect()
    s.on('error', (e) => this.onError(e))
    // set first, so that a failure below ends this session too
    this.session = s
    await ensurePaceRow(s, this.connectionId, this.limits.rate)
    return s
  }

  // One statement: unlock the slots given back (selected, so that it runs even when no slot is wanted), lock every
  // free slot when slots are wanted (with a LIMIT, PostgreSQL may take locks it does not return: see the docs of
  // advisory locks) and reserve `wantTimes` start times on the schedule. $5 is the caller's clock, or null for the
  // database's.
  private async statement(s: pg.Client, unlock: number[], wantSlots: boolean, wantTimes: number) {
    const { concurrency, rate } = this.limits
    // the slots to try: a slot this session holds would be locked again, not refused
    const candidates = wantSlots
      ? Array.from({ length: concurrency }, (_, i) => i).filter((i) => !this.inUse.has(i))
      : []
    const clock = this.opts.clock === systemClock ? null : this.opts.clock.now()
    const { rows } = await s.query<PaceRow>({
      name: 'ss_pacer_step',
      text: `WITH given AS (
         SELECT count(pg_advisory_unlock(hashtext($1::text), x)) AS n FROM unnest($2::int[]) AS x
       ), won AS (
         SELECT coalesce(array_agg(slot), '{}') AS slots FROM unnest($3::int[]) AS slot
         WHERE pg_try_advisory_lock(hashtext($1::text), slot)
       ), clock AS (
         SELECT coalesce(to_timestamp($5::float8 / 1000), clock_timestamp()) AS now
       ), cur AS (
         SELECT least($6::float8, p.rate) AS r, greatest(p."nextAt", clock.now, coalesce(p."holdUntil", clock.now)) AS start
         FROM "ConnectionPace" p, clock WHERE p."connectionId" = $1::uuid AND $4::int > 0 FOR UPDATE OF p
       ), moved AS (
         UPDATE "ConnectionPace" p SET
           "nextAt" = cur.start + make_interval(secs => $4::int / cur.r),
           rate = least($6::float8, cur.r + $4::int / cur.r),
           "updatedAt" = now()
         FROM cur WHERE p."connectionId" = $1::uuid
         RETURNING 1
       )
       SELECT won.slots, (SELECT n FROM given) AS unlocked,
         (SELECT extract(epoch FROM cur.start - clock.now) * 1000 FROM cur, clock)::float8 AS "startInMs",
         (SELECT 1000.0 / cur.r FROM cur)::float8 AS "stepMs",
         (SELECT count(*) FROM moved)::int * $4::int AS reserved
       FROM won`,
      values: [this.connectionId, unlock, candidates, wantTimes, clock, rate],
    })
    const row = rows[0]
    if (!row) throw new Error('the pace statement returned no row')
    return row
  }
}
