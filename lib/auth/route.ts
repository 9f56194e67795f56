import 'server-only'
import { unstable_rethrow } from 'next/navigation'
import { type Access, type CallerRefusal, MESSAGES, refuseCaller } from '@/lib/auth/action'
import { checkApiKey, type KeyCaller, presentedKey } from '@/lib/auth/api-keys'
import { type Caller, getCaller } from '@/lib/auth/caller'
import { clientAddress } from '@/lib/auth/client-address'
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS, SERVICE_UNAVAILABLE } from '@/lib/db/unavailable'
import { logger } from '@/lib/log'

// THE door for route handlers, as authorizedAction is for server actions: same-origin → session →
// role → temporary password → handler. Every refusal and failure is JSON { error } with a status code.

/** who may call a route handler that needs a door (public routes such as /api/health need none) */
export type RouteAccess = Exclude<Access, 'public'>

export type RouteContext = {
  /** the client address, for the audit log */
  ip: string
}

/** 'api-key': the second door kind, for machine clients (a till's nightly job) that present a sales feed key */
export type RouteMeta = { name: string; access: RouteAccess | 'api-key'; sameOrigin: boolean }

export const ROUTE_META = Symbol.for('storefront-sync.route-meta')

export type AuthorizedRoute<R extends Request> = ((req: R) => Promise<Response>) & { [ROUTE_META]: RouteMeta }

export type RouteDefinition<R extends Request> = {
  /** unique, "<domain>.<verb>", used by the authorization matrix and the logs */
  name: string
  access: RouteAccess
  /** refuse a request sent by another site's page: browsers send Origin on every POST */
  sameOrigin?: boolean
  /** what the person reads when the handler fails unexpectedly, when the general message does not fit */
  unexpected?: string
  handler: (req: R, caller: Caller, ctx: RouteContext) => Promise<Response>
}

/** 401 when nobody is signed in (sign in again); 403 when the person is known but may not */
export const REFUSAL_STATUS: Record<CallerRefusal, 401 | 403> = {
  signedOut: 401,
  forbidden: 403,
  passwordChange: 403,
}

export const CROSS_SITE = 'This request came from another site and was refused.'

/** the error body every route handler answers with */
export function routeError(status: number, error: string) {
  return Response.json({ error }, { status, headers: { 'cache-control': 'no-store' } })
}

function originOf(url: string | undefined) {
  if (!url) return null
  try {
    return new URL(url).origin
  } catch {
    return null
  }
}

/**
 * The addresses this app is reached at: the URL the server built for the request, the Host (or a proxy's
 * X-Forwarded-Host) the browser sent, and APP_URL / AUTH_URL. The server may name itself localhost while the
 * browser came to 127.0.0.1 (the address `npm start` prints); a page of another site sends its own origin,
 * and cannot set these headers on a form post.
 */
function sameSiteOrigins(req: Request) {
  const url = new URL(req.url)
  const proto = req.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() || url.protocol.replace(/:$/, '')
  const hosts = [req.headers.get('host'), req.headers.get('x-forwarded-host')?.split(',')[0]?.trim()]
  return new Set(
    [
      url.origin,
      ...hosts.map((h) => (h ? originOf(`${proto}://${h}`) : null)),
      originOf(process.env.APP_URL),
      originOf(process.env.AUTH_URL),
    ].filter((o): o is string => o !== null),
  )
}

function crossSite(req: Request) {
  const origin = req.headers.get('origin')
  if (origin === null) return false
  return !sameSiteOrigins(req).has(origin)
}

export function authorizedRoute<R extends Request = Request>(def: RouteDefinition<R>): AuthorizedRoute<R> {
  const run = guarded<R>(def.name, def.unexpected, async (req) => {
    if (def.sameOrigin && crossSite(req)) return routeError(403, CROSS_SITE)
    const caller = await getCaller()
    const refused = refuseCaller(caller, def.access)
    if (refused || !caller)
      return routeError(REFUSAL_STATUS[refused ?? 'signedOut'], MESSAGES[refused ?? 'signedOut'])
    return await def.handler(req, caller, { ip: clientAddress(req.headers) })
  })
  const meta: RouteMeta = { name: def.name, access: def.access, sameOrigin: Boolean(def.sameOrigin) }
  return Object.assign(run, { [ROUTE_META]: meta })
}

/** the one answer to a missing, malformed, unknown, wrong or revoked key: never says which */
export const KEY_REFUSED =
  'Send a valid API key as "Authorization: Bearer <key>". An administrator creates keys in Settings → API keys.'
export const KEY_RATE_LIMITED =
  'Too many requests with this key. Wait for the time in Retry-After and send again.'

export type KeyRouteDefinition<R extends Request> = {
  /** unique, "<domain>.<verb>", used by the authorization matrix and the logs */
  name: string
  unexpected?: string
  /** the key has passed: it is known, not revoked and within its rate; the handler scopes to key.storeIds */
  handler: (req: R, key: KeyCaller, ctx: RouteContext) => Promise<Response>
}

/** the key door: API key (hashed, constant-time compare) → per-key rate limit → handler. No session is read. */
export function keyedRoute<R extends Request = Request>(def: KeyRouteDefinition<R>): AuthorizedRoute<R> {
  const run = guarded<R>(def.name, def.unexpected, async (req) => {
    const checked = await checkApiKey(presentedKey(req.headers))
    if (!checked.ok && checked.reason === 'rateLimited')
      return Response.json(
        { error: KEY_RATE_LIMITED },
        {
          status: 429,
          headers: { 'cache-control': 'no-store', 'retry-after': String(checked.retryAfterSeconds) },
        },
      )
    if (!checked.ok)
      return Response.json(
        { error: KEY_REFUSED },
        { status: 401, headers: { 'cache-control': 'no-store', 'www-authenticate': 'Bearer' } },
      )
    return await def.handler(req, checked.key, { ip: clientAddress(req.headers) })
  })
  const meta: RouteMeta = { name: def.name, access: 'api-key', sameOrigin: false }
  return Object.assign(run, { [ROUTE_META]: meta })
}

/** every door's failures alike: an outage is a 503 with Retry-After, anything else a 500 with the person's message */
function guarded<R extends Request>(
  name: string,
  unexpected: string | undefined,
  inner: (req: R) => Promise<Response>,
): (req: R) => Promise<Response> {
  const def = { name, unexpected }
  return async (req: R): Promise<Response> => {
    try {
      return await inner(req)
    } catch (error) {
      unstable_rethrow(error)
      if (isDatabaseUnavailable(error)) {
        logger.warn({ route: def.name, err: error }, 'route handler: database unreachable')
        return Response.json(
          { error: SERVICE_UNAVAILABLE },
          {
            status: 503,
            headers: { 'cache-control': 'no-store', 'retry-after': String(RETRY_AFTER_SECONDS) },
          },
        )
      }
      logger.error({ route: def.name, err: error }, 'route handler failed')
      return routeError(500, def.unexpected ?? MESSAGES.unexpected)
    }
  }
}

export function routeMeta(fn: unknown): RouteMeta | undefined {
  return typeof fn === 'function' ? (fn as { [ROUTE_META]?: RouteMeta })[ROUTE_META] : undefined
}
