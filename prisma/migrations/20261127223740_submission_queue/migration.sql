-- AlterTable
ALTER TABLE "Batch" ADD COLUMN     "leaseOwner" VARCHAR(100),
ADD COLUMN     "leaseUntil" TIMESTAMPTZ(3);

-- AlterTable
ALTER TABLE "WorkerHeartbeat" ADD COLUMN     "queueWorkerIds" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "ConnectionPace" (
    "connectionId" UUID NOT NULL,
    "nextAt" TIMESTAMPTZ(6) NOT NULL,
    "rate" DOUBLE PRECISION NOT NULL,
    "holdUntil" TIMESTAMPTZ(3),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ConnectionPace_pkey" PRIMARY KEY ("connectionId")
);

-- CreateIndex
CREATE INDEX "Batch_connectionId_status_idx" ON "Batch"("connectionId", "status");

-- CreateIndex
CREATE INDEX "Batch_status_leaseUntil_idx" ON "Batch"("status", "leaseUntil");

-- AddForeignKey
ALTER TABLE "ConnectionPace" ADD CONSTRAINT "ConnectionPace_connectionId_fkey" FOREIGN KEY ("connectionId") REFERENCES "ConstructorConnection"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- An event is QUEUED exactly while it belongs to an open batch: the database, not only the code, keeps the two together
ALTER TABLE "SaleEvent" ADD CONSTRAINT "SaleEvent_queued_iff_open_batch" CHECK (("status" = 'QUEUED') = ("openBatchId" IS NOT NULL));
