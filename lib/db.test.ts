import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { closeDbPool, db, dbPool } from '@/lib/db'

afterAll(closeDbPool)

describe('the database pool', () => {
  it('is one per process: Prisma and COPY take their connections from it', async () => {
    const pool = dbPool()
    expect(dbPool()).toBe(pool)
    expect(pool.totalCount).toBe(0)
    await db.$queryRaw`SELECT 1`
    expect(pool.totalCount).toBe(1)
    const client = await pool.connect()
    try {
      // a connection Prisma gave back serves raw pg next
      expect(pool.totalCount).toBe(1)
    } finally {
      client.release()
    }
  })

  it('survives the server closing an idle connection (an outage must not end the process)', async () => {
    await closeDbPool()
    // the pool alone, before Prisma has connected (Prisma's adapter listens to the pool only while it is connected)
    const pool = dbPool()
    const client = await pool.connect()
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
    client.release()
    const other = new pg.Client({ connectionString: process.env.DATABASE_URL })
    await other.connect()
    await other.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid])
    await other.end()
    // the idle client's error arrives on the pool; without a listener it is an uncaught error
    await new Promise((r) => setTimeout(r, 200))
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }])
  })
})
