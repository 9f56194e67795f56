-- The sales table sorted by order id or amount, among the events that need a person (INVALID, FAILED, EXCLUDED):
-- the page walks these indexes in order and stops at the page, instead of reading every match of a reason
-- group (the failures inbox's drill-down) to sort them. Partial on the generated "attentionStatus" like its
-- time index (migration 20261128100000_hot_status_changes), so submitting still changes rows in place.
CREATE INDEX "SaleEvent_attentionStatus_orderId_id_idx" ON "SaleEvent"("attentionStatus", "orderId", id) WHERE "attentionStatus" IS NOT NULL;
CREATE INDEX "SaleEvent_attentionStatus_itemsTotal_id_idx" ON "SaleEvent"("attentionStatus", "itemsTotal", id) WHERE "attentionStatus" IS NOT NULL;
