import pino from 'pino'
import { env } from '@/lib/env'
import { redact } from '@/lib/redact'

/** JSON lines; every logged object goes through the same redaction as the audit trail (lib/redact.ts) */
export function createLogger(destination?: pino.DestinationStream) {
  return pino(
    {
      level: env().LOG_LEVEL,
      base: { service: env().SERVICE_NAME },
      formatters: { log: (object) => redact(object) as Record<string, unknown> },
    },
    destination,
  )
}

// The one logger setup of every process (web, worker, sandbox); SERVICE_NAME tells them apart.
export const logger = createLogger()
