// Inputs of the batch actions and the batches table's URL state. Imports zod and constants only.
import { z } from 'zod'

export const batchActionSchema = z.object({ batchId: z.uuid() })

export const BATCH_STATUSES = ['QUEUED', 'SENDING', 'RETRY_WAIT', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const
export type BatchStatus = (typeof BATCH_STATUSES)[number]
/** statuses that can still change: pages showing them poll for progress */
export const OPEN_BATCH_STATUSES: readonly BatchStatus[] = ['QUEUED', 'SENDING', 'RETRY_WAIT']
export const BATCH_PAGE_SIZES = [25, 50, 100] as const

export type BatchesTableParams = { page: number; size: number; status: BatchStatus[] }

type Raw = Record<string, string | string[] | undefined>
const one = (raw: Raw, key: string) => {
  const v = raw[key]
  return Array.isArray(v) ? v[0] : v
}

export function parseBatchesSearchParams(raw: Raw): BatchesTableParams {
  const page = Math.max(1, Math.min(100_000, Number.parseInt(one(raw, 'page') ?? '1', 10) || 1))
  const sizeRaw = Number.parseInt(one(raw, 'size') ?? '', 10)
  const size = (BATCH_PAGE_SIZES as readonly number[]).includes(sizeRaw) ? sizeRaw : 25
  const status = (one(raw, 'status') ?? '')
    .split(',')
    .filter((s): s is BatchStatus => (BATCH_STATUSES as readonly string[]).includes(s))
  return { page, size, status }
}
