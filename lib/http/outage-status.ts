import type http from 'node:http'
import { RETRY_AFTER_SECONDS } from '@/lib/db/unavailable'

// A page that fails because the database is out of reach answers 503 with Retry-After, not 500: a server component
// cannot set its status, so the web server (scripts/web-server.ts) turns a 500 into a 503 while its own probe finds
// the database unreachable. Route handlers and actions already answer 503 themselves.

/** makes a 500 on this response a 503 (with Retry-After) when databaseDown() says so at the moment of writing */
export function answerOutagesWith503(res: http.ServerResponse, databaseDown: () => boolean) {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => http.ServerResponse
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    if (status === 500 && databaseDown()) {
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS))
      return writeHead(503, ...rest)
    }
    return writeHead(status, ...rest)
  }) as typeof res.writeHead
}

/** a small probe of the database every few seconds: one connection, `SELECT 1` */
export function probeDatabase(query: () => Promise<unknown>, everyMs = 2_000) {
  let down = false
  const check = () =>
    query().then(
      () => {
        down = false
      },
      () => {
        down = true
      },
    )
  void check()
  const timer = setInterval(check, everyMs)
  timer.unref()
  return { isDown: () => down, stop: () => clearInterval(timer) }
}
