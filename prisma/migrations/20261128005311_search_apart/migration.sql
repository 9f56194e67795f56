-- The substring search over order and customer ids moves out of "SaleEvent" into "SaleEventSearch", so that
-- status changes (claim → QUEUED, outcome → SUBMITTED/FAILED: every submitted event twice) no longer
-- rewrite two GIN trigram indexes. "SaleEventSearch" is written only by the triggers below.

-- DropIndex
DROP INDEX "SaleEvent_customerId_trgm_idx";

-- DropIndex
DROP INDEX "SaleEvent_orderId_trgm_idx";

-- DropIndex (no query orders or filters sale events by updatedAt)
DROP INDEX "SaleEvent_updatedAt_idx";

-- DropIndex (the trigram index answers a whole item id too: one index less on a million line items)
DROP INDEX "LineItem_itemId_idx";

-- CreateTable
CREATE TABLE "SaleEventSearch" (
    "eventId" UUID NOT NULL,
    "orderId" VARCHAR(250) NOT NULL,
    "customerId" VARCHAR(250),

    CONSTRAINT "SaleEventSearch_pkey" PRIMARY KEY ("eventId")
);

-- the events stored so far (before the indexes: one bulk build instead of row-by-row upkeep)
INSERT INTO "SaleEventSearch" ("eventId", "orderId", "customerId")
SELECT id, "orderId", "customerId" FROM "SaleEvent";

-- CreateIndex
CREATE INDEX "SaleEventSearch_orderId_trgm_idx" ON "SaleEventSearch" USING GIN ("orderId" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "SaleEventSearch_customerId_trgm_idx" ON "SaleEventSearch" USING GIN ("customerId" gin_trgm_ops);

-- AddForeignKey
ALTER TABLE "SaleEventSearch" ADD CONSTRAINT "SaleEventSearch_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "SaleEvent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- New events: one set-based insert per statement (a COPY of 250,000 events is one INSERT … SELECT here).
CREATE FUNCTION sale_event_search_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "SaleEventSearch" ("eventId", "orderId", "customerId")
  SELECT id, "orderId", "customerId" FROM inserted_events;
  RETURN NULL;
END $$;

CREATE TRIGGER "SaleEvent_search_insert" AFTER INSERT ON "SaleEvent"
  REFERENCING NEW TABLE AS inserted_events FOR EACH STATEMENT EXECUTE FUNCTION sale_event_search_insert();

-- A changed order or customer id (an edit, a correction). The column list means status updates, which never
-- name these columns, do not even fire it.
CREATE FUNCTION sale_event_search_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "SaleEventSearch" SET "orderId" = NEW."orderId", "customerId" = NEW."customerId"
  WHERE "eventId" = NEW.id;
  RETURN NULL;
END $$;

CREATE TRIGGER "SaleEvent_search_update" AFTER UPDATE OF "orderId", "customerId" ON "SaleEvent"
  FOR EACH ROW WHEN (OLD."orderId" IS DISTINCT FROM NEW."orderId" OR OLD."customerId" IS DISTINCT FROM NEW."customerId")
  EXECUTE FUNCTION sale_event_search_update();

-- The reason code of one validation issue (field + message): the one definition the inbox's groups and the
-- sales table's reason filter share; lib/sales/reasons.ts holds the label and fix of each code.
CREATE FUNCTION sale_issue_reason(field text, message text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN field = 'occurredAt' AND message ILIKE '%missing%' THEN 'time-missing'
    WHEN field = 'occurredAt' AND message ILIKE '%future%' THEN 'time-future'
    WHEN field = 'occurredAt' AND message ILIKE '%days ago%' THEN 'time-too-old'
    WHEN field = 'occurredAt' THEN 'time-invalid'
    WHEN field = 'orderId' AND message ILIKE '%missing%' THEN 'order-missing'
    WHEN field = 'orderId' THEN 'order-invalid'
    WHEN field = 'storeId' THEN 'store-missing'
    WHEN field = 'customerId' THEN 'customer-invalid'
    WHEN field IN ('revenue', 'refund', 'returnExpenses', 'returnShippingCost', 'returnDropOff') THEN 'amount-invalid'
    WHEN field = 'lineItems' THEN 'items-missing'
    WHEN field LIKE '%.unitPrice' AND message ILIKE '%missing%' THEN 'price-missing'
    WHEN field LIKE '%.unitPrice' THEN 'price-invalid'
    WHEN field LIKE '%.quantity' AND message ILIKE '%missing%' THEN 'quantity-missing'
    WHEN field LIKE '%.quantity' THEN 'quantity-invalid'
    WHEN field LIKE '%.itemId' AND message ILIKE '%or a name%' THEN 'item-missing'
    WHEN field LIKE '%.role' THEN 'item-role'
    WHEN field LIKE 'lineItems.%' THEN 'item-invalid'
    ELSE 'other:' || coalesce(field, '')
  END
$$;

-- Every reason code of an event's issues (validation issues are a JSON array of { field, message }).
-- Its search_path is fixed: PostgreSQL 17+ builds and maintains indexes with search_path = pg_catalog.
CREATE FUNCTION sale_issue_reasons(issues jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
  SELECT coalesce(array_agg(DISTINCT sale_issue_reason(i->>'field', i->>'message')), '{}')
  FROM jsonb_array_elements(CASE WHEN jsonb_typeof(issues) = 'array' THEN issues ELSE '[]'::jsonb END) AS i
$$;

-- The inbox's drill-down into one reason ("price missing: 34 events") at a million events. Partial: only
-- INVALID events are in it, so submitting (READY → QUEUED → SUBMITTED) never writes to it.
CREATE INDEX "SaleEvent_invalid_reasons_idx" ON "SaleEvent" USING GIN (sale_issue_reasons(issues))
  WHERE status = 'INVALID';
