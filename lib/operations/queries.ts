import 'server-only'
import type { Caller } from '@/lib/auth/caller'
import { db, Prisma } from '@/lib/db'
import { submissionConfig } from '@/lib/submission/config'
import { SEND_BATCH_TASK } from '@/lib/submission/queue'

const sql = Prisma.sql

// What an operator watches: the connection, the job queue, the workers, the shared pace and recent
// failures. Everything comes from PostgreSQL, so every web instance shows the same picture.

// A job out of attempts is no work: without a key it was replaced by a newer job of its batch (a recovery after a
// killed worker; the sweep removes it), so it is not counted at all; with its key it crashed our code 25 times
// (stuck).
export type QueueHealth = {
  /** send jobs not finished yet (waiting, scheduled for a retry, or running) */
  depth: number
  /** runnable now and not taken by a worker */
  ready: number
  running: number
  /** gave up after graphile-worker's own attempts (a crash of our code, not an API failure); not a replaced job */
  stuck: number
  oldestCreatedAt: Date | null
  /** how long the oldest runnable job has waited past its run time */
  oldestReadyAgeSeconds: number | null
}

export type WorkerState = {
  id: string
  host: string
  pid: number
  startedAt: Date
  seenAt: Date
  ageSeconds: number
  alive: boolean
}

async function queueHealth(): Promise<QueueHealth> {
  const rows = await db.$queryRaw<
    {
      depth: number
      ready: number
      running: number
      stuck: number
      oldestCreatedAt: Date | null
      oldestReadyAgeSeconds: number | null
    }[]
  >(sql`
    SELECT count(*) FILTER (WHERE live)::int AS depth,
       count(*) FILTER (WHERE locked_at IS NULL AND run_at <= now() AND attempts < max_attempts)::int AS ready,
       count(*) FILTER (WHERE locked_at IS NOT NULL)::int AS running,
       count(*) FILTER (WHERE locked_at IS NULL AND attempts >= max_attempts AND key IS NOT NULL)::int AS stuck,
       min(created_at) FILTER (WHERE live) AS "oldestCreatedAt",
       extract(epoch FROM now() - min(run_at) FILTER (WHERE locked_at IS NULL AND run_at <= now()
         AND attempts < max_attempts))::float8 AS "oldestReadyAgeSeconds"
     FROM (SELECT *, attempts < max_attempts OR locked_at IS NOT NULL AS live FROM graphile_worker.jobs
           WHERE task_identifier = ${SEND_BATCH_TASK}) j`)
  const r = rows[0]
  return {
    depth: r?.depth ?? 0,
    ready: r?.ready ?? 0,
    running: r?.running ?? 0,
    stuck: r?.stuck ?? 0,
    oldestCreatedAt: r?.oldestCreatedAt ?? null,
    oldestReadyAgeSeconds: r?.oldestReadyAgeSeconds ?? null,
  }
}

async function workers(): Promise<WorkerState[]> {
  const staleMs = submissionConfig().staleMs
  const rows = await db.$queryRaw<Omit<WorkerState, 'alive'>[]>(sql`
    SELECT id, host, pid, "startedAt", "seenAt", extract(epoch FROM clock_timestamp() - "seenAt")::float8 AS "ageSeconds"
     FROM "WorkerHeartbeat" ORDER BY "startedAt"`)
  return rows.map((w) => ({ ...w, alive: w.ageSeconds * 1000 < staleMs }))
}

/** for GET /api/health (public): counts and ages only, no business data */
export async function getPipelineHealth() {
  const [queue, ws] = await Promise.all([queueHealth(), workers()])
  return {
    queue: {
      depth: queue.depth,
      ready: queue.ready,
      running: queue.running,
      oldestReadyAgeSeconds:
        queue.oldestReadyAgeSeconds === null ? null : Math.round(queue.oldestReadyAgeSeconds),
    },
    workers: { alive: ws.filter((w) => w.alive).length, stale: ws.filter((w) => !w.alive).length },
  }
}

/** uploads waiting for or running a check or storing, per lane, and the files waiting in the database */
async function uploadQueue() {
  const [lanes, files] = await Promise.all([
    db.$queryRaw<{ lane: string; waiting: number; running: number; oldestWaiting: Date | null }[]>(sql`
      SELECT coalesce("jobLane", 'large') AS lane,
         count(*) FILTER (WHERE "jobStartedAt" IS NULL)::int AS waiting,
         count(*) FILTER (WHERE "jobStartedAt" IS NOT NULL)::int AS running,
         min("jobQueuedAt") FILTER (WHERE "jobStartedAt" IS NULL) AS "oldestWaiting"
       FROM "Upload" WHERE status IN ('PARSING', 'COMMITTING') AND "jobToken" IS NOT NULL GROUP BY 1`),
    // the upload rows that still have a file (its first piece), with their sizes: no piece is read
    db.$queryRaw<{ uploads: number; bytes: bigint | null }[]>(sql`
      SELECT count(*)::int AS uploads, sum(u."sizeBytes")::bigint AS bytes FROM "Upload" u
       WHERE EXISTS (SELECT 1 FROM "UploadFileChunk" c WHERE c."uploadId" = u.id AND c.seq = 0)`),
  ])
  const lane = (name: string) =>
    lanes.find((l) => l.lane === name) ?? { waiting: 0, running: 0, oldestWaiting: null }
  return {
    large: lane('large'),
    small: lane('small'),
    filesWaiting: files[0]?.uploads ?? 0,
    fileBytes: Number(files[0]?.bytes ?? 0),
  }
}

/** the operations page (admins only): null for anyone else */
export async function getOperations(caller: Caller) {
  if (caller.role !== 'ADMIN') return null
  const [connections, queue, ws, batches, attempts, recentErrors, failedBatches, uploads] = await Promise.all(
    [
      db.constructorConnection.findMany({
        orderBy: { createdAt: 'asc' },
        select: {
          id: true,
          name: true,
          baseUrl: true,
          paused: true,
          pausedReason: true,
          pausedAt: true,
          lastTestedAt: true,
          lastTestOk: true,
          lastTestMessage: true,
          maxConcurrency: true,
          maxRequestsPerSecond: true,
          pace: { select: { rate: true, nextAt: true, holdUntil: true, updatedAt: true } },
        },
      }),
      queueHealth(),
      workers(),
      db.$queryRaw<{ status: string; n: number; oldest: Date | null }[]>(sql`
      SELECT status::text, count(*)::int AS n, min("createdAt") AS oldest FROM "Batch"
       WHERE status IN ('QUEUED', 'SENDING', 'RETRY_WAIT', 'FAILED') GROUP BY 1`),
      db.$queryRaw<{ outcome: string; n: number }[]>(sql`
      SELECT coalesce(outcome::text, 'IN_FLIGHT') AS outcome, count(*)::int AS n FROM "BatchAttempt"
       WHERE "startedAt" > now() - interval '24 hours' GROUP BY 1 ORDER BY 1`),
      // the primary key is time-ordered (UUIDv7): newest first without another index
      db.$queryRaw<
        {
          id: string
          batchId: string
          number: number
          startedAt: Date
          httpStatus: number | null
          outcome: string
          responseExcerpt: string | null
          workerId: string | null
        }[]
      >(sql`
      SELECT id::text, "batchId"::text AS "batchId", number, "startedAt", "httpStatus", outcome::text,
         left("responseExcerpt", 300) AS "responseExcerpt", "workerId"
       FROM "BatchAttempt" WHERE outcome IS NOT NULL AND outcome <> 'ACCEPTED' ORDER BY id DESC LIMIT 20`),
      db.batch.findMany({
        where: { status: 'FAILED' },
        orderBy: { updatedAt: 'desc' },
        take: 10,
        select: {
          id: true,
          eventCount: true,
          attempts: true,
          lastHttpStatus: true,
          lastError: true,
          updatedAt: true,
        },
      }),
      uploadQueue(),
    ],
  )
  const now = Date.now()
  return {
    connections: connections.map((c) => ({
      ...c,
      rateLimited: Boolean(c.pace?.holdUntil && c.pace.holdUntil.getTime() > now),
    })),
    queue,
    workers: ws,
    batches: Object.fromEntries(batches.map((b) => [b.status, { count: b.n, oldest: b.oldest }])) as Partial<
      Record<'QUEUED' | 'SENDING' | 'RETRY_WAIT' | 'FAILED', { count: number; oldest: Date | null }>
    >,
    attempts24h: attempts,
    recentErrors,
    failedBatches,
    uploads,
  }
}

export type Operations = NonNullable<Awaited<ReturnType<typeof getOperations>>>
