-- BatchEvent without foreign keys. The outcome of a batch inserts 100 rows here; two key checks per row were a
-- quarter of that statement's time (EXPLAIN ANALYZE: 0.73 of 3.0 ms). The rows are only ever inserted by the
-- statement that updates the event and batch rows they name (lib/submission/transitions.ts), so they cannot name
-- a missing one; what the keys also did, deleting an event's or a batch's history with it, the triggers below do.

ALTER TABLE "BatchEvent" DROP CONSTRAINT "BatchEvent_batchId_fkey";
ALTER TABLE "BatchEvent" DROP CONSTRAINT "BatchEvent_eventId_fkey";

CREATE FUNCTION batch_event_delete_for_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "BatchEvent" be USING deleted_events d WHERE be."eventId" = d.id;
  RETURN NULL;
END $$;

CREATE TRIGGER "SaleEvent_batch_events_delete" AFTER DELETE ON "SaleEvent"
  REFERENCING OLD TABLE AS deleted_events FOR EACH STATEMENT EXECUTE FUNCTION batch_event_delete_for_events();

CREATE FUNCTION batch_event_delete_for_batches() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "BatchEvent" be USING deleted_batches d WHERE be."batchId" = d.id;
  RETURN NULL;
END $$;

CREATE TRIGGER "Batch_batch_events_delete" AFTER DELETE ON "Batch"
  REFERENCING OLD TABLE AS deleted_batches FOR EACH STATEMENT EXECUTE FUNCTION batch_event_delete_for_batches();
