-- BatchEvent's foreign keys back (issue 15: integrity stays in the database). Migration
-- 20261128021500_batch_event_no_fk had dropped them for a quarter of a batch outcome's statement and deleted an
-- event's or a batch's history by statement triggers instead; the keys cascade the same deletes natively.

DROP TRIGGER "SaleEvent_batch_events_delete" ON "SaleEvent";
DROP TRIGGER "Batch_batch_events_delete" ON "Batch";
DROP FUNCTION batch_event_delete_for_events();
DROP FUNCTION batch_event_delete_for_batches();

-- the triggers kept every row's batch and event; a row without them could only come from outside the product
DELETE FROM "BatchEvent" be
WHERE NOT EXISTS (SELECT 1 FROM "Batch" b WHERE b.id = be."batchId")
   OR NOT EXISTS (SELECT 1 FROM "SaleEvent" e WHERE e.id = be."eventId");

ALTER TABLE "BatchEvent" ADD CONSTRAINT "BatchEvent_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "Batch"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "BatchEvent" ADD CONSTRAINT "BatchEvent_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "SaleEvent"("id") ON DELETE CASCADE ON UPDATE CASCADE;
