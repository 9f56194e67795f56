// A database outage, told apart from other failures so people read "unavailable, try again shortly"
// (and clients get 503) instead of "wrong password" or a bare error reference. No imports: the
// client-side error boundary reads the digest from here.
export const SERVICE_UNAVAILABLE =
  'Storefront Sync is unavailable right now: it cannot reach its database. Nothing was changed; try again in a minute.'
/** the digest a server error carries to the error boundary when the database is unreachable */
export const SERVICE_UNAVAILABLE_DIGEST = 'STOREFRONT_SERVICE_UNAVAILABLE'
/** seconds a client is asked to wait (Retry-After) */
export const RETRY_AFTER_SECONDS = 30

/** thrown where a page's first database read fails for an outage; its digest reaches the browser */
export class ServiceUnavailableError extends Error {
  override name = 'ServiceUnavailableError'
  readonly digest = SERVICE_UNAVAILABLE_DIGEST
  constructor(cause?: unknown) {
    super(SERVICE_UNAVAILABLE, { cause })
  }
}

// Prisma's "can't reach", "closed", "timed out" codes; the driver adapter's kinds; node's socket errors;
// PostgreSQL's connection-exception class (08) and shutdown / not-yet-accepting states (57P01-57P03)
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024'])
const ADAPTER_KINDS = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
])
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
])
const PG_STATE = /^(08|57P0[123]$|53300$)/

type Shape = {
  code?: unknown
  kind?: unknown
  message?: unknown
  cause?: unknown
  meta?: { driverAdapterError?: { cause?: unknown } }
}

/** is this error (or one it wraps) the database being out of reach, rather than a fault in a query? */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 6) return false
  if (error instanceof ServiceUnavailableError) return true
  const e = error as Shape
  const code = typeof e.code === 'string' ? e.code : ''
  if (PRISMA_CODES.has(code) || SOCKET_CODES.has(code) || PG_STATE.test(code)) return true
  if (typeof e.kind === 'string' && ADAPTER_KINDS.has(e.kind)) return true
  if (typeof e.message === 'string' && /Connection terminated|Can't reach database server/.test(e.message))
    return true
  if (error instanceof AggregateError && error.errors.some((x) => isDatabaseUnavailable(x, depth + 1)))
    return true
  return (
    isDatabaseUnavailable(e.meta?.driverAdapterError?.cause, depth + 1) ||
    isDatabaseUnavailable(e.cause, depth + 1)
  )
}
