-- AlterTable
ALTER TABLE "Upload" ADD COLUMN     "preview" JSONB,
ADD COLUMN     "queuedSkipCount" INTEGER NOT NULL DEFAULT 0;
