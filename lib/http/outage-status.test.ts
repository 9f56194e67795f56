import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { answerOutagesWith503, probeDatabase } from '@/lib/http/outage-status'

// The web server's answer while the database is down: a page's 500 becomes 503 with Retry-After.
let server: http.Server | undefined
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())))

async function serve(status: number, down: boolean) {
  server = http.createServer((_req, res) => {
    answerOutagesWith503(res, () => down)
    // as Next answers a page whose render threw
    res.writeHead(status, { 'content-type': 'text/html' })
    res.end('<h1>Service unavailable</h1>')
  })
  await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r))
  return fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/sales`)
}

describe('a page during a database outage', () => {
  it('answers 503 with Retry-After instead of 500', async () => {
    const res = await serve(500, true)
    expect(res.status).toBe(503)
    expect(res.headers.get('retry-after')).toBe('30')
    expect(await res.text()).toContain('Service unavailable')
  })

  it('leaves other answers alone, and a 500 with the database up stays a 500', async () => {
    expect((await serve(200, true)).status).toBe(200)
    expect((await serve(404, true)).status).toBe(404)
    expect((await serve(500, false)).status).toBe(500)
  })

  it('the probe says down when the query fails and up again when it answers', async () => {
    let fail = true
    const probe = probeDatabase(async () => {
      if (fail) throw new Error('connect ECONNREFUSED')
    }, 20)
    await new Promise((r) => setTimeout(r, 60))
    expect(probe.isDown()).toBe(true)
    fail = false
    await new Promise((r) => setTimeout(r, 60))
    expect(probe.isDown()).toBe(false)
    probe.stop()
  })
})
