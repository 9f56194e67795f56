-- A process that found every concurrency slot taken notes it here; processes holding slots give theirs back after a
-- quantum while it is recent (see lib/submission/pace.ts).
ALTER TABLE "ConnectionPace" ADD COLUMN "slotWantedAt" TIMESTAMPTZ(3);
