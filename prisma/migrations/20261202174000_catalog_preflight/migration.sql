-- Catalog pre-flight (lib/catalog): whether a connection holds sales of item ids its catalog does not know, what
-- GET /v2/items answered per connection and item id (read until a TTL runs out), and each store's mappings of a
-- till's SKU to the catalog's id.
ALTER TABLE "ConstructorConnection" ADD COLUMN "holdUnknownItems" BOOLEAN NOT NULL DEFAULT true;

-- CreateTable
CREATE TABLE "CatalogItemCache" (
    "connectionId" UUID NOT NULL,
    "itemId" VARCHAR(250) NOT NULL,
    "known" BOOLEAN NOT NULL,
    "checkedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CatalogItemCache_pkey" PRIMARY KEY ("connectionId","itemId")
);

-- CreateTable
CREATE TABLE "ItemIdMapping" (
    "id" UUID NOT NULL,
    "storeId" UUID NOT NULL,
    "tillItemId" VARCHAR(250) NOT NULL,
    "catalogItemId" VARCHAR(250) NOT NULL,
    "createdById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ItemIdMapping_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ItemIdMapping_storeId_tillItemId_key" ON "ItemIdMapping"("storeId", "tillItemId");

-- AddForeignKey
ALTER TABLE "CatalogItemCache" ADD CONSTRAINT "CatalogItemCache_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "ConstructorConnection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ItemIdMapping" ADD CONSTRAINT "ItemIdMapping_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A sale held by the pre-flight carries the issue { field: 'lineItems.N.itemId', message: 'Item <id> is not in your
-- Constructor catalog' }: its reason code is 'catalog:<id>', so Needs attention groups held sales by item id.
CREATE OR REPLACE FUNCTION sale_issue_reason(field text, message text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN message ILIKE '%can''t be stored%' THEN 'text-unstorable'
    WHEN field = 'occurredAt' AND message ILIKE '%missing%' THEN 'time-missing'
    WHEN field = 'occurredAt' AND message ILIKE '%future%' THEN 'time-future'
    WHEN field = 'occurredAt' AND message ILIKE '%days ago%' THEN 'time-too-old'
    WHEN field = 'occurredAt' THEN 'time-invalid'
    WHEN field = 'orderId' AND message ILIKE '%missing%' THEN 'order-missing'
    WHEN field = 'orderId' THEN 'order-invalid'
    WHEN field = 'storeId' THEN 'store-missing'
    WHEN field = 'customerId' THEN 'customer-invalid'
    WHEN field = 'returnReason' THEN 'return-reason-invalid'
    WHEN field IN ('revenue', 'refund', 'returnExpenses', 'returnShippingCost', 'returnDropOff') THEN 'amount-invalid'
    WHEN field = 'lineItems' AND message ILIKE 'The items add up to%' THEN 'total-too-large'
    WHEN field = 'lineItems' THEN 'items-missing'
    WHEN field LIKE '%.unitPrice' AND message ILIKE '%missing%' THEN 'price-missing'
    WHEN field LIKE '%.unitPrice' THEN 'price-invalid'
    WHEN field LIKE '%.quantity' AND message ILIKE '%missing%' THEN 'quantity-missing'
    WHEN field LIKE '%.quantity' THEN 'quantity-invalid'
    WHEN field LIKE '%.itemId' AND message LIKE 'Item % is not in your Constructor catalog'
      THEN 'catalog:' || substr(message, 6, length(message) - 5 - length(' is not in your Constructor catalog'))
    WHEN field LIKE '%.itemId' AND message ILIKE '%or a name%' THEN 'item-missing'
    WHEN field LIKE '%.role' THEN 'item-role'
    WHEN field LIKE 'lineItems.%' THEN 'item-invalid'
    ELSE 'other:' || coalesce(field, '')
  END
$$;

-- The function feeds this index's expression: rebuild it so no entry was computed by the old definition.
REINDEX INDEX "SaleEvent_invalid_reasons_idx";
