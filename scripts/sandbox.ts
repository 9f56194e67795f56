// Starts the Constructor sandbox from the environment (see lib/constructor/sandbox/config.ts for every variable).
import pino from 'pino'
import { sandboxConfigFromEnv } from '../lib/constructor/sandbox/config'
import { startSandbox } from '../lib/constructor/sandbox/server'

const logger = pino({ level: process.env.LOG_LEVEL ?? 'info', base: { service: 'sandbox' } })

try {
  const { usesDefaultSecrets, ...config } = sandboxConfigFromEnv(process.env)
  if (usesDefaultSecrets) {
    logger.warn(
      { event: 'sandbox.default_secrets' },
      'SANDBOX_TOKEN or SANDBOX_CONTROL_TOKEN unset: using development defaults',
    )
  }
  const sandbox = await startSandbox({ ...config, logger })
  const stop = (signal: string) => {
    logger.info({ event: 'sandbox.signal', signal }, 'shutting down')
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ event: 'sandbox.close_failed', err: (error as Error).message }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.once('SIGINT', () => stop('SIGINT'))
  process.once('SIGTERM', () => stop('SIGTERM'))
} catch (error) {
  logger.fatal({ event: 'sandbox.start_failed', err: (error as Error).message }, 'sandbox did not start')
  process.exit(1)
}
