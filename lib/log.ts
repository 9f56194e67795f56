import pino from 'pino'
import { env } from '@/lib/env'

// Structured JSON logs. Secrets are redacted by key name wherever they appear in a logged object.
export const logger = pino({
  level: env().LOG_LEVEL,
  base: { service: env().SERVICE_NAME },
  redact: {
    paths: ['token', '*.token', 'authorization', '*.authorization', 'password', '*.password', 'passwordHash'],
    censor: '[redacted]',
  },
})
