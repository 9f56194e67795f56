-- Status changes become HOT updates. PostgreSQL rewrites a row in place, without a new entry in every index, when
-- no column an index names (in its key or its predicate) changes value. Submitting changes status, openBatchId and
-- submittedAt of every event twice (READY → QUEUED, QUEUED → SUBMITTED); five indexes named one of them, so every
-- change wrote an entry into each of the table's ten btree indexes (4.7 s for 250,000 events; 0.6 s as HOT updates).
--
-- - status: the indexes keep only the statuses a person acts on (INVALID, FAILED, EXCLUDED), through a generated
--   column that stays NULL while an event goes READY → QUEUED → SUBMITTED. Filters on READY, QUEUED or SUBMITTED walk
--   the time index (they are a large share of the events, or found through their open batch).
-- - openBatchId: an open batch's events are found through the ids the batch keeps ("Batch"."eventIds").
-- - submittedAt: the last submission of a store is found through its batches ("Batch"."storeIds").
ALTER TABLE "SaleEvent" ADD COLUMN "attentionStatus" "EventStatus" GENERATED ALWAYS AS (CASE WHEN status IN ('INVALID', 'FAILED', 'EXCLUDED') THEN status END) STORED;
DROP INDEX "SaleEvent_status_occurredAt_idx";
DROP INDEX "SaleEvent_storeId_status_occurredAt_idx";
CREATE INDEX "SaleEvent_attentionStatus_occurredAt_idx" ON "SaleEvent"("attentionStatus", "occurredAt") WHERE "attentionStatus" IS NOT NULL;
CREATE INDEX "SaleEvent_storeId_attentionStatus_occurredAt_idx" ON "SaleEvent"("storeId", "attentionStatus", "occurredAt") WHERE "attentionStatus" IS NOT NULL;
-- the reasons of INVALID events, with the store first (btree_gin), so a manager's drill-down reads only the store's
-- events with that reason (the predicate names the generated column, not status)
CREATE EXTENSION IF NOT EXISTS btree_gin;
DROP INDEX "SaleEvent_invalid_reasons_idx";
CREATE INDEX "SaleEvent_invalid_reasons_idx" ON "SaleEvent" USING GIN ("storeId", sale_issue_reasons(issues))
  WHERE "attentionStatus" = 'INVALID';
DROP INDEX "SaleEvent_storeId_submittedAt_idx";
DROP INDEX "SaleEvent_openBatchId_idx";
-- room on each page for the new version of a row, so an update can stay on its page
ALTER TABLE "SaleEvent" SET (fillfactor = 50);

ALTER TABLE "Batch" ADD COLUMN "eventIds" UUID[] NOT NULL DEFAULT '{}';
UPDATE "Batch" b SET "eventIds" = m.ids
FROM (SELECT "openBatchId" AS id, array_agg(id ORDER BY id) AS ids FROM "SaleEvent" WHERE "openBatchId" IS NOT NULL GROUP BY 1) m
WHERE b.id = m.id;
UPDATE "Batch" b SET "eventIds" = m.ids
FROM (SELECT "batchId" AS id, array_agg("eventId" ORDER BY "eventId") AS ids FROM "BatchEvent" GROUP BY 1) m
WHERE b.id = m.id AND b."eventIds" = '{}';
ALTER TABLE "Batch" ADD COLUMN "storeIds" UUID[] NOT NULL DEFAULT '{}';
UPDATE "Batch" b SET "storeIds" = ARRAY(SELECT DISTINCT e."storeId" FROM unnest(b."eventIds") AS x(id) JOIN "SaleEvent" e ON e.id = x.id)
WHERE cardinality(b."eventIds") > 0;
-- a store's last submission: its newest SUCCEEDED batch (walked newest first)
CREATE INDEX "Batch_status_finishedAt_idx" ON "Batch"(status, "finishedAt");

-- An open batch's events: the ids it keeps that still name it as their open batch.
CREATE OR REPLACE VIEW "BatchMember" AS
SELECT be."batchId", be."eventId", be.position, be.outcome, be.error
FROM "BatchEvent" be
UNION ALL
SELECT b.id, e.id, NULL::integer, 'PENDING'::"BatchEventOutcome", NULL::text
FROM "Batch" b
CROSS JOIN LATERAL unnest(b."eventIds") AS x(id)
JOIN "SaleEvent" e ON e.id = x.id AND e."openBatchId" = b.id
WHERE b.status IN ('QUEUED', 'SENDING', 'RETRY_WAIT');
