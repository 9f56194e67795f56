-- A commit that failed for a reason outside the file leaves its upload in a state of its own ("storing failed,
-- try again") instead of back in PREVIEW ("Ready to store"); see lib/uploads/transitions.ts.
ALTER TYPE "UploadStatus" ADD VALUE 'COMMIT_FAILED';
