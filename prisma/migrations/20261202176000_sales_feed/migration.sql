-- The sales feed: API keys for tills (stored hashed, scoped to stores, rate-limited per key in the row itself)
-- and each store's scheduled submission (off, as soon as sales are ready, or daily at a local time).

-- CreateEnum
CREATE TYPE "SubmitScheduleMode" AS ENUM ('OFF', 'WHEN_READY', 'DAILY');

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" UUID NOT NULL,
    "name" VARCHAR(100) NOT NULL,
    "prefix" VARCHAR(20) NOT NULL,
    "secretHash" CHAR(64) NOT NULL,
    "createdById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMPTZ(3),
    "revokedAt" TIMESTAMPTZ(3),
    "rateWindowStart" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rateCount" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKeyStore" (
    "keyId" UUID NOT NULL,
    "storeId" UUID NOT NULL,

    CONSTRAINT "ApiKeyStore_pkey" PRIMARY KEY ("keyId","storeId")
);

-- CreateTable
CREATE TABLE "StoreSchedule" (
    "storeId" UUID NOT NULL,
    "mode" "SubmitScheduleMode" NOT NULL DEFAULT 'OFF',
    "dailyAt" VARCHAR(5),
    "nextRunAt" TIMESTAMPTZ(3),
    "lastRunAt" TIMESTAMPTZ(3),
    "lastOk" BOOLEAN,
    "lastResult" VARCHAR(500),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StoreSchedule_pkey" PRIMARY KEY ("storeId")
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_prefix_key" ON "ApiKey"("prefix");

-- CreateIndex
CREATE INDEX "ApiKeyStore_storeId_idx" ON "ApiKeyStore"("storeId");

-- CreateIndex
CREATE INDEX "StoreSchedule_nextRunAt_idx" ON "StoreSchedule"("nextRunAt");

-- AddForeignKey
ALTER TABLE "ApiKeyStore" ADD CONSTRAINT "ApiKeyStore_keyId_fkey" FOREIGN KEY ("keyId") REFERENCES "ApiKey"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiKeyStore" ADD CONSTRAINT "ApiKeyStore_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StoreSchedule" ADD CONSTRAINT "StoreSchedule_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;
