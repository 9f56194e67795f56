-- The pacer no longer signals that a process waits for a slot (see lib/submission/pace.ts).
ALTER TABLE "ConnectionPace" DROP COLUMN "slotWantedAt";
