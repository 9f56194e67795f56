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

// Quoted parts of a database message can be a row's values ('invalid input syntax for type uuid: "…"').
const QUOTED = /"[^"]*"|'[^']*'/g

/**
 * A database (or other unexpected) error as it may be logged where rows of sales are involved: the code, the
 * table, column and constraint, the message with its quoted values left out, and never pg's `detail` or
 * `where`, which quote the failing row ("Failing row contains (…)", "COPY …, line 3: …").
 */
export function loggableDbError(e: unknown) {
  if (!(e instanceof Error)) return { message: 'a non-error value was thrown' }
  const pgError = e as Error &
    Partial<Record<'code' | 'table' | 'column' | 'constraint' | 'dataType' | 'routine', string>>
  return {
    name: e.name,
    message: e.message.replace(QUOTED, '"…"'),
    ...(pgError.code !== undefined && { code: pgError.code }),
    ...(pgError.table !== undefined && { table: pgError.table }),
    ...(pgError.column !== undefined && { column: pgError.column }),
    ...(pgError.constraint !== undefined && { constraint: pgError.constraint }),
    ...(pgError.dataType !== undefined && { dataType: pgError.dataType }),
    ...(pgError.routine !== undefined && { routine: pgError.routine }),
  }
}
