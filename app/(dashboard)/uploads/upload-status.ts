// What each upload status means to a store manager.
export const STATUS_LABELS = {
  RECEIVED: 'Waiting for column check',
  PARSING: 'Checking rows',
  PREVIEW: 'Ready to store',
  COMMITTING: 'Storing',
  COMMITTED: 'Stored',
  FAILED: 'Could not be read',
  CANCELLED: 'Cancelled',
  COMMIT_FAILED: 'Storing failed — try again',
} as const
