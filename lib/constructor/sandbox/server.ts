import { createHash, timingSafeEqual } from 'node:crypto'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { CatalogStore, OPEN_CATALOG, type SandboxCatalog, type SandboxCatalogPatch } from './catalog'
import {
  applyFaultsPatch,
  DEFAULT_FAULTS,
  FixedWindowLimiter,
  mulberry32,
  retryAfterHeader,
  type SandboxFaults,
  type SandboxFaultsPatch,
} from './faults'
import { ReceivedLog, type ReceivedPage, type ReceivedQuery } from './received-log'
import { type DetailEntry, invalid, validateBody } from './validate'

export { DEFAULT_FAULTS, type SandboxFaults, type SandboxFaultsPatch } from './faults'
export { type ReceivedPage, type ReceivedRecord, readReceivedRecords } from './received-log'

export const SANDBOX_API_PATH = '/v1/offline_behavioral_actions'
export const SANDBOX_CATALOG_PATH = '/v2/items'
/** ids per GET /v2/items, as Constructor's Items API allows */
export const CATALOG_MAX_IDS = 1000
export const CONTROL_TOKEN_HEADER = 'x-sandbox-control-token'

export type SandboxLogger = {
  debug?: (obj: object, msg?: string) => void
  info: (obj: object, msg?: string) => void
  warn: (obj: object, msg?: string) => void
  error: (obj: object, msg?: string) => void
}

export type SandboxOptions = {
  /** 0 (default) picks a free port */
  port?: number
  host?: string
  /** the API token the sandbox accepts (Basic auth user name, empty password) */
  token: string
  /** tokens that authenticate but lack permission: answered with 403 */
  forbiddenTokens?: string[]
  /** required in the x-sandbox-control-token header of every /_sandbox/* call except health */
  controlToken: string
  /** where received.jsonl lives */
  dataDir: string
  /** fsync each group of appends before answering 204 (default true) */
  fsync?: boolean
  /** shortcut for faults.seed */
  seed?: number
  faults?: Partial<SandboxFaults>
  /** what GET /v2/items knows (default: open, every id; the product's sandbox starts with the demo catalog) */
  catalog?: SandboxCatalog
  /** request bodies above this get 413 (default 64 MiB) */
  maxBodyBytes?: number
  /** request log entries kept in memory (default 200 000) */
  requestLogLimit?: number
  logger?: SandboxLogger
}

export type RequestLogEntry = {
  id: number
  /** epoch milliseconds */
  arrivedAt: number
  finishedAt?: number
  /** null while in flight or when the client hung up first */
  status: number | null
  aborted?: boolean
  actions?: number
  fault?: 'revoked' | 'rate_limit' | 'hang' | 'error' | 'poison'
  retryAfter?: string
  retryAfterMs?: number
}

export type SandboxStats = {
  startedAt: string
  requests: { total: number; byStatus: Record<string, number>; aborted: number }
  acceptedRequests: number
  acceptedActions: number
  /** GET /v2/items requests answered 200, and the ids they asked about; every answer by status */
  catalogRequests: number
  catalogByStatus: Record<string, number>
  catalogIds: number
  recordedActions: number
  inFlight: number
  maxInFlight: number
  /** TCP connections accepted: stays low when clients keep connections alive */
  connectionsOpened: number
}

export type SandboxHandle = {
  url: string
  port: number
  /** path of the durable JSON Lines log */
  dataFile: string
  close(): Promise<void>
  getFaults(): SandboxFaults
  setFaults(patch: SandboxFaultsPatch): SandboxFaults
  stats(): SandboxStats
  /** the arrival time, status and id count of each GET /v2/items request, oldest first */
  catalogRequests(): RequestLogEntry[]
  /** the arrival time and status of each API request, oldest first */
  requests(): RequestLogEntry[]
  received(query?: ReceivedQuery): Promise<ReceivedPage>
  getCatalog(): SandboxCatalog
  setCatalog(patch: SandboxCatalogPatch): SandboxCatalog
  /** forgets received actions, stats and the request log; restores start-up faults (and catalog) when asked */
  reset(options?: { faults?: boolean }): Promise<void>
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected))
}

function basicUser(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '')
  if (!match?.[1]) return undefined
  const decoded = Buffer.from(match[1], 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (colon === -1) return undefined
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) }
}

function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
) {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  })
  res.end(text)
}

function readBody(req: http.IncomingMessage, maxBytes: number): Promise<Buffer | 'too_large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size <= maxBytes) chunks.push(chunk)
    })
    req.on('end', () => resolve(size > maxBytes ? 'too_large' : Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function delay(ms: number, cancelled: Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    void cancelled.then(() => {
      clearTimeout(timer)
      resolve()
    })
  })
}

function queryDetail(url: URL): DetailEntry[] {
  const detail: DetailEntry[] = []
  const key = url.searchParams.get('key')
  const section = url.searchParams.get('section')
  const length = (value: string) => [...value].length
  if (key === null) detail.push({ loc: ['query', 'key'], msg: 'Field required', type: 'missing' })
  else if (length(key) < 1 || length(key) > 100) {
    detail.push({
      loc: ['query', 'key'],
      msg: 'String should have 1 to 100 characters',
      type: 'string_length',
    })
  }
  if (section !== null && (length(section) < 1 || length(section) > 100)) {
    detail.push({
      loc: ['query', 'section'],
      msg: 'String should have 1 to 100 characters',
      type: 'string_length',
    })
  }
  return detail
}

function intParam(url: URL, name: string): number | undefined {
  const value = url.searchParams.get(name)
  return value !== null && /^\d+$/.test(value) ? Number(value) : undefined
}

// A stand-in for Constructor's one endpoint, with durable recording and deterministic fault injection.
export async function startSandbox(options: SandboxOptions): Promise<SandboxHandle> {
  const initialFaults: SandboxFaults = {
    ...DEFAULT_FAULTS,
    ...(options.seed !== undefined && { seed: options.seed }),
    ...options.faults,
  }
  let faults = initialFaults
  let random = mulberry32(faults.seed)
  const limiter = new FixedWindowLimiter()
  // the catalog endpoint draws its faults from a stream and a rate limit of its own, so catalog lookups never
  // change which sales requests a seed makes fail
  const catalogSeed = (seed: number) => mulberry32(seed ^ 0x5bd1e995)
  let catalogRandom = catalogSeed(faults.seed)
  const catalogLimiter = new FixedWindowLimiter()
  const log = await ReceivedLog.open(options.dataDir, { fsync: options.fsync ?? true })
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024
  const requestLogLimit = options.requestLogLimit ?? 200_000
  const logger = options.logger
  const forbidden = options.forbiddenTokens ?? []
  const startedAt = new Date().toISOString()

  let nextRequestId = 1
  let requestLog: RequestLogEntry[] = []
  let catalogLog: RequestLogEntry[] = []
  let catalogByStatus: Record<string, number> = {}
  const catalog = new CatalogStore(options.catalog ?? OPEN_CATALOG)
  let counters = {
    total: 0,
    aborted: 0,
    acceptedRequests: 0,
    acceptedActions: 0,
    catalogRequests: 0,
    catalogIds: 0,
  }
  let byStatus: Record<string, number> = {}
  let inFlight = 0
  let maxInFlight = 0
  let connectionsOpened = 0

  function setFaults(patch: SandboxFaultsPatch): SandboxFaults {
    const next = applyFaultsPatch(faults, initialFaults, patch)
    if (patch.seed !== undefined || patch.reset) {
      random = mulberry32(next.seed)
      catalogRandom = catalogSeed(next.seed)
    }
    faults = next
    logger?.info({ event: 'sandbox.faults', faults }, 'sandbox faults changed')
    return faults
  }

  async function reset(resetOptions: { faults?: boolean } = {}): Promise<void> {
    await log.reset()
    requestLog = []
    catalogLog = []
    catalogByStatus = {}
    counters = {
      total: 0,
      aborted: 0,
      acceptedRequests: 0,
      acceptedActions: 0,
      catalogRequests: 0,
      catalogIds: 0,
    }
    byStatus = {}
    maxInFlight = inFlight
    connectionsOpened = 0
    limiter.reset()
    catalogLimiter.reset()
    if (resetOptions.faults) {
      setFaults({ reset: true })
      catalog.reset()
    }
  }

  function stats(): SandboxStats {
    return {
      startedAt,
      requests: { total: counters.total, byStatus: { ...byStatus }, aborted: counters.aborted },
      acceptedRequests: counters.acceptedRequests,
      acceptedActions: counters.acceptedActions,
      catalogRequests: counters.catalogRequests,
      catalogByStatus: { ...catalogByStatus },
      catalogIds: counters.catalogIds,
      recordedActions: log.total,
      inFlight,
      maxInFlight,
      connectionsOpened,
    }
  }

  type Endpoint = 'sales' | 'catalog'
  type Exchange = {
    limiter: FixedWindowLimiter
    entry: RequestLogEntry
    rolls: { latency: number; hang: number; error: number; status: number }
    gone: Promise<void>
    answer: (status: number, body?: unknown, headers?: http.OutgoingHttpHeaders) => void
  }

  // The bookkeeping every API request shares: the request log, in-flight counts, fault rolls and the answer.
  // The sales endpoint's requests are what stats().requests, requests() and the in-flight counts describe; the
  // catalog's have a log and counts of their own.
  function begin(res: http.ServerResponse, endpoint: Endpoint): Exchange {
    const sales = endpoint === 'sales'
    const arrivedAt = Date.now()
    const entry: RequestLogEntry = { id: nextRequestId++, arrivedAt, status: null }
    if (sales) {
      requestLog.push(entry)
      // Trim in chunks so the log stays bounded without an O(n) shift per request.
      if (requestLog.length > requestLogLimit * 1.1) requestLog = requestLog.slice(-requestLogLimit)
      counters.total++
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
    } else {
      catalogLog.push(entry)
      if (catalogLog.length > requestLogLimit * 1.1) catalogLog = catalogLog.slice(-requestLogLimit)
    }
    // Drawn on arrival, in arrival order, so a seed replays the same faults for the same request sequence.
    const draw = sales ? random : catalogRandom
    const rolls = { latency: draw(), hang: draw(), error: draw(), status: draw() }
    let clientGone!: () => void
    const gone = new Promise<void>((resolve) => {
      clientGone = resolve
    })
    res.on('close', () => {
      if (sales) inFlight--
      entry.finishedAt = Date.now()
      if (!res.writableFinished) {
        entry.aborted = true
        if (sales) counters.aborted++
        clientGone()
      }
    })
    const answer = (status: number, body?: unknown, headers: http.OutgoingHttpHeaders = {}) => {
      if (res.destroyed) return
      entry.status = status
      const counts = sales ? byStatus : catalogByStatus
      counts[status] = (counts[status] ?? 0) + 1
      if (body === undefined) {
        res.writeHead(status, headers)
        res.end()
      } else sendJson(res, status, body, headers)
      logger?.debug?.(
        { event: 'sandbox.request', id: entry.id, status, fault: entry.fault, actions: entry.actions },
        'sandbox answered',
      )
    }
    return { entry, rolls, gone, answer, limiter: sales ? limiter : catalogLimiter }
  }

  // Latency, a revoked token, credentials, the rate limit and the query: the same for every endpoint.
  // Returns true when it answered.
  async function guard(req: http.IncomingMessage, url: URL, x: Exchange): Promise<boolean> {
    const { entry, rolls, gone, answer, limiter } = x
    const latency = faults.latency
    if (latency) {
      const ms =
        'fixedMs' in latency
          ? latency.fixedMs
          : latency.minMs + rolls.latency * (latency.maxMs - latency.minMs)
      await delay(Math.round(ms), gone)
    }

    const credentials = basicUser(req.headers.authorization)
    if (faults.revoked) {
      entry.fault = 'revoked'
      answer(401, { message: 'Invalid or revoked credentials' }, { 'www-authenticate': 'Basic' })
      return true
    }
    if (!credentials) {
      answer(401, { message: 'Credentials are not passed' }, { 'www-authenticate': 'Basic' })
      return true
    }
    if (credentials.password === '' && forbidden.some((token) => sameSecret(credentials.user, token))) {
      answer(403, { message: 'This token may not send to this index' })
      return true
    }
    if (credentials.password !== '' || !sameSecret(credentials.user, options.token)) {
      answer(401, { message: 'Invalid credentials' }, { 'www-authenticate': 'Basic' })
      return true
    }

    if (faults.rateLimit) {
      const waitMs = limiter.take(faults.rateLimit, Date.now())
      if (waitMs !== undefined) {
        const now = Date.now()
        const header = retryAfterHeader(waitMs, faults.retryAfterFormat, now)
        entry.fault = 'rate_limit'
        entry.retryAfterMs = waitMs
        if (header !== undefined) entry.retryAfter = header
        answer(429, { message: 'Rate limit breached' }, header === undefined ? {} : { 'retry-after': header })
        return true
      }
    }

    const paramDetail = queryDetail(url)
    if (paramDetail.length > 0) {
      const result = invalid(paramDetail)
      answer(400, { message: result.message, detail: result.detail })
      return true
    }
    return false
  }

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const x = begin(res, 'sales')
    const { entry, rolls, gone, answer } = x
    const arrivedAt = entry.arrivedAt

    if (req.method !== 'POST') {
      req.resume()
      return answer(405, { message: 'Method Not Allowed' }, { allow: 'POST' })
    }
    const raw = await readBody(req, maxBodyBytes)
    if (await guard(req, url, x)) return
    if (raw === 'too_large') return answer(413, { message: `Request body exceeds ${maxBodyBytes} bytes` })

    const hang = rolls.hang < faults.hangRate
    const recordBeforeHang = hang && faults.hangAfterRecording
    if (hang && !recordBeforeHang) {
      entry.fault = 'hang'
      await delay(faults.hangMaxMs, gone)
      return answer(504, { message: 'Sandbox hung on purpose' })
    }
    if (!hang && rolls.error < faults.errorRate) {
      entry.fault = 'error'
      const statuses = faults.errorStatuses
      const status = statuses[Math.floor(rolls.status * statuses.length)] ?? 503
      return answer(status, { message: 'Injected server error' })
    }

    let body: unknown
    try {
      body = JSON.parse(raw.toString('utf8'))
    } catch (error) {
      return answer(400, {
        message: 'Request body is not valid JSON',
        detail: [
          { loc: ['body'], msg: `JSON decode error: ${(error as Error).message}`, type: 'json_invalid' },
        ],
      })
    }
    const validation = validateBody(body, faults.poison)
    if (!validation.ok) {
      if (validation.detail.some((d) => d.msg.includes('poison'))) entry.fault = 'poison'
      return answer(400, { message: validation.message, detail: validation.detail })
    }
    entry.actions = validation.actions.length
    try {
      await log.append(entry.id, new Date(arrivedAt), validation.actions)
    } catch (error) {
      logger?.error(
        { event: 'sandbox.record_failed', err: (error as Error).message },
        'could not record actions',
      )
      return answer(500, { message: 'Sandbox could not record the actions' })
    }
    counters.acceptedRequests++
    counters.acceptedActions += validation.actions.length
    if (recordBeforeHang) {
      entry.fault = 'hang'
      await delay(faults.hangMaxMs, gone)
      return answer(504, { message: 'Sandbox hung on purpose after recording' })
    }
    return answer(204)
  }

  // GET /v2/items?key=&section=&id=…: the catalog's items among the ids asked for (absent ones are not in it),
  // behind the same faults as the sales endpoint (latency, revoked token, 403, 429, hangs, 5xx).
  async function handleCatalog(req: http.IncomingMessage, res: http.ServerResponse, url: URL) {
    const x = begin(res, 'catalog')
    const { entry, rolls, gone, answer } = x
    req.resume()
    if (req.method !== 'GET') return answer(405, { message: 'Method Not Allowed' }, { allow: 'GET' })
    if (await guard(req, url, x)) return
    const ids = url.searchParams.getAll('id')
    const perPage = intParam(url, 'num_results_per_page') ?? 100
    const detail: DetailEntry[] = []
    if (ids.length > CATALOG_MAX_IDS)
      detail.push({ loc: ['query', 'id'], msg: `At most ${CATALOG_MAX_IDS} ids`, type: 'too_long' })
    ids.forEach((id, i) => {
      if ([...id].length < 1 || [...id].length > 250)
        detail.push({
          loc: ['query', 'id', i],
          msg: 'String should have 1 to 250 characters',
          type: 'string_length',
        })
    })
    if (perPage < 1 || perPage > 1000)
      detail.push({ loc: ['query', 'num_results_per_page'], msg: 'Must be 1 to 1000', type: 'range' })
    if (detail.length > 0) return answer(400, { message: invalid(detail).message, detail })
    entry.actions = ids.length
    if (rolls.hang < faults.hangRate) {
      entry.fault = 'hang'
      await delay(faults.hangMaxMs, gone)
      return answer(504, { message: 'Sandbox hung on purpose' })
    }
    if (rolls.error < faults.errorRate) {
      entry.fault = 'error'
      const status = faults.errorStatuses[Math.floor(rolls.status * faults.errorStatuses.length)] ?? 503
      return answer(status, { message: 'Injected server error' })
    }
    if (faults.catalogAnswer === 'not-json') {
      res.writeHead(200, { 'content-type': 'text/html' })
      entry.status = 200
      catalogByStatus[200] = (catalogByStatus[200] ?? 0) + 1
      return void res.end('<html><body>Service temporarily unavailable</body></html>')
    }
    if (faults.catalogAnswer === 'huge') {
      // 16 MiB of items, streamed: more than any lookup of 1,000 ids could need
      res.writeHead(200, { 'content-type': 'application/json' })
      entry.status = 200
      res.write('{"items":[')
      const chunk = `${JSON.stringify({ id: 'x'.repeat(1000), name: 'padding' })},`.repeat(1000)
      for (let i = 0; i < 16 && !res.destroyed; i++) res.write(chunk)
      catalogByStatus[200] = (catalogByStatus[200] ?? 0) + 1
      return void res.end('{"id":"end","name":"end"}]}')
    }
    const found = [...new Set(ids)].filter((id) => catalog.has(id))
    counters.catalogRequests++
    counters.catalogIds += ids.length
    return answer(200, {
      total_count: found.length,
      items: found.slice(0, perPage).map((id) => catalog.item(id)),
    })
  }

  async function handleControl(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const route = `${req.method} ${url.pathname}`
    if (route === 'GET /_sandbox/health') return sendJson(res, 200, { ok: true })
    const given = req.headers[CONTROL_TOKEN_HEADER]
    if (typeof given !== 'string' || !sameSecret(given, options.controlToken)) {
      req.resume()
      return sendJson(res, 401, { message: `Missing or wrong ${CONTROL_TOKEN_HEADER} header` })
    }
    const raw = await readBody(req, 1024 * 1024)
    let body: unknown = {}
    if (raw !== 'too_large' && raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'))
      } catch {
        return sendJson(res, 400, { message: 'Body is not valid JSON' })
      }
    }
    switch (route) {
      case 'GET /_sandbox/received': {
        const orderId = url.searchParams.get('order_id')
        const page = await log.query({
          ...(intParam(url, 'limit') !== undefined && { limit: intParam(url, 'limit') }),
          ...(intParam(url, 'offset') !== undefined && { offset: intParam(url, 'offset') }),
          ...(orderId !== null && { orderId }),
        })
        return sendJson(res, 200, page)
      }
      case 'GET /_sandbox/stats':
        return sendJson(res, 200, stats())
      case 'GET /_sandbox/requests': {
        const status = intParam(url, 'status')
        const rows = status === undefined ? requestLog : requestLog.filter((r) => r.status === status)
        const offset = intParam(url, 'offset') ?? 0
        const limit = Math.min(intParam(url, 'limit') ?? 1000, 100_000)
        return sendJson(res, 200, {
          total: rows.length,
          offset,
          limit,
          requests: rows.slice(offset, offset + limit),
        })
      }
      case 'GET /_sandbox/faults':
        return sendJson(res, 200, faults)
      case 'POST /_sandbox/faults':
        try {
          return sendJson(res, 200, setFaults(body as SandboxFaultsPatch))
        } catch (error) {
          return sendJson(res, 400, { message: 'Invalid faults', detail: String((error as Error).message) })
        }
      case 'GET /_sandbox/catalog':
        return sendJson(res, 200, catalog.get())
      case 'POST /_sandbox/catalog':
        try {
          return sendJson(res, 200, catalog.set(body as SandboxCatalogPatch))
        } catch (error) {
          return sendJson(res, 400, { message: 'Invalid catalog', detail: String((error as Error).message) })
        }
      case 'POST /_sandbox/reset':
        await reset({ faults: (body as { faults?: unknown } | null)?.faults === true })
        return sendJson(res, 200, stats())
      default:
        return sendJson(res, 404, { message: 'Unknown sandbox control endpoint' })
    }
  }

  // A catalog lookup of 1,000 ids is a long request line: room for it beyond Node's 16 KB default.
  const server = http.createServer({ maxHeaderSize: 256 * 1024 }, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid')
    const handled =
      url.pathname === SANDBOX_API_PATH
        ? handleApi(req, res, url)
        : url.pathname === SANDBOX_CATALOG_PATH
          ? handleCatalog(req, res, url)
          : url.pathname.startsWith('/_sandbox/')
            ? handleControl(req, res, url)
            : Promise.resolve(sendJson(res, 404, { message: 'Not Found' }))
    handled.catch((error: unknown) => {
      logger?.error({ event: 'sandbox.error', err: (error as Error).message }, 'sandbox request failed')
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, { message: 'Sandbox error' })
    })
  })

  server.on('connection', () => {
    connectionsOpened++
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  const host = options.host ?? '127.0.0.1'
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host
  const url = `http://${urlHost}:${port}`
  logger?.info({ event: 'sandbox.started', url, dataFile: log.file, faults }, 'Constructor sandbox listening')

  return {
    url,
    port,
    dataFile: log.file,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      await log.close()
      logger?.info({ event: 'sandbox.stopped', url }, 'Constructor sandbox stopped')
    },
    getFaults: () => faults,
    setFaults,
    getCatalog: () => catalog.get(),
    setCatalog: (patch) => catalog.set(patch),
    stats,
    requests: () => [...requestLog],
    catalogRequests: () => [...catalogLog],
    received: (query) => log.query(query),
    reset,
  }
}
