-- BatchEvent rows are now written when an event's fate in a batch is decided (SUBMITTED, FAILED, SPLIT,
-- CANCELLED); while a batch is open its events are the SaleEvent rows whose "openBatchId" names it. Submitting
-- 250,000 events no longer inserts 250,000 PENDING rows (and checks two foreign keys for each) in the
-- submit's one transaction, nor updates them again at the outcome.

-- the PENDING rows of batches open at the upgrade: their membership is already in "openBatchId"
DELETE FROM "BatchEvent" WHERE outcome = 'PENDING';

-- Every event every batch held: decided ones with their outcome, and the open batch's events as PENDING
-- (position: null until sent). Readers filter by "batchId" or "eventId": both branches use an index.
CREATE VIEW "BatchMember" AS
SELECT be."batchId", be."eventId", be.position, be.outcome, be.error
FROM "BatchEvent" be
UNION ALL
SELECT e."openBatchId", e.id, NULL::integer, 'PENDING'::"BatchEventOutcome", NULL::text
FROM "SaleEvent" e
WHERE e."openBatchId" IS NOT NULL;
