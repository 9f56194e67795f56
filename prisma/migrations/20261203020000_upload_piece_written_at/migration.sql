-- when each piece of an uploaded file arrived: a file still arriving is expired an hour after its last piece, not
-- an hour after the upload began
ALTER TABLE "UploadFileChunk" ADD COLUMN "writtenAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
