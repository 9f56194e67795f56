import type { IncomingMessage } from 'node:http'
import net from 'node:net'

// The client address for throttling and the audit trail. Next keeps a client's own X-Forwarded-For
// and offers route handlers no socket address, so scripts/web-server.ts (the web app's server) works
// the address out from the socket and TRUSTED_PROXIES, and overwrites this header on every request.
export const CLIENT_ADDRESS_HEADER = 'x-storefront-client-address'
// set by that server in its own process: without it the header could have come from the client
const STAMPED = Symbol.for('storefront-sync.client-address-stamped')

/** TRUSTED_PROXIES: a hop count ("1": one proxy in front) or a comma list of proxy addresses/CIDRs */
export type TrustedProxies = { hops: number } | { list: net.BlockList }

export function parseTrustedProxies(value: string | undefined): TrustedProxies {
  const v = value?.trim() ?? ''
  if (v === '') return { hops: 0 }
  if (/^\d+$/.test(v)) return { hops: Number(v) }
  const list = new net.BlockList()
  for (const entry of v.split(',').map((e) => e.trim())) {
    const [address = '', prefix] = entry.split('/')
    const family = net.isIP(address)
    const max = family === 4 ? 32 : 128
    const bits = prefix === undefined ? max : /^\d+$/.test(prefix) ? Number(prefix) : -1
    if (!family || bits < 0 || bits > max)
      throw new Error(
        `TRUSTED_PROXIES: "${entry}" is not a hop count, an address or a CIDR (e.g. 1, or 10.0.0.0/8,192.168.1.5)`,
      )
    list.addSubnet(address, bits, family === 4 ? 'ipv4' : 'ipv6')
  }
  return { list }
}

const plain = (address: string) => address.trim().replace(/^::ffff:(?=\d+\.)/, '')

/**
 * The client: the socket's peer, unless that peer is a trusted proxy, in which case the address it
 * appended to X-Forwarded-For (walking back while each hop is trusted). Entries left of the trusted
 * hops are the client's own words and are never used.
 */
export function resolveClientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: TrustedProxies,
): string {
  const chain = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? ''))
    .split(',')
    .map(plain)
    .filter(Boolean)
  let address = plain(peer ?? '') || 'unknown'
  for (let hop = 0; chain.length > 0; hop++) {
    const isTrusted =
      'hops' in trusted
        ? hop < trusted.hops
        : net.isIP(address) !== 0 && trusted.list.check(address, net.isIP(address) === 4 ? 'ipv4' : 'ipv6')
    const previous = chain.pop() as string
    if (!isTrusted || net.isIP(previous) === 0) break
    address = previous
  }
  return address.slice(0, 100)
}

/** the web server's first step on every request: the header then carries only what it worked out */
export function stampClientAddress(req: IncomingMessage, trusted: TrustedProxies) {
  ;(globalThis as Record<symbol, unknown>)[STAMPED] = true
  req.headers[CLIENT_ADDRESS_HEADER] = resolveClientAddress(
    req.socket.remoteAddress,
    req.headers['x-forwarded-for'],
    trusted,
  )
}

/** the address the web server stamped; "unknown" when the app runs without it (e.g. plain `next start`) */
export function clientAddress(headers: Headers | null | undefined) {
  if (!(globalThis as Record<symbol, unknown>)[STAMPED]) return 'unknown'
  return headers?.get(CLIENT_ADDRESS_HEADER)?.trim().slice(0, 100) || 'unknown'
}
