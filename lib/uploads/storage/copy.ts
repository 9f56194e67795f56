// Bulk rows go to PostgreSQL with COPY (lib/db/copy), on the process's one pool (the one Prisma uses too).
export { closeDbPool as closeIngestPools, dbPool as ingestPool } from '@/lib/db'
