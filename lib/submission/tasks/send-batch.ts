import type { Task } from 'graphile-worker'
import { z } from 'zod'
import { type SendContext, sendBatch } from '../send-batch'

export const sendBatchPayloadSchema = z.object({ batchId: z.uuid(), connectionId: z.uuid() })
export type SendBatchPayload = z.infer<typeof sendBatchPayloadSchema>

// One job per batch. A bad payload is a permanent failure (logged, not retried); any thrown error is retried by
// the queue, and the batch itself is safe either way because every change to it is a guarded transition.
export function makeSendBatchTask(ctx: SendContext): Task {
  return async (payload) => {
    const parsed = sendBatchPayloadSchema.safeParse(payload)
    if (!parsed.success) {
      ctx.log('error', 'send-batch job with a bad payload dropped', { payload })
      return
    }
    await sendBatch(ctx, parsed.data.batchId, parsed.data.connectionId)
  }
}
