import { jobSpecsSql } from '@/lib/submission/jobs'
import type { Queryable } from '@/lib/submission/sql'

// The Constructor connection's state machine: RUNNING (paused = false) or PAUSED (paused = true, with the reason and
// the time). Every write of `paused` is here or in the batch move that found out (see the table). A new connection
// starts RUNNING (the column's default): creating one is not a move.

export type ConnectionState = 'RUNNING' | 'PAUSED'

/** every allowed move, with the writer that makes it */
export const CONNECTION_MOVES = [
  // Constructor refused the credentials (401/403), or the stored token cannot be used at all: the batch that found
  // out goes back to QUEUED in the same statement, so the pause and the batch's move are never seen apart
  { from: 'RUNNING', to: 'PAUSED', writer: 'markPaused (lib/submission/transitions.ts)' },
  // an admin saved settings that passed their test; every waiting batch gets its send job back
  { from: 'PAUSED', to: 'RUNNING', writer: 'resumeConnection' },
] as const satisfies readonly { from: ConnectionState; to: ConnectionState; writer: string }[]

// PAUSED → RUNNING, and a send job for every waiting batch in the same statement: the batches go out at once, not
// at the worker's next sweep. Run it inside the transaction that records why (the test, the audit entry).
export async function resumeConnection(q: Queryable, connectionId: string) {
  const { rows } = await q.query<{ resumed: number; jobs: number }>(
    `WITH c AS (
       UPDATE "ConstructorConnection" SET paused = false, "pausedReason" = NULL, "pausedAt" = NULL, "updatedAt" = now()
       WHERE id = $1::uuid AND paused RETURNING id
     ), w AS (
       SELECT b.id, b."connectionId", b."nextAttemptAt" FROM "Batch" b
       WHERE b."connectionId" = $1::uuid AND b.status IN ('QUEUED', 'RETRY_WAIT')
     )
     SELECT (SELECT count(*) FROM c)::int AS resumed,
       CASE WHEN EXISTS (SELECT 1 FROM c) THEN ${jobSpecsSql('SELECT id, "connectionId", "nextAttemptAt" FROM w')} ELSE 0 END AS jobs`,
    [connectionId],
  )
  return { resumed: (rows[0]?.resumed ?? 0) > 0, batches: rows[0]?.jobs ?? 0 }
}
