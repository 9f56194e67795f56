-- CreateIndex
CREATE INDEX "SaleEvent_storeId_submittedAt_idx" ON "SaleEvent"("storeId", "submittedAt");
