import type pg from 'pg'
import type { Queryable } from './sql'

// Pace per connection, shared by every worker process through the database:
// - concurrency: N slots as session advisory locks (pg_try_advisory_lock(hashtext(connection), slot)). Each process
//   keeps its slots on one session of its own (a ConnectionPacer's), hands them to its requests in memory and
//   gives them back when it has no use for them, or, when another process is waiting for one, after holding it for a
//   quantum. A request holds a slot only while it is on the wire. A killed worker's session ends and PostgreSQL frees
//   its slots at once: no lease needed.
// - rate: one ConnectionPace row as a GCRA schedule (nextAt = when the next request may start) with an AIMD rate:
//   every request nudges it up by ~1 req/s per second, a 429 halves it once and holds everyone until Retry-After.
//   A process reserves start times on it a few at a time (at most `blockMs` of the rate), so at a high rate one
//   statement serves many requests and at a low rate every request takes its own time.

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

export type PacerOptions = {
  /** start times reserved at once cover at most this much of the rate (and go stale after it) */
  blockMs: number
  /** a slot nobody in this process needs is given back after this long */
  idleMs: number
  /** while another process waits for a slot, a slot held this long is given back when its request ends */
  quantumMs: number
  /** another process counts as waiting for this long after its last probe found every slot taken */
  contentionMs: number
  /** every slot taken: probe again after a random pause in this range */
  probeMinMs: number
  probeMaxMs: number
}

export const DEFAULT_PACER_OPTIONS: PacerOptions = {
  blockMs: 50,
  idleMs: 50,
  quantumMs: 250,
  contentionMs: 1_000,
  probeMinMs: 3,
  probeMaxMs: 15,
}

type Limits = { concurrency: number; rate: number }

type RefillRow = {
  slots: number[]
  startInMs: number | null
  stepMs: number | null
  reserved: number
  wantedAgoMs: number | null
}

// One process's share of a connection's slots and schedule (see the top of this file). Every statement it needs runs
// on its own session, one at a time: win slots, give slots back, reserve start times.
export class ConnectionPacer {
  private session: pg.Client | null = null
  private opening: Promise<pg.Client> | null = null
  /** slots locked by the session: in use by a request, or free */
  private readonly held = new Map<number, { since: number; checkedAt?: number }>()
  private free: number[] = []
  private readonly toUnlock: number[] = []
  /** reserved start times (epoch ms, this process's clock), ascending */
  private times: number[] = []
  private readonly timeWaiters: ((t: number) => void)[] = []
  private readonly slotWaiters: { resolve: (slot: number) => void; reject: (e: unknown) => void }[] = []
  private running = false
  private closed = false
  private probeTimer: NodeJS.Timeout | null = null
  private nextProbeAt = 0
  /** read whether another process waits for a slot, even if nothing else is needed */
  private checkWanted = false
  /** after a failed statement: nothing is tried again before this */
  private pauseUntil = 0
  private needsPaceRow = false
  private idleTimer: NodeJS.Timeout | null = null
  /** when (this process's clock) another process last found every slot taken */
  private wantedAt = Number.NEGATIVE_INFINITY
  /** no start before this (a 429's hold, known here before the next reservation) */
  private holdUntil = 0
  private limits: Limits = { concurrency: 1, rate: 1 }
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

  /** slots this process holds (tests) */
  get heldSlots() {
    return [...this.held.keys()].sort((a, b) => a - b)
  }

  /** the next start time on the shared schedule (epoch ms on this process's clock); may be in the future */
  time(): Promise<number> {
    return new Promise((resolve) => {
      this.timeWaiters.push(resolve)
      this.pump()
    })
  }

  /** a start time taken but not used (its batch could not be claimed) goes back for the next request */
  returnTime(t: number) {
    if (t < Date.now() - this.opts.blockMs) return
    this.times.push(t)
    this.times.sort((a, b) => a - b)
    this.pump()
  }

  /** a concurrency slot, for one request: give it back with releaseSlot when the request has ended */
  slot(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.slotWaiters.push({ resolve, reject })
      this.pump()
    })
  }

  releaseSlot(slot: number) {
    const h = this.held.get(slot)
    if (!h) return // lost with a broken session: nothing is locked any more
    const now = Date.now()
    const contended = now - this.wantedAt < this.opts.contentionMs
    if (slot >= this.limits.concurrency || (contended && now - h.since >= this.opts.quantumMs)) {
      this.held.delete(slot)
      this.toUnlock.push(slot)
    } else {
      // held a quantum: ask whether another process is waiting (one statement per slot and quantum)
      if (now - h.since >= this.opts.quantumMs && now - (h.checkedAt ?? h.since) >= this.opts.quantumMs) {
        h.checkedAt = now
        this.checkWanted = true
      }
      this.free.push(slot)
      this.scheduleIdleCheck()
    }
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

  /** a 429 seen here: no request of this process starts before `until`, and unused reserved times are dropped */
  hold(until: number) {
    this.holdUntil = Math.max(this.holdUntil, until)
    this.times = []
  }

  /** the earliest moment a request with start time t may go out */
  notBefore(t: number) {
    return Math.max(t, this.holdUntil)
  }

  async close() {
    this.closed = true
    if (this.probeTimer) clearTimeout(this.probeTimer)
    if (this.idleTimer) clearTimeout(this.idleTimer)
    for (const w of this.slotWaiters.splice(0)) w.reject(new Error('the pacer was closed'))
    const s = this.session
    this.session = null
    this.held.clear()
    this.free = []
    await s?.end().catch(() => {})
  }

  private scheduleIdleCheck() {
    if (this.idleTimer || this.closed) return
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null
      if (this.slotWaiters.length > 0 || this.free.length === 0) return
      // nobody here needed these slots for idleMs: let other processes have them
      for (const slot of this.free.splice(0)) {
        this.held.delete(slot)
        this.toUnlock.push(slot)
      }
      this.pump()
    }, this.opts.idleMs)
    this.idleTimer.unref?.()
  }

  private serve() {
    const now = Date.now()
    while (this.times.length > 0 && (this.times[0] as number) < now - this.opts.blockMs) this.times.shift()
    while (this.timeWaiters.length > 0 && this.times.length > 0)
      this.timeWaiters.shift()?.(this.times.shift() as number)
    while (this.slotWaiters.length > 0 && this.free.length > 0) {
      const slot = this.free.pop() as number
      if (slot >= this.limits.concurrency) {
        // the limit was lowered: this slot number is no longer ours to use
        this.held.delete(slot)
        this.toUnlock.push(slot)
        continue
      }
      this.slotWaiters.shift()?.resolve(slot)
    }
  }

  private pump() {
    if (this.closed) return
    this.serve()
    if (this.running) return
    if (Date.now() < this.pauseUntil) {
      this.wakeAt(this.pauseUntil)
      return
    }
    const wantTimes = this.timeWaiters.length
    const room = Math.max(0, this.limits.concurrency - this.held.size)
    let wantSlots = Math.min(room, this.slotWaiters.length)
    if (wantSlots > 0 && Date.now() < this.nextProbeAt) {
      // every slot was taken a moment ago: probe again later (others' requests end at their own pace)
      this.wakeAt(this.nextProbeAt)
      wantSlots = 0
    }
    if (wantTimes === 0 && wantSlots === 0 && this.toUnlock.length === 0 && !this.checkWanted) return
    this.checkWanted = false
    const { rate, concurrency } = this.limits
    const block = Math.max(1, Math.min(concurrency, Math.floor((rate * this.opts.blockMs) / 1000)))
    const reserve = wantTimes > 0 ? Math.max(wantTimes, block) : 0
    const unlock = this.toUnlock.splice(0)
    this.running = true
    this.refill(unlock, wantSlots, reserve)
      .then((r) => {
        this.apply(r, wantSlots)
        if (reserve > 0 && r.reserved === 0) {
          // no schedule row (e.g. the connection is being deleted): recreate it, and don't spin meanwhile
          this.needsPaceRow = true
          this.pauseUntil = Date.now() + 1_000
        }
      })
      .catch((e: Error) => {
        // the session broke: its locks are gone with it (requests in flight keep their slot numbers, which
        // releaseSlot then ignores); start over on a new session
        this.onError(e)
        const s = this.session
        this.session = null
        s?.end().catch(() => {})
        this.held.clear()
        this.free = []
        this.pauseUntil = Date.now() + 1_000
      })
      .finally(() => {
        this.running = false
        this.pump()
      })
  }

  private wakeAt(t: number) {
    if (this.probeTimer) return
    this.probeTimer = setTimeout(
      () => {
        this.probeTimer = null
        this.pump()
      },
      Math.max(1, t - Date.now()),
    )
  }

  private apply(r: RefillRow, wantedSlots: number) {
    const now = Date.now()
    for (const slot of r.slots) {
      this.held.set(slot, { since: now })
      this.free.push(slot)
    }
    if (wantedSlots > 0 && r.slots.length === 0) {
      const jitter = this.opts.probeMinMs + Math.random() * (this.opts.probeMaxMs - this.opts.probeMinMs)
      this.nextProbeAt = now + jitter
    }
    if (r.wantedAgoMs !== null && r.wantedAgoMs >= 0)
      this.wantedAt = Math.max(this.wantedAt, now - r.wantedAgoMs)
    if (now - this.wantedAt < this.opts.contentionMs) {
      // another process waits: free slots held a quantum go back now
      this.free = this.free.filter((slot) => {
        const h = this.held.get(slot)
        if (!h || now - h.since < this.opts.quantumMs) return true
        this.held.delete(slot)
        this.toUnlock.push(slot)
        return false
      })
    }
    if (r.reserved > 0 && r.startInMs !== null && r.stepMs !== null) {
      const start = now + r.startInMs
      for (let i = 0; i < r.reserved; i++) this.times.push(start + i * r.stepMs)
      this.times.sort((a, b) => a - b)
    }
    if (r.slots.length > 0) this.scheduleIdleCheck()
  }

  private async sessionClient() {
    if (this.session) return this.session
    if (!this.opening) {
      this.opening = this.connect().then(
        async (s) => {
          s.on('error', (e) => this.onError(e))
          await ensurePaceRow(s, this.connectionId, this.limits.rate)
          this.session = s
          this.opening = null
          return s
        },
        (e) => {
          this.opening = null
          throw e
        },
      )
    }
    return this.opening
  }

  // One statement: give back `unlock` (selected, so it runs even when nothing is probed), try to win `wantSlots` more slots (starting at a random one so processes don't
  // all probe slot 0 first; no ORDER BY, so probing stops at the first wins), reserve `reserve` start times on the
  // schedule, and note that this process found every slot taken (so holders give theirs back after a quantum).
  private async refill(unlock: number[], wantSlots: number, reserve: number): Promise<RefillRow> {
    const s = await this.sessionClient()
    const { concurrency, rate } = this.limits
    if (this.needsPaceRow) {
      await ensurePaceRow(s, this.connectionId, rate)
      this.needsPaceRow = false
    }
    // slots just given back are not probed again in the same statement
    const held = [...this.held.keys(), ...unlock]
    const { rows } = await s.query<RefillRow>({
      name: 'ss_pacer_refill',
      text: `WITH u AS (
         SELECT count(*) FILTER (WHERE pg_advisory_unlock(hashtext($1::text), x)) AS n FROM unnest($2::int[]) AS x
       ), s AS (
         SELECT ((g + $5::int) % $4::int)::int AS slot FROM generate_series(0, $4::int - 1) AS g, u
         WHERE $3::int > 0 AND ((g + $5::int) % $4::int)::int <> ALL($6::int[])
           AND pg_try_advisory_lock(hashtext($1::text), ((g + $5::int) % $4::int)::int) LIMIT $3::int
       ), won AS (SELECT coalesce(array_agg(slot), '{}') AS slots FROM s),
       cur AS (
         SELECT "connectionId", least($8::float8, rate) AS r,
           greatest("nextAt", clock_timestamp() - make_interval(secs => 1.0 / least($8::float8, rate)),
             coalesce("holdUntil", '-infinity'::timestamptz)) AS start
         FROM "ConnectionPace" WHERE "connectionId" = $1::uuid AND ($7::int > 0 OR $3::int > 0) FOR UPDATE
       ), p AS (
         UPDATE "ConnectionPace" x SET
           "nextAt" = CASE WHEN $7::int > 0 THEN cur.start + make_interval(secs => $7::int / cur.r) ELSE x."nextAt" END,
           rate = CASE WHEN $7::int > 0 THEN least($8::float8, cur.r + $7::int / cur.r) ELSE x.rate END,
           "slotWantedAt" = CASE WHEN $3::int > 0 AND cardinality(won.slots) = 0 THEN clock_timestamp() ELSE x."slotWantedAt" END,
           "updatedAt" = now()
         FROM cur, won
         WHERE x."connectionId" = cur."connectionId" AND ($7::int > 0 OR ($3::int > 0 AND cardinality(won.slots) = 0))
         RETURNING 1
       )
       SELECT won.slots, (SELECT n FROM u)::int AS unlocked,
         (SELECT extract(epoch FROM cur.start - clock_timestamp()) * 1000 FROM cur WHERE $7::int > 0)::float8 AS "startInMs",
         (SELECT 1000.0 / cur.r FROM cur)::float8 AS "stepMs",
         CASE WHEN EXISTS (SELECT 1 FROM p) THEN $7::int ELSE 0 END AS reserved,
         (SELECT extract(epoch FROM clock_timestamp() - x."slotWantedAt") * 1000 FROM "ConnectionPace" x
           WHERE x."connectionId" = $1::uuid)::float8 AS "wantedAgoMs"
       FROM won`,
      values: [
        this.connectionId,
        unlock,
        wantSlots,
        concurrency,
        Math.floor(Math.random() * concurrency),
        held,
        reserve,
        rate,
      ],
    })
    const row = rows[0]
    if (!row) throw new Error('the pace statement returned no row')
    return row
  }
}
