import http from 'node:http'
import { POST } from '@/app/api/v1/sales/route'

// bench:feed's server child: the feed's real route handler (key door, body checks, one-transaction store) behind a
// plain http server, without Next's page machinery (server-only-off.mjs maps the server-only guard to its empty module).
const server = http.createServer(async (req, res) => {
  const chunks: Buffer[] = []
  for await (const c of req) chunks.push(c as Buffer)
  const headers = new Headers()
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v)
  const response = await POST(
    new Request(`http://127.0.0.1${req.url}`, { method: req.method, headers, body: Buffer.concat(chunks) }),
  )
  res.writeHead(response.status, { 'content-type': 'application/json' })
  res.end(Buffer.from(await response.arrayBuffer()))
})
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' ? address?.port : 0 })}\n`)
})
