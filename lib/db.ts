import { PrismaPg } from '@prisma/adapter-pg'
import { env } from '@/lib/env'
import { PrismaClient } from '@/lib/generated/prisma/client'

// One Prisma client per process (kept on globalThis so dev-mode reloads don't open new pools).
const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient }

export function createPrismaClient(connectionString = env().DATABASE_URL) {
  if (!connectionString) {
    throw new Error('DATABASE_URL is not set: start the product with `npm start`, which provides a database')
  }
  return new PrismaClient({
    // jit off for the app's sessions on any server: its queries are short, and compiling one costs more
    // (≈ 10 ms seen on the sales table) than it saves
    adapter: new PrismaPg({
      connectionString,
      max: env().DB_POOL_MAX,
      options: '-c jit=off',
    }),
  })
}

export const db: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, prop) {
    globalForPrisma.prisma ??= createPrismaClient()
    const value = Reflect.get(globalForPrisma.prisma, prop)
    return typeof value === 'function' ? value.bind(globalForPrisma.prisma) : value
  },
})

export { Prisma } from '@/lib/generated/prisma/client'
