import { z } from 'zod'

/** how many ready events the person was shown: when the claim would take another number, nothing is submitted */
const expectedCount = z.int().min(0).optional()

// What a person can submit: chosen events (sales table), one upload's events, or all ready events of their stores.
export const submitEventsSchema = z.discriminatedUnion('scope', [
  z.object({
    scope: z.literal('events'),
    eventIds: z.array(z.uuid()).min(1, 'Choose at least one event').max(1_000_000),
    connectionId: z.uuid().optional(),
    expectedCount,
  }),
  z.object({
    scope: z.literal('upload'),
    uploadId: z.uuid(),
    connectionId: z.uuid().optional(),
    expectedCount,
  }),
  z.object({ scope: z.literal('all'), connectionId: z.uuid().optional(), expectedCount }),
])
export type SubmitEventsInput = z.infer<typeof submitEventsSchema>

export const resubmitEventsSchema = z.object({
  eventIds: z.array(z.uuid()).min(1, 'Choose at least one event').max(1_000_000),
  connectionId: z.uuid().optional(),
})
export type ResubmitEventsInput = z.infer<typeof resubmitEventsSchema>

export const batchIdSchema = z.object({ batchId: z.uuid() })
export type BatchIdInput = z.infer<typeof batchIdSchema>

export const connectionIdSchema = z.object({ connectionId: z.uuid() })
export type ConnectionIdInput = z.infer<typeof connectionIdSchema>

export type SubmitResult = {
  eventCount: number
  batchCount: number
  batchIds: string[]
  /** sales the catalog pre-flight held (item ids not in the Constructor catalog) */
  held?: number
  /** the catalog pre-flight could not be made: why (nothing was held for it) */
  catalogUnavailable?: string
}
