-- An upload's value over a limit (a 300-character item id) is stored on its INVALID event with the reason,
-- never a failed commit: the text columns hold twice the limit (lib/sales/limits.ts, storedTextLength), so
-- such a value is kept whole and stays over the limit when the event is checked again; a longer one is
-- stored cut to 500 characters. Widening a VARCHAR rewrites neither the table nor its indexes.

-- the two triggers whose WHEN names these columns go while the types change, and come back unchanged
DROP TRIGGER "SaleEvent_search_update" ON "SaleEvent";
DROP TRIGGER "LineItem_item_search_update" ON "LineItem";

-- AlterTable
ALTER TABLE "SaleEvent" ALTER COLUMN "orderId" SET DATA TYPE VARCHAR(500),
ALTER COLUMN "customerId" SET DATA TYPE VARCHAR(500),
ALTER COLUMN "returnDropOff" SET DATA TYPE VARCHAR(500);

-- AlterTable
ALTER TABLE "LineItem" ALTER COLUMN "itemId" SET DATA TYPE VARCHAR(500),
ALTER COLUMN "itemName" SET DATA TYPE VARCHAR(500),
ALTER COLUMN "variationId" SET DATA TYPE VARCHAR(500);

-- AlterTable (kept by triggers from the columns above)
ALTER TABLE "SaleEventSearch" ALTER COLUMN "orderId" SET DATA TYPE VARCHAR(500),
ALTER COLUMN "customerId" SET DATA TYPE VARCHAR(500);

-- AlterTable
ALTER TABLE "ItemIdSearch" ALTER COLUMN "itemId" SET DATA TYPE VARCHAR(500);

CREATE TRIGGER "SaleEvent_search_update" AFTER UPDATE OF "orderId", "customerId" ON "SaleEvent"
  FOR EACH ROW WHEN (OLD."orderId" IS DISTINCT FROM NEW."orderId" OR OLD."customerId" IS DISTINCT FROM NEW."customerId")
  EXECUTE FUNCTION sale_event_search_update();

CREATE TRIGGER "LineItem_item_search_update" AFTER UPDATE OF "itemId" ON "LineItem"
  FOR EACH ROW WHEN (NEW."itemId" IS NOT NULL AND OLD."itemId" IS DISTINCT FROM NEW."itemId")
  EXECUTE FUNCTION item_id_search_update();
