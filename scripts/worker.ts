// The submission worker process: started by `npm start` (scripts/run-product.ts); run as many as you like.
import 'dotenv/config'
import { env } from '@/lib/env'
import { logger } from '@/lib/log'
import { startSubmissionWorker, surviveQueueHandBackErrors } from '@/lib/submission/worker'

const databaseUrl = env().DATABASE_URL
if (!databaseUrl) {
  console.error('DATABASE_URL is not set: the worker needs the same database as the web app')
  process.exit(1)
}
surviveQueueHandBackErrors()
const worker = await startSubmissionWorker({ databaseUrl })
logger.info({ id: worker.id }, 'worker started')
let stopping = false
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return
    stopping = true
    worker.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  })
}
