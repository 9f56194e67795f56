// The web app's server: Next's own request handler behind a plain HTTP server that first works out
// the client address from the socket (and TRUSTED_PROXIES), which `next start` cannot do.
import http from 'node:http'
import next from 'next'
import { stampClientAddress } from '@/lib/auth/client-address'
import { env } from '@/lib/env'
import { logger } from '@/lib/log'

const { PORT, HOST, TRUSTED_PROXIES } = env()
const app = next({ dev: false, dir: process.cwd(), hostname: HOST, port: PORT })
await app.prepare()
const handle = app.getRequestHandler()

const server = http.createServer((req, res) => {
  stampClientAddress(req, TRUSTED_PROXIES)
  void handle(req, res)
})
server.listen(PORT, HOST, () => {
  logger.info({ host: HOST, port: PORT }, 'web app listening')
})
let stopping = false
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (stopping) return
    stopping = true
    server.close(() => process.exit(0))
    server.closeAllConnections()
  })
}
