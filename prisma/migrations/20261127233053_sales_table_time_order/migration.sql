-- DropIndex
DROP INDEX "SaleEvent_occurredAt_idx";

-- DropIndex
DROP INDEX "SaleEvent_storeId_occurredAt_idx";

-- CreateIndex
CREATE INDEX "SaleEvent_storeId_occurredAt_id_idx" ON "SaleEvent"("storeId", "occurredAt", "id");

-- CreateIndex
CREATE INDEX "SaleEvent_occurredAt_id_idx" ON "SaleEvent"("occurredAt", "id");
