-- Trigram indexes for the sales table's substring search (pg_trgm ships with PostgreSQL)
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateIndex
CREATE INDEX "LineItem_itemId_trgm_idx" ON "LineItem" USING GIN ("itemId" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "SaleEvent_orderId_id_idx" ON "SaleEvent"("orderId", "id");

-- CreateIndex
CREATE INDEX "SaleEvent_itemsTotal_id_idx" ON "SaleEvent"("itemsTotal", "id");

-- CreateIndex
CREATE INDEX "SaleEvent_orderId_trgm_idx" ON "SaleEvent" USING GIN ("orderId" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "SaleEvent_customerId_trgm_idx" ON "SaleEvent" USING GIN ("customerId" gin_trgm_ops);
