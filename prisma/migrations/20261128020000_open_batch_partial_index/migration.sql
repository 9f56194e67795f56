-- Only events in an open batch are indexed by it: the outcome of every batch sets 100 events' openBatchId to
-- NULL, which a full index would record as 100 new entries, all at its same end (concurrent outcomes queued
-- behind each other on that page). Prisma's schema cannot state a partial index without a preview feature,
-- so it lives here only.
DROP INDEX "SaleEvent_openBatchId_idx";
CREATE INDEX "SaleEvent_openBatchId_idx" ON "SaleEvent"("openBatchId") WHERE "openBatchId" IS NOT NULL;
