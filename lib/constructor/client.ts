import http from 'node:http'
import https from 'node:https'
import { performance } from 'node:perf_hooks'
import { assertWithinLimits } from './payload'
import { constructorKeySchema, constructorSectionSchema, type OfflineBehavioralActionsBody } from './schema'

export const CONSTRUCTOR_PATH = '/v1/offline_behavioral_actions'
export const RESPONSE_EXCERPT_MAX_BYTES = 2048
const RESPONSE_READ_MAX_BYTES = 1024 * 1024
const MESSAGE_MAX_CHARS = 500
const MAX_REPORTED_ISSUES = 1000

// pino's Logger satisfies this; every line the client writes is free of the token.
export type ConstructorLogger = {
  debug?: (obj: object, msg?: string) => void
  info: (obj: object, msg?: string) => void
  warn: (obj: object, msg?: string) => void
}

export type ConstructorClientOptions = {
  /** e.g. https://ac.cnstrc.com or the sandbox's url; must not carry credentials */
  baseUrl: string
  /** the index key, sent as ?key= */
  apiKey: string
  /** sent as ?section=, omitted when undefined (Constructor then uses Products) */
  section?: string
  /** the API token: Basic auth user name with an empty password */
  token: string
  /** time allowed to open a TCP connection (default 5 s) */
  connectTimeoutMs?: number
  /** time allowed for the whole exchange, connect to last byte (default 30 s) */
  timeoutMs?: number
  /** sockets kept per host (default 16) */
  maxSockets?: number
  logger?: ConstructorLogger
  userAgent?: string
}

type OutcomeBase = {
  /** HTTP status when a response arrived */
  httpStatus?: number
  durationMs: number
  /** at most 2 KB of the response body, with any secret removed */
  responseExcerpt?: string
}

export type RejectedIssue = {
  /** the action index the server blamed, or null for a request-wide problem */
  index: number | null
  loc: (string | number)[]
  msg: string
  type?: string
}

export type TransientReason =
  | 'server_error'
  | 'timeout'
  | 'connect_timeout'
  | 'connection_refused'
  | 'connection_reset'
  | 'dns'
  | 'network'
  | 'unexpected_status'

export type UnauthorizedReason = 'unauthenticated' | 'forbidden' | 'endpoint'

export type AcceptedOutcome = OutcomeBase & { kind: 'accepted'; httpStatus: number }
export type RejectedOutcome = OutcomeBase & {
  kind: 'rejected'
  httpStatus: number
  message: string
  /** sorted, distinct action indices from FastAPI-style detail[].loc; empty when the server named none */
  offendingIndices: number[]
  issues: RejectedIssue[]
}
export type UnauthorizedOutcome = OutcomeBase & {
  kind: 'unauthorized'
  httpStatus: number
  reason: UnauthorizedReason
  message: string
}
export type RateLimitedOutcome = OutcomeBase & {
  kind: 'rate_limited'
  httpStatus: number
  /** from Retry-After (delta-seconds or HTTP-date); undefined when absent or unreadable */
  retryAfterMs?: number
}
export type TransientOutcome = OutcomeBase & { kind: 'transient'; reason: TransientReason; message: string }

export type SubmitOutcome =
  | AcceptedOutcome
  | RejectedOutcome
  | UnauthorizedOutcome
  | RateLimitedOutcome
  | TransientOutcome

export type ConnectionTestResult = {
  ok: boolean
  status: 'ok' | 'unauthorized' | 'rate_limited' | 'unreachable' | 'unexpected'
  message: string
  outcome: SubmitOutcome
}

export type ConstructorClient = {
  /** the endpoint without credentials, safe to show and log */
  readonly endpoint: string
  /** rejects with a PayloadBuildError, sending nothing, when the body breaks the 1–100 actions / 500 items rules */
  submit(body: OfflineBehavioralActionsBody): Promise<SubmitOutcome>
  /** sends an already serialised body as is (e.g. to resend the exact bytes of an earlier attempt) */
  submitJson(json: string): Promise<SubmitOutcome>
  testConnection(): Promise<ConnectionTestResult>
  /** closes the kept-alive sockets */
  close(): void
}

export class ConstructorConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConstructorConfigError'
  }
}

// Every form in which the token could leak: as is, URL-encoded, and base64 with or without the colon.
function secretForms(token: string): string[] {
  const forms = new Set([
    token,
    encodeURIComponent(token),
    Buffer.from(`${token}:`).toString('base64'),
    Buffer.from(token).toString('base64'),
  ])
  return [...forms].filter((form) => form.length > 0).sort((a, b) => b.length - a.length)
}

export function redactSecret(text: string, token: string): string {
  let result = text
  for (const form of secretForms(token)) result = result.split(form).join('[redacted]')
  return result
}

function truncateBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text
  let result = Buffer.from(text).subarray(0, maxBytes).toString('utf8')
  while (Buffer.byteLength(result) > maxBytes) result = result.slice(0, -1)
  return result
}

// Retry-After is either delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (text === '') return undefined
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  // An HTTP-date names its day and month; without letters Date.parse would take "-5" for a year.
  if (!/[A-Za-z]/.test(text)) return undefined
  const at = Date.parse(text)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - now)
}

function asIndex(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value)
  return undefined
}

// FastAPI reports loc = ["body", "behavioral_actions", i, ...]; the index follows "behavioral_actions".
function indexFromLoc(loc: readonly unknown[]): number | null {
  const at = loc.indexOf('behavioral_actions')
  if (at === -1) return null
  return asIndex(loc[at + 1]) ?? null
}

function readIssues(body: unknown, token: string): RejectedIssue[] {
  if (typeof body !== 'object' || body === null) return []
  const detail = (body as { detail?: unknown }).detail
  if (!Array.isArray(detail)) return []
  const issues: RejectedIssue[] = []
  for (const entry of detail) {
    if (typeof entry !== 'object' || entry === null) continue
    const { loc, msg, type } = entry as { loc?: unknown; msg?: unknown; type?: unknown }
    const path = Array.isArray(loc)
      ? loc.filter((part): part is string | number => typeof part === 'string' || typeof part === 'number')
      : []
    const issue: RejectedIssue = {
      index: indexFromLoc(path),
      loc: path.map((part) => (typeof part === 'string' ? redactSecret(part, token) : part)),
      msg: redactSecret(typeof msg === 'string' ? msg : 'invalid', token).slice(0, MESSAGE_MAX_CHARS),
    }
    if (typeof type === 'string') issue.type = type
    issues.push(issue)
  }
  return issues
}

export function parseOffendingIndices(body: unknown, actionCount?: number): number[] {
  const indices = new Set<number>()
  for (const issue of readIssues(body, '')) {
    if (issue.index === null) continue
    if (actionCount !== undefined && issue.index >= actionCount) continue
    indices.add(issue.index)
  }
  return [...indices].sort((a, b) => a - b)
}

function rejectionMessage(body: unknown, status: number): string {
  if (typeof body === 'object' && body !== null) {
    const { message, detail } = body as { message?: unknown; detail?: unknown }
    if (typeof message === 'string' && message !== '') return message
    if (typeof detail === 'string' && detail !== '') return detail
    if (Array.isArray(detail) && detail.length > 0) {
      const first = detail[0] as { msg?: unknown }
      if (typeof first?.msg === 'string')
        return `${first.msg}${detail.length > 1 ? ` (+${detail.length - 1} more)` : ''}`
    }
  }
  return `Constructor rejected the request (HTTP ${status})`
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

type RawResponse = { status: number; headers: http.IncomingHttpHeaders; text: string; durationMs: number }

function headerValue(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value[0] : value
}

function classifyResponse(
  response: RawResponse,
  token: string,
  actionCount: number | undefined,
): SubmitOutcome {
  const { status, durationMs } = response
  const text = redactSecret(response.text, token)
  const base = {
    httpStatus: status,
    durationMs,
    ...(text !== '' && { responseExcerpt: truncateBytes(text, RESPONSE_EXCERPT_MAX_BYTES) }),
  }
  if (status >= 200 && status < 300) return { kind: 'accepted', ...base }
  if (status === 401 || status === 403) {
    return {
      kind: 'unauthorized',
      ...base,
      reason: status === 401 ? 'unauthenticated' : 'forbidden',
      message:
        status === 401
          ? 'Constructor did not accept the API token (HTTP 401): check the token'
          : 'The API token is not allowed to send to this index (HTTP 403): check the key and the token',
    }
  }
  // A redirect, 404 or 405 means the base URL is wrong: stop like for bad credentials instead of failing sales.
  if ((status >= 300 && status < 400) || status === 404 || status === 405) {
    return {
      kind: 'unauthorized',
      ...base,
      reason: 'endpoint',
      message: `Constructor's endpoint was not found at the configured base URL (HTTP ${status}): check the base URL`,
    }
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(headerValue(response.headers, 'retry-after'))
    return { kind: 'rate_limited', ...base, ...(retryAfterMs !== undefined && { retryAfterMs }) }
  }
  if (status === 408) {
    return {
      kind: 'transient',
      ...base,
      reason: 'timeout',
      message: 'Constructor timed out reading the request',
    }
  }
  if (status >= 400 && status < 500) {
    const body = parseJson(text)
    const issues = readIssues(body, token)
    return {
      kind: 'rejected',
      ...base,
      message: redactSecret(rejectionMessage(body, status), token).slice(0, MESSAGE_MAX_CHARS),
      offendingIndices: parseOffendingIndices(body, actionCount),
      issues: issues.slice(0, MAX_REPORTED_ISSUES),
    }
  }
  if (status >= 500) {
    return {
      kind: 'transient',
      ...base,
      reason: 'server_error',
      message: `Constructor answered HTTP ${status}`,
    }
  }
  return { kind: 'transient', ...base, reason: 'unexpected_status', message: `unexpected HTTP ${status}` }
}

function transientFromError(
  error: NodeJS.ErrnoException,
  durationMs: number,
  token: string,
): TransientOutcome {
  const code = error.code ?? ''
  let reason: TransientReason = 'network'
  if (code === 'ECONNREFUSED') reason = 'connection_refused'
  else if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED') reason = 'connection_reset'
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') reason = 'dns'
  else if (code === 'ETIMEDOUT') reason = 'connect_timeout'
  const message = redactSecret(code ? `${code}: ${error.message}` : error.message, token)
  return { kind: 'transient', reason, durationMs, message: message.slice(0, MESSAGE_MAX_CHARS) }
}

function validateOptions(options: ConstructorClientOptions): URL {
  let url: URL
  try {
    url = new URL(options.baseUrl)
  } catch {
    throw new ConstructorConfigError('the Constructor base URL is not a valid URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConstructorConfigError('the Constructor base URL must start with http:// or https://')
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConstructorConfigError(
      'the Constructor base URL must not contain credentials: set the token instead',
    )
  }
  if (!constructorKeySchema.safeParse(options.apiKey).success) {
    throw new ConstructorConfigError('the Constructor API key must be 1–100 characters')
  }
  if (options.section !== undefined && !constructorSectionSchema.safeParse(options.section).success) {
    throw new ConstructorConfigError('the Constructor section must be 1–100 characters')
  }
  if (options.token === '') throw new ConstructorConfigError('the Constructor API token is empty')
  // A colon would split Basic auth's user:password; spaces and control characters are copy-paste accidents.
  if (options.token.includes(':') || /[^!-~]/.test(options.token)) {
    throw new ConstructorConfigError(
      'the Constructor API token may only hold visible ASCII characters other than ":": check for pasted spaces',
    )
  }
  const base = url.pathname.replace(/\/+$/, '')
  const endpoint = new URL(`${url.origin}${base}${CONSTRUCTOR_PATH}`)
  endpoint.searchParams.set('key', options.apiKey)
  if (options.section !== undefined) endpoint.searchParams.set('section', options.section)
  return endpoint
}

class TimerError extends Error {}

export function createConstructorClient(options: ConstructorClientOptions): ConstructorClient {
  const endpoint = validateOptions(options)
  const token = options.token
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000
  const timeoutMs = options.timeoutMs ?? 30_000
  const secure = endpoint.protocol === 'https:'
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 16 }
  const agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions)
  const transport = secure ? https : http
  const authorization = `Basic ${Buffer.from(`${token}:`).toString('base64')}`
  const endpointText = endpoint.toString()
  const logger = options.logger

  function exchange(json: string, actionCount: number | undefined, allowRetryOnStaleSocket: boolean) {
    const started = performance.now()
    const elapsed = () => Math.round(performance.now() - started)
    return new Promise<SubmitOutcome>((resolve) => {
      let settled = false
      let connectTimer: NodeJS.Timeout | undefined
      const finish = (outcome: SubmitOutcome) => {
        if (settled) return
        settled = true
        clearTimeout(totalTimer)
        clearTimeout(connectTimer)
        resolve(outcome)
      }
      const request = transport.request(endpoint, {
        method: 'POST',
        agent,
        headers: {
          authorization,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(json),
          accept: 'application/json',
          'user-agent': options.userAgent ?? 'storefront-sync',
        },
      })
      const totalTimer = setTimeout(() => {
        finish({
          kind: 'transient',
          reason: 'timeout',
          durationMs: elapsed(),
          message: `no complete answer within ${timeoutMs} ms`,
        })
        request.destroy(new TimerError('timeout'))
      }, timeoutMs)
      request.on('socket', (socket) => {
        if (!socket.connecting) return
        connectTimer = setTimeout(() => {
          finish({
            kind: 'transient',
            reason: 'connect_timeout',
            durationMs: elapsed(),
            message: `could not connect within ${connectTimeoutMs} ms`,
          })
          request.destroy(new TimerError('connect timeout'))
        }, connectTimeoutMs)
        socket.once('connect', () => clearTimeout(connectTimer))
      })
      request.on('error', (error: NodeJS.ErrnoException) => {
        if (settled || error instanceof TimerError) return
        // A kept-alive socket the server closed meanwhile fails at once; resending is safe (order ids merge).
        if (allowRetryOnStaleSocket && request.reusedSocket && error.code === 'ECONNRESET') {
          settled = true
          clearTimeout(totalTimer)
          clearTimeout(connectTimer)
          resolve(exchange(json, actionCount, false))
          return
        }
        finish(transientFromError(error, elapsed(), token))
      })
      request.on('response', (response) => {
        const chunks: Buffer[] = []
        let stored = 0
        response.on('data', (chunk: Buffer) => {
          if (stored >= RESPONSE_READ_MAX_BYTES) return
          chunks.push(chunk)
          stored += chunk.length
        })
        response.on('error', (error: NodeJS.ErrnoException) => {
          if (!settled) finish(transientFromError(error, elapsed(), token))
        })
        response.on('close', () => {
          if (!settled && !response.complete) {
            finish({
              kind: 'transient',
              reason: 'connection_reset',
              durationMs: elapsed(),
              httpStatus: response.statusCode ?? 0,
              message: 'the connection closed before the response was complete',
            })
          }
        })
        response.on('end', () => {
          const text = Buffer.concat(chunks).subarray(0, RESPONSE_READ_MAX_BYTES).toString('utf8')
          finish(
            classifyResponse(
              { status: response.statusCode ?? 0, headers: response.headers, text, durationMs: elapsed() },
              token,
              actionCount,
            ),
          )
        })
      })
      request.end(json)
    })
  }

  async function submitJson(json: string, actionCount?: number): Promise<SubmitOutcome> {
    const outcome = await exchange(json, actionCount, true)
    const line = {
      event: 'constructor.request',
      endpoint: endpointText,
      outcome: outcome.kind,
      httpStatus: outcome.httpStatus,
      durationMs: outcome.durationMs,
      ...(actionCount !== undefined && { actions: actionCount }),
      ...(outcome.kind === 'transient' && { reason: outcome.reason }),
      ...(outcome.kind === 'rejected' && { offendingIndices: outcome.offendingIndices }),
      ...(outcome.kind === 'rate_limited' && { retryAfterMs: outcome.retryAfterMs }),
    }
    if (outcome.kind === 'accepted')
      (logger?.debug ?? logger?.info)?.(line, 'Constructor accepted the actions')
    else logger?.warn(line, `Constructor request ended ${outcome.kind}`)
    return outcome
  }

  return {
    endpoint: endpointText,
    async submit(body) {
      assertWithinLimits(body)
      return submitJson(JSON.stringify(body), body.behavioral_actions.length)
    },
    submitJson: (json) => submitJson(json),
    async testConnection() {
      // An empty action list is invalid by contract, so a valid token earns a 400 and no sale is ever recorded.
      const outcome = await submitJson('{"behavioral_actions":[]}', 0)
      switch (outcome.kind) {
        case 'rejected':
        case 'accepted':
          return { ok: true, status: 'ok', message: 'Constructor accepted the credentials', outcome }
        case 'unauthorized':
          return { ok: false, status: 'unauthorized', message: outcome.message, outcome }
        case 'rate_limited':
          return {
            ok: false,
            status: 'rate_limited',
            message: 'Constructor is rate limiting this token; try again shortly',
            outcome,
          }
        case 'transient':
          return {
            ok: false,
            status: outcome.reason === 'server_error' ? 'unexpected' : 'unreachable',
            message: `Constructor could not be reached: ${outcome.message}`,
            outcome,
          }
      }
    },
    close: () => agent.destroy(),
  }
}
