import fs from 'node:fs'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createConnection, createStore, seedReadyEvents } from '@/lib/submission/testing'
import { claimEventsIntoBatches } from '@/lib/submission/transitions'

// Migration 20261128100000_hot_status_changes finds an open batch's events through the ids the batch keeps. A
// database upgraded with batches open (a demo's data folder, a production queue) must get the same ids and stores
// the claim writes today, or those batches would have no events to send.
const MIGRATION = 'prisma/migrations/20261128100000_hot_status_changes/migration.sql'

let c: pg.Client
beforeAll(async () => {
  c = new pg.Client({ connectionString: inject('databaseUrl') })
  await c.connect()
})
afterAll(async () => {
  await c.end()
})

describe('the HOT status migration', () => {
  it('gives batches open at the upgrade the event ids and stores a claim writes', async () => {
    const q = { query: (text: string, values?: unknown[]) => c.query(text, values) } as never
    await c.query('BEGIN')
    try {
      const [a, b] = [await createStore(c, 'BACKFILL-A'), await createStore(c, 'BACKFILL-B')]
      const connectionId = await createConnection(c, { baseUrl: 'http://127.0.0.1:9', token: 'backfill' })
      await seedReadyEvents(c, a, 150, { orderPrefix: 'BACKFILL-A-' })
      await seedReadyEvents(c, b, 30, { orderPrefix: 'BACKFILL-B-' })
      const claimed = await claimEventsIntoBatches(q, {
        where: 'e."storeId" = ANY($1::uuid[])',
        params: [[a, b]],
        connectionId,
        createdById: null,
      })
      expect(claimed).toMatchObject({ eventCount: 180 })
      // a batch's stores are a set: the claim writes them sorted, the backfill in whatever order DISTINCT gives
      const read = () =>
        c.query(
          `SELECT id, "eventIds", ARRAY(SELECT s FROM unnest("storeIds") AS s ORDER BY s) AS "storeIds"
           FROM "Batch" WHERE id = ANY($1::uuid[]) ORDER BY id`,
          [claimed.batchIds],
        )
      const written = (await read()).rows
      // one batch holds one store's events, the other both stores' (ids made in the same millisecond sort either way)
      expect(written.map((r) => r.storeIds.length).sort()).toEqual([1, 2])
      // as before the migration: the batches know nothing of their events
      await c.query(`UPDATE "Batch" SET "eventIds" = '{}', "storeIds" = '{}' WHERE id = ANY($1::uuid[])`, [
        claimed.batchIds,
      ])
      const backfill = fs
        .readFileSync(MIGRATION, 'utf8')
        .split('\n')
        .filter((line) => !line.startsWith('--'))
        .join('\n')
        .split(';')
        .map((s) => s.trim())
        .filter((s) => s.startsWith('UPDATE "Batch"'))
      expect(backfill).toHaveLength(3)
      for (const statement of backfill) await c.query(statement)
      expect((await read()).rows).toEqual(written)
    } finally {
      await c.query('ROLLBACK')
    }
  })
})
