import { env } from '@/lib/env'

// Uploads wait for a worker in one of two lanes, so a small file is not stuck behind two huge ones: files up to
// UPLOAD_SMALL_BYTES go to the small lane, which has its own slot in every worker process.

export type UploadLane = 'small' | 'large'

export function laneOf(sizeBytes: number): UploadLane {
  return sizeBytes <= env().UPLOAD_SMALL_BYTES ? 'small' : 'large'
}
