import { PrismaPg } from '@prisma/adapter-pg'
import pg from 'pg'
import { env } from '@/lib/env'
import { PrismaClient } from '@/lib/generated/prisma/client'
import { logger } from '@/lib/log'

// One pool and one Prisma client per process (kept on globalThis so dev-mode reloads don't open new pools).
// COPY and the few statements Prisma cannot express take their connections from the same pool.
const globalForDb = globalThis as unknown as { pool?: pg.Pool; prisma?: PrismaClient }

function createPool(connectionString = env().DATABASE_URL) {
  if (!connectionString) {
    throw new Error('DATABASE_URL is not set: start the product with `npm start`, which provides a database')
  }
  const pool = new pg.Pool({
    connectionString,
    max: env().DB_POOL_MAX,
    // jit off for the app's sessions on any server: its queries are short, and compiling one costs more
    // than it saves
    options: '-c jit=off',
  })
  // An idle connection the server closed (a restart, an outage) is dropped by the pool; unheard, its error
  // would end the process.
  pool.on('error', (e) => logger.warn({ err: e.message }, 'an idle database connection was closed'))
  return pool
}

/** A Prisma client with a pool of its own (seeding, tests, benchmarks on another database). */
export function createPrismaClient(connectionString?: string) {
  return new PrismaClient({
    adapter: new PrismaPg(createPool(connectionString), { disposeExternalPool: true }),
  })
}

/** The process's pool, the one `db` uses: for COPY and raw pg. */
export function dbPool(): pg.Pool {
  globalForDb.pool ??= createPool()
  return globalForDb.pool
}

/** Ends the process's pool (a script or test file that is done with the database). */
export async function closeDbPool() {
  const pool = globalForDb.pool
  globalForDb.pool = undefined
  globalForDb.prisma = undefined
  await pool?.end()
}

export const db: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, prop) {
    globalForDb.prisma ??= new PrismaClient({ adapter: new PrismaPg(dbPool()) })
    const value = Reflect.get(globalForDb.prisma, prop)
    return typeof value === 'function' ? value.bind(globalForDb.prisma) : value
  },
})

export { Prisma } from '@/lib/generated/prisma/client'
