-- Parse once (issue 19): the check keeps the events it parsed, so storing the upload does not read the file again.

-- CreateTable
CREATE TABLE "UploadStagedChunk" (
    "uploadId" UUID NOT NULL,
    "run" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "events" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "UploadStagedChunk_pkey" PRIMARY KEY ("uploadId","run","seq")
);

-- A chunk is gzip'd already: kept out of line without compressing it again.
ALTER TABLE "UploadStagedChunk" ALTER COLUMN "data" SET STORAGE EXTERNAL;

-- AddForeignKey
ALTER TABLE "UploadStagedChunk" ADD CONSTRAINT "UploadStagedChunk_uploadId_fkey" FOREIGN KEY ("uploadId") REFERENCES "Upload"("id") ON DELETE CASCADE ON UPDATE CASCADE;
