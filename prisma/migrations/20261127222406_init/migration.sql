-- CreateEnum
CREATE TYPE "Role" AS ENUM ('ADMIN', 'MANAGER');

-- CreateEnum
CREATE TYPE "EventKind" AS ENUM ('PURCHASE', 'RETURN');

-- CreateEnum
CREATE TYPE "EventStatus" AS ENUM ('INVALID', 'READY', 'QUEUED', 'SUBMITTED', 'FAILED', 'EXCLUDED');

-- CreateEnum
CREATE TYPE "LineItemRole" AS ENUM ('PURCHASED', 'RETURNED', 'KEPT', 'CROSS_SOLD');

-- CreateEnum
CREATE TYPE "ReturnType" AS ENUM ('FULL', 'PARTIAL');

-- CreateEnum
CREATE TYPE "ReturnPreference" AS ENUM ('REFUND', 'REPLACEMENT');

-- CreateEnum
CREATE TYPE "UploadStatus" AS ENUM ('RECEIVED', 'PARSING', 'PREVIEW', 'COMMITTING', 'COMMITTED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "BatchStatus" AS ENUM ('QUEUED', 'SENDING', 'RETRY_WAIT', 'SUCCEEDED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "BatchEventOutcome" AS ENUM ('PENDING', 'SUBMITTED', 'FAILED', 'SPLIT', 'CANCELLED');

-- CreateEnum
CREATE TYPE "AttemptOutcome" AS ENUM ('ACCEPTED', 'REJECTED', 'UNAUTHORIZED', 'RATE_LIMITED', 'TRANSIENT');

-- CreateTable
CREATE TABLE "Store" (
    "id" UUID NOT NULL,
    "code" VARCHAR(250) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "latitude" VARCHAR(20),
    "longitude" VARCHAR(20),
    "timeZone" VARCHAR(64) NOT NULL,
    "currency" VARCHAR(3) NOT NULL DEFAULT 'USD',
    "locale" VARCHAR(35) NOT NULL DEFAULT 'en-US',
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Store_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "id" UUID NOT NULL,
    "email" VARCHAR(320) NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'MANAGER',
    "active" BOOLEAN NOT NULL DEFAULT true,
    "sessionVersion" INTEGER NOT NULL DEFAULT 1,
    "mustChangePassword" BOOLEAN NOT NULL DEFAULT false,
    "lastSignInAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StoreMembership" (
    "userId" UUID NOT NULL,
    "storeId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StoreMembership_pkey" PRIMARY KEY ("userId","storeId")
);

-- CreateTable
CREATE TABLE "SignInThrottle" (
    "key" VARCHAR(400) NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "lastFailureAt" TIMESTAMPTZ(3) NOT NULL,
    "blockedUntil" TIMESTAMPTZ(3),

    CONSTRAINT "SignInThrottle_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "ConstructorConnection" (
    "id" UUID NOT NULL,
    "name" VARCHAR(100) NOT NULL DEFAULT 'Constructor',
    "baseUrl" VARCHAR(500) NOT NULL,
    "apiKey" VARCHAR(100) NOT NULL,
    "section" VARCHAR(100) NOT NULL DEFAULT 'Products',
    "tokenCiphertext" TEXT,
    "tokenHint" VARCHAR(4),
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "pausedReason" TEXT,
    "pausedAt" TIMESTAMPTZ(3),
    "maxConcurrency" INTEGER NOT NULL DEFAULT 4,
    "maxRequestsPerSecond" INTEGER NOT NULL DEFAULT 20,
    "lastTestedAt" TIMESTAMPTZ(3),
    "lastTestOk" BOOLEAN,
    "lastTestMessage" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ConstructorConnection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Upload" (
    "id" UUID NOT NULL,
    "fileName" VARCHAR(500) NOT NULL,
    "sizeBytes" BIGINT NOT NULL,
    "sha256" CHAR(64) NOT NULL,
    "uploaderId" UUID,
    "storeId" UUID,
    "source" VARCHAR(40) NOT NULL DEFAULT 'custom',
    "status" "UploadStatus" NOT NULL DEFAULT 'RECEIVED',
    "rowCount" INTEGER NOT NULL DEFAULT 0,
    "eventCount" INTEGER NOT NULL DEFAULT 0,
    "validEventCount" INTEGER NOT NULL DEFAULT 0,
    "invalidRowCount" INTEGER NOT NULL DEFAULT 0,
    "duplicateCount" INTEGER NOT NULL DEFAULT 0,
    "updatedCount" INTEGER NOT NULL DEFAULT 0,
    "correctionCount" INTEGER NOT NULL DEFAULT 0,
    "returnCount" INTEGER NOT NULL DEFAULT 0,
    "encoding" VARCHAR(40),
    "delimiter" VARCHAR(4),
    "dateOrder" VARCHAR(3),
    "columnMapping" JSONB,
    "errorMessage" TEXT,
    "startedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "parsedAt" TIMESTAMPTZ(3),
    "committedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Upload_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UploadRowIssue" (
    "id" UUID NOT NULL,
    "uploadId" UUID NOT NULL,
    "rowNumber" INTEGER NOT NULL,
    "raw" JSONB NOT NULL,
    "reasons" JSONB NOT NULL,
    "resolved" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UploadRowIssue_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ColumnMappingPreset" (
    "id" UUID NOT NULL,
    "storeId" UUID NOT NULL,
    "source" VARCHAR(200) NOT NULL,
    "mapping" JSONB NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ColumnMappingPreset_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SaleEvent" (
    "id" UUID NOT NULL,
    "kind" "EventKind" NOT NULL,
    "storeId" UUID NOT NULL,
    "orderId" VARCHAR(250) NOT NULL,
    "orderIdGenerated" BOOLEAN NOT NULL DEFAULT false,
    "occurredAt" TIMESTAMPTZ(3),
    "customerId" VARCHAR(250),
    "revenue" DECIMAL(18,4),
    "returnExpenses" DECIMAL(18,4),
    "refund" DECIMAL(18,4),
    "returnShippingCost" DECIMAL(18,4),
    "returnReason" TEXT,
    "returnType" "ReturnType",
    "returnPreference" "ReturnPreference",
    "returnDropOff" VARCHAR(250),
    "status" "EventStatus" NOT NULL DEFAULT 'READY',
    "issues" JSONB,
    "lastError" TEXT,
    "version" INTEGER NOT NULL DEFAULT 1,
    "itemCount" INTEGER NOT NULL DEFAULT 0,
    "itemsTotal" DECIMAL(18,4) NOT NULL DEFAULT 0,
    "contentHash" VARCHAR(64),
    "isCorrection" BOOLEAN NOT NULL DEFAULT false,
    "submittedAt" TIMESTAMPTZ(3),
    "openBatchId" UUID,
    "uploadId" UUID,
    "createdById" UUID,
    "updatedById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SaleEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LineItem" (
    "id" UUID NOT NULL,
    "eventId" UUID NOT NULL,
    "lineNumber" INTEGER NOT NULL,
    "role" "LineItemRole" NOT NULL DEFAULT 'PURCHASED',
    "itemId" VARCHAR(250),
    "itemName" VARCHAR(250),
    "variationId" VARCHAR(250),
    "unitPrice" DECIMAL(18,4),
    "quantity" INTEGER,

    CONSTRAINT "LineItem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Batch" (
    "id" UUID NOT NULL,
    "connectionId" UUID NOT NULL,
    "status" "BatchStatus" NOT NULL DEFAULT 'QUEUED',
    "eventCount" INTEGER NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMPTZ(3),
    "lastHttpStatus" INTEGER,
    "lastError" TEXT,
    "parentBatchId" UUID,
    "createdById" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Batch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "BatchEvent" (
    "batchId" UUID NOT NULL,
    "eventId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "outcome" "BatchEventOutcome" NOT NULL DEFAULT 'PENDING',
    "error" TEXT,

    CONSTRAINT "BatchEvent_pkey" PRIMARY KEY ("batchId","eventId")
);

-- CreateTable
CREATE TABLE "BatchAttempt" (
    "id" UUID NOT NULL,
    "batchId" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "finishedAt" TIMESTAMPTZ(3),
    "httpStatus" INTEGER,
    "durationMs" INTEGER,
    "responseExcerpt" TEXT,
    "retryAfterMs" INTEGER,
    "outcome" "AttemptOutcome",
    "workerId" VARCHAR(100),

    CONSTRAINT "BatchAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" UUID NOT NULL,
    "actorId" UUID,
    "actorEmail" VARCHAR(320),
    "action" VARCHAR(100) NOT NULL,
    "entity" VARCHAR(60) NOT NULL,
    "entityId" VARCHAR(100),
    "storeId" UUID,
    "details" JSONB,
    "ip" VARCHAR(100),
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WorkerHeartbeat" (
    "id" VARCHAR(100) NOT NULL,
    "host" VARCHAR(200) NOT NULL,
    "pid" INTEGER NOT NULL,
    "startedAt" TIMESTAMPTZ(3) NOT NULL,
    "seenAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "WorkerHeartbeat_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Store_code_key" ON "Store"("code");

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE INDEX "StoreMembership_storeId_idx" ON "StoreMembership"("storeId");

-- CreateIndex
CREATE INDEX "Upload_storeId_createdAt_idx" ON "Upload"("storeId", "createdAt");

-- CreateIndex
CREATE INDEX "Upload_sha256_idx" ON "Upload"("sha256");

-- CreateIndex
CREATE INDEX "Upload_createdAt_idx" ON "Upload"("createdAt");

-- CreateIndex
CREATE INDEX "UploadRowIssue_uploadId_rowNumber_idx" ON "UploadRowIssue"("uploadId", "rowNumber");

-- CreateIndex
CREATE UNIQUE INDEX "ColumnMappingPreset_storeId_source_key" ON "ColumnMappingPreset"("storeId", "source");

-- CreateIndex
CREATE INDEX "SaleEvent_status_occurredAt_idx" ON "SaleEvent"("status", "occurredAt");

-- CreateIndex
CREATE INDEX "SaleEvent_storeId_status_occurredAt_idx" ON "SaleEvent"("storeId", "status", "occurredAt");

-- CreateIndex
CREATE INDEX "SaleEvent_storeId_occurredAt_idx" ON "SaleEvent"("storeId", "occurredAt");

-- CreateIndex
CREATE INDEX "SaleEvent_occurredAt_idx" ON "SaleEvent"("occurredAt");

-- CreateIndex
CREATE INDEX "SaleEvent_uploadId_idx" ON "SaleEvent"("uploadId");

-- CreateIndex
CREATE INDEX "SaleEvent_openBatchId_idx" ON "SaleEvent"("openBatchId");

-- CreateIndex
CREATE INDEX "SaleEvent_updatedAt_idx" ON "SaleEvent"("updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "SaleEvent_storeId_kind_orderId_key" ON "SaleEvent"("storeId", "kind", "orderId");

-- CreateIndex
CREATE INDEX "LineItem_itemId_idx" ON "LineItem"("itemId");

-- CreateIndex
CREATE UNIQUE INDEX "LineItem_eventId_lineNumber_key" ON "LineItem"("eventId", "lineNumber");

-- CreateIndex
CREATE INDEX "Batch_status_nextAttemptAt_idx" ON "Batch"("status", "nextAttemptAt");

-- CreateIndex
CREATE INDEX "Batch_createdAt_idx" ON "Batch"("createdAt");

-- CreateIndex
CREATE INDEX "Batch_parentBatchId_idx" ON "Batch"("parentBatchId");

-- CreateIndex
CREATE INDEX "BatchEvent_eventId_idx" ON "BatchEvent"("eventId");

-- CreateIndex
CREATE UNIQUE INDEX "BatchAttempt_batchId_number_key" ON "BatchAttempt"("batchId", "number");

-- CreateIndex
CREATE INDEX "AuditLog_at_idx" ON "AuditLog"("at");

-- CreateIndex
CREATE INDEX "AuditLog_storeId_at_idx" ON "AuditLog"("storeId", "at");

-- CreateIndex
CREATE INDEX "AuditLog_entity_entityId_idx" ON "AuditLog"("entity", "entityId");

-- CreateIndex
CREATE INDEX "AuditLog_action_at_idx" ON "AuditLog"("action", "at");

-- AddForeignKey
ALTER TABLE "StoreMembership" ADD CONSTRAINT "StoreMembership_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StoreMembership" ADD CONSTRAINT "StoreMembership_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Upload" ADD CONSTRAINT "Upload_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UploadRowIssue" ADD CONSTRAINT "UploadRowIssue_uploadId_fkey" FOREIGN KEY ("uploadId") REFERENCES "Upload"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ColumnMappingPreset" ADD CONSTRAINT "ColumnMappingPreset_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SaleEvent" ADD CONSTRAINT "SaleEvent_storeId_fkey" FOREIGN KEY ("storeId") REFERENCES "Store"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SaleEvent" ADD CONSTRAINT "SaleEvent_uploadId_fkey" FOREIGN KEY ("uploadId") REFERENCES "Upload"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SaleEvent" ADD CONSTRAINT "SaleEvent_openBatchId_fkey" FOREIGN KEY ("openBatchId") REFERENCES "Batch"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LineItem" ADD CONSTRAINT "LineItem_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "SaleEvent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Batch" ADD CONSTRAINT "Batch_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "ConstructorConnection"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Batch" ADD CONSTRAINT "Batch_parentBatchId_fkey" FOREIGN KEY ("parentBatchId") REFERENCES "Batch"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BatchEvent" ADD CONSTRAINT "BatchEvent_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "Batch"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BatchEvent" ADD CONSTRAINT "BatchEvent_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "SaleEvent"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BatchAttempt" ADD CONSTRAINT "BatchAttempt_batchId_fkey" FOREIGN KEY ("batchId") REFERENCES "Batch"("id") ON DELETE CASCADE ON UPDATE CASCADE;
