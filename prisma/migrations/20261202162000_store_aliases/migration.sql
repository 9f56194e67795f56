-- The names a store's tills write for it (Shopify's and Square's "Location", register codes): an upload finds
-- a store by its code or by one of these. "normalized" is unique across all stores, so one name names one store.

-- CreateTable
CREATE TABLE "StoreAlias" (
    "id" UUID NOT NULL,
    "storeId" UUID NOT NULL,
    "name" VARCHAR(250) NOT NULL,
    "normalized" VARCHAR(250) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StoreAlias_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "StoreAlias_normalized_key" ON "StoreAlias"("normalized");

-- CreateIndex
CREATE INDEX "StoreAlias_storeId_idx" ON "StoreAlias"("storeId");

-- AddForeignKey
ALTER TABLE "StoreAlias" ADD CONSTRAINT "StoreAlias_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;
