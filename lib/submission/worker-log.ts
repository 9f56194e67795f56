import { logger } from '@/lib/log'
import type { SendContext } from './send-batch'

export type WorkerLog = SendContext['log']

/** the worker's log lines: the one logger (redacted like every other line), as service "worker" */
export const workerLog: WorkerLog = (level, msg, extra) => {
  logger[level](extra ?? {}, msg)
}
