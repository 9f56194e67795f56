// The web app's server: Next's own request handler behind a plain HTTP server that first works out
// the client address from the socket (and TRUSTED_PROXIES), which `next start` cannot do, and that answers a
// page's failure during a database outage with 503 (lib/http/outage-status.ts).
import http from 'node:http'
import next from 'next'
import pg from 'pg'
import { stampClientAddress } from '@/lib/auth/client-address'
import { env } from '@/lib/env'
import { answerOutagesWith503, probeDatabase } from '@/lib/http/outage-status'
import { logger } from '@/lib/log'

const { PORT, HOST, TRUSTED_PROXIES, DATABASE_URL } = env()
// one connection that asks the database every 2 s whether it answers: a page failing meanwhile answers 503
const probePool = new pg.Pool({ connectionString: DATABASE_URL, max: 1, connectionTimeoutMillis: 1_500 })
probePool.on('error', () => {})
const database = probeDatabase(() => probePool.query('SELECT 1'))
const app = next({ dev: false, dir: process.cwd(), hostname: HOST, port: PORT })
await app.prepare()
const handle = app.getRequestHandler()

const server = http.createServer((req, res) => {
  stampClientAddress(req, TRUSTED_PROXIES)
  answerOutagesWith503(res, database.isDown)
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
    database.stop()
    void probePool.end()
    server.close(() => process.exit(0))
    server.closeAllConnections()
  })
}
