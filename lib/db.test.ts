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
})
