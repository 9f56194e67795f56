// What each upload status means to a store manager.
export const STATUS_LABELS = {
  RECEIVING: 'Arriving',
  RECEIVED: 'Waiting for column check',
  PARSING: 'Checking rows',
  PREVIEW: 'Ready to store',
  COMMITTING: 'Storing',
  COMMITTED: 'Stored',
  FAILED: 'Could not be read',
  CANCELLED: 'Cancelled',
  COMMIT_FAILED: 'Storing failed — try again',
} as const

/** the badge of a status: stored in green, failed ones in red, the rest plain */
export function statusVariant(status: keyof typeof STATUS_LABELS) {
  return status === 'COMMITTED'
    ? 'success'
    : status === 'FAILED' || status === 'COMMIT_FAILED'
      ? 'danger'
      : 'outline'
}
