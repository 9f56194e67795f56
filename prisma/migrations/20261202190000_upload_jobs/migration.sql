-- Uploads as queued jobs (issue 19): the file lives in the database (UploadFileChunk), preview and commit are
-- graphile-worker jobs whose progress and queue place are kept on the Upload row.

-- AlterEnum
ALTER TYPE "UploadStatus" ADD VALUE 'RECEIVING' BEFORE 'RECEIVED';

-- AlterTable
ALTER TABLE "Upload" ADD COLUMN "jobToken" UUID,
ADD COLUMN "jobLane" VARCHAR(10),
ADD COLUMN "jobQueuedAt" TIMESTAMPTZ(3),
ADD COLUMN "jobStartedAt" TIMESTAMPTZ(3),
ADD COLUMN "jobRuns" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "progressBytes" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN "progressRows" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN "progressEvents" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "UploadFileChunk" (
    "uploadId" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "UploadFileChunk_pkey" PRIMARY KEY ("uploadId","seq")
);

-- A CSV chunk is read whole and once or twice: kept out of line without compression, so a 250 MB file takes
-- about 250 MB and reading it costs no decompression.
ALTER TABLE "UploadFileChunk" ALTER COLUMN "data" SET STORAGE EXTERNAL;

-- CreateIndex
CREATE INDEX "Upload_status_jobLane_jobQueuedAt_idx" ON "Upload"("status", "jobLane", "jobQueuedAt");

-- AddForeignKey
ALTER TABLE "UploadFileChunk" ADD CONSTRAINT "UploadFileChunk_uploadId_fkey" FOREIGN KEY ("uploadId") REFERENCES "Upload"("id") ON DELETE CASCADE ON UPDATE CASCADE;
