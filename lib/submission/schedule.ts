import type pg from 'pg'
import { nextRunAt, type ScheduleMode } from './next-run'
import { SubmissionError, submitStoreOnSchedule } from './submit'

// The stores' scheduled submissions, run from the worker's crontab every minute (tasks/run-schedules.ts).
// graphile-worker's crontab fires each minute once across all workers; beyond that, each due store is taken
// under its row lock (SKIP LOCKED) and its next run moves on in the same transaction, so two runners can never
// submit the same schedule twice.

// graphile-worker's crontab takes task names of letters, digits, _ : / and - (no dots)
export const RUN_SCHEDULES_TASK = 'submission:run-schedules'
/** every minute, at most one run at a time */
export const SCHEDULES_CRONTAB = `* * * * * ${RUN_SCHEDULES_TASK} ?max=1`

type Due = { storeId: string; mode: ScheduleMode; dailyAt: string | null; timeZone: string; ready: number }

export type ScheduleRun = { storeId: string; ok: boolean; eventCount: number; result: string }

function plural(n: number, one: string) {
  return `${n.toLocaleString('en-US')} ${one}${n === 1 ? '' : 's'}`
}

/** runs every schedule that is due at `now`; returns what each run did (stores with nothing to do are skipped) */
export async function runDueSchedules(pool: pg.Pool, now = new Date()): Promise<ScheduleRun[]> {
  const runs: ScheduleRun[] = []
  // one store per transaction: a store whose submission fails does not hold back the others
  for (;;) {
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      const { rows } = await client.query<Due>(
        `SELECT s."storeId"::text AS "storeId", s.mode::text AS mode, s."dailyAt", st."timeZone",
           (SELECT count(*)::int FROM "SaleEvent" e
             WHERE e."storeId" = s."storeId" AND e.status = 'READY' AND e."openBatchId" IS NULL) AS ready
         FROM "StoreSchedule" s JOIN "Store" st ON st.id = s."storeId"
         WHERE s.mode <> 'OFF' AND st.active AND s."nextRunAt" <= $1
           AND NOT (s."storeId" = ANY($2::uuid[]))
           AND (s.mode = 'DAILY' OR EXISTS (SELECT 1 FROM "SaleEvent" e
             WHERE e."storeId" = s."storeId" AND e.status = 'READY' AND e."openBatchId" IS NULL))
         ORDER BY s."nextRunAt", s."storeId" LIMIT 1
         FOR UPDATE OF s SKIP LOCKED`,
        [now, runs.map((r) => r.storeId)],
      )
      const due = rows[0]
      if (!due) {
        await client.query('COMMIT')
        return runs
      }
      let run: ScheduleRun
      await client.query('SAVEPOINT submit')
      try {
        const r = await submitStoreOnSchedule(client, due.storeId)
        const held = r.held
          ? ` ${plural(r.held, 'sale')} held for items not in your Constructor catalog.`
          : ''
        run = {
          storeId: due.storeId,
          ok: true,
          eventCount: r.eventCount,
          result:
            (r.eventCount === 0
              ? 'Nothing was ready to submit.'
              : `Submitted ${plural(r.eventCount, 'sale')} in ${plural(r.batchCount, 'batch')}.`.replace(
                  'batchs',
                  'batches',
                )) + held,
        }
      } catch (e) {
        await client.query('ROLLBACK TO SAVEPOINT submit')
        if (!(e instanceof SubmissionError)) throw e
        run = { storeId: due.storeId, ok: false, eventCount: 0, result: e.message.slice(0, 500) }
      }
      await client.query(
        `UPDATE "StoreSchedule" SET "lastRunAt" = $2, "lastOk" = $3, "lastResult" = $4, "nextRunAt" = $5,
           "updatedAt" = now()
         WHERE "storeId" = $1::uuid`,
        [due.storeId, now, run.ok, run.result, nextRunAt(due.mode, due.dailyAt, due.timeZone, now)],
      )
      await client.query('COMMIT')
      runs.push(run)
    } catch (e) {
      await client.query('ROLLBACK').catch(() => {})
      throw e
    } finally {
      client.release()
    }
  }
}
