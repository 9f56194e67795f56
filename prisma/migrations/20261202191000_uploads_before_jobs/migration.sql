-- Uploads left by the version before queued jobs (issue 19): their files were on a web server's disk, not in the
-- database, so they can't be checked or stored any more; a check or storing that was under way had no job.
UPDATE "Upload" SET status = 'CANCELLED', "jobToken" = NULL, "updatedAt" = now(),
  "errorMessage" = 'This file was uploaded before an update of this site and can no longer be read. Upload it again.'
WHERE status IN ('RECEIVING', 'RECEIVED', 'PARSING', 'PREVIEW', 'FAILED', 'COMMIT_FAILED', 'COMMITTING')
  AND NOT EXISTS (SELECT 1 FROM "UploadFileChunk" c WHERE c."uploadId" = "Upload".id);
