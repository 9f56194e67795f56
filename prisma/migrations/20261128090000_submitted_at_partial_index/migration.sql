-- Only submitted events are indexed by their submission time: the index answers "the last successful submission of
-- a store" (max("submittedAt") WHERE "submittedAt" IS NOT NULL), and an event without the time is never looked up by
-- it. A full index also recorded the NULL of every stored event and, again, of every event a submission claims (the
-- claim rewrites each row, so every index gets a new entry): 250,000 entries nobody reads per big submission.
-- Prisma's schema cannot state a partial index without a preview feature, so it lives here only.
DROP INDEX "SaleEvent_storeId_submittedAt_idx";
CREATE INDEX "SaleEvent_storeId_submittedAt_idx" ON "SaleEvent"("storeId", "submittedAt") WHERE "submittedAt" IS NOT NULL;
