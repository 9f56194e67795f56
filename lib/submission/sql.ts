import type { Prisma, PrismaClient } from '@/lib/generated/prisma/client'

// The one shape every status change runs through: a pg client (worker hot path) or a Prisma transaction.
export type Queryable = {
  query<R = Record<string, unknown>>(text: string, values?: unknown[]): Promise<{ rows: R[] }>
}

type PrismaRaw = Pick<PrismaClient, '$queryRawUnsafe'> | Prisma.TransactionClient

// Prisma's raw API under the same interface, so actions can change status inside their interactive transaction.
export function prismaQueryable(tx: PrismaRaw): Queryable {
  return {
    async query<R>(text: string, values: unknown[] = []) {
      const rows = (await tx.$queryRawUnsafe(text, ...values)) as R[]
      return { rows }
    },
  }
}

// UUIDv7 in SQL (PostgreSQL 15 has no uuidv7()): time-ordered like every other id in the schema.
export const SQL_UUID_V7 = `encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid`
