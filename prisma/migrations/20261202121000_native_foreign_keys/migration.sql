-- Native foreign keys again for line item → event, search row → event, event → store and event → upload, on
-- every server version. Migration 20261128040000_bulk_foreign_keys had made them NOT ENFORCED on PostgreSQL 18
-- and checked them with statement triggers: integrity then depended on the server version and every new key
-- needed triggers of its own. A per-row key check costs a large upload a few seconds; that is the trade.

DROP TRIGGER IF EXISTS "LineItem_fk_insert" ON "LineItem";
DROP TRIGGER IF EXISTS "LineItem_fk_update" ON "LineItem";
DROP TRIGGER IF EXISTS "SaleEventSearch_fk_update" ON "SaleEventSearch";
DROP TRIGGER IF EXISTS "SaleEvent_fk_store_insert" ON "SaleEvent";
DROP TRIGGER IF EXISTS "SaleEvent_fk_upload_insert" ON "SaleEvent";
DROP TRIGGER IF EXISTS "SaleEvent_fk_store_update" ON "SaleEvent";
DROP TRIGGER IF EXISTS "SaleEvent_fk_upload_update" ON "SaleEvent";
DROP TRIGGER IF EXISTS "SaleEvent_fk_deleted" ON "SaleEvent";
DROP TRIGGER IF EXISTS "Store_fk_deleted" ON "Store";
DROP TRIGGER IF EXISTS "Upload_fk_deleted" ON "Upload";
DROP TRIGGER IF EXISTS "SaleEvent_id_unchanged" ON "SaleEvent";
DROP TRIGGER IF EXISTS "Store_id_unchanged" ON "Store";
DROP TRIGGER IF EXISTS "Upload_id_unchanged" ON "Upload";

DROP FUNCTION fk_statement_check();
DROP FUNCTION fk_row_check();
DROP FUNCTION fk_refuse_id_change();
DROP FUNCTION fk_sale_event_deleted();
DROP FUNCTION fk_store_deleted();
DROP FUNCTION fk_upload_deleted();

-- Dropped and added again (rather than ALTER CONSTRAINT … ENFORCED, which older servers cannot parse): the
-- same definitions as the first migration's, each checked against the rows already stored.
ALTER TABLE "LineItem" DROP CONSTRAINT "LineItem_eventId_fkey";
ALTER TABLE "LineItem" ADD CONSTRAINT "LineItem_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "SaleEvent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "SaleEventSearch" DROP CONSTRAINT "SaleEventSearch_eventId_fkey";
ALTER TABLE "SaleEventSearch" ADD CONSTRAINT "SaleEventSearch_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "SaleEvent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "SaleEvent" DROP CONSTRAINT "SaleEvent_storeId_fkey";
ALTER TABLE "SaleEvent" ADD CONSTRAINT "SaleEvent_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "SaleEvent" DROP CONSTRAINT "SaleEvent_uploadId_fkey";
ALTER TABLE "SaleEvent" ADD CONSTRAINT "SaleEvent_uploadId_fkey" FOREIGN KEY ("uploadId") REFERENCES "Upload"("id") ON DELETE SET NULL ON UPDATE CASCADE;
