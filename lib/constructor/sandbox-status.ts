import 'server-only'
import type { Caller } from '@/lib/auth/caller'
import { CONTROL_TOKEN_HEADER, type ReceivedPage, type SandboxStats } from '@/lib/constructor/sandbox/server'
import { env } from '@/lib/env'

// What the local sandbox received, for the admin "Sandbox" page: read from its control endpoint,
// so the page shows exactly what Constructor would have been sent.

/** true when a connection's base URL is the local sandbox rather than Constructor */
export function isSandboxUrl(baseUrl: string, sandboxUrl = env().SANDBOX_URL) {
  if (!sandboxUrl) return false
  try {
    return new URL(baseUrl).origin === new URL(sandboxUrl).origin
  } catch {
    return false
  }
}

export type SandboxView =
  | { available: true; url: string; stats: SandboxStats; page: ReceivedPage }
  | { available: false; url: string | null; reason: string }

export async function getSandboxView(
  caller: Caller,
  query: { offset: number; limit: number; orderId?: string },
): Promise<SandboxView> {
  if (caller.role !== 'ADMIN') throw new Error('Only admins can see what the sandbox received')
  const { SANDBOX_URL: url = null, SANDBOX_CONTROL_TOKEN: token } = env()
  if (!url || !token) {
    return {
      available: false,
      url,
      reason: 'No sandbox is configured (SANDBOX_URL and SANDBOX_CONTROL_TOKEN).',
    }
  }
  const headers = { [CONTROL_TOKEN_HEADER]: token }
  const params = new URLSearchParams({ limit: String(query.limit), offset: String(query.offset) })
  if (query.orderId) params.set('order_id', query.orderId)
  try {
    const [statsRes, pageRes] = await Promise.all([
      fetch(`${url}/_sandbox/stats`, { headers, cache: 'no-store', signal: AbortSignal.timeout(5000) }),
      fetch(`${url}/_sandbox/received?${params}`, {
        headers,
        cache: 'no-store',
        signal: AbortSignal.timeout(5000),
      }),
    ])
    if (!statsRes.ok || !pageRes.ok) {
      return { available: false, url, reason: `The sandbox answered ${statsRes.status}/${pageRes.status}.` }
    }
    return {
      available: true,
      url,
      stats: (await statsRes.json()) as SandboxStats,
      page: (await pageRes.json()) as ReceivedPage,
    }
  } catch {
    return {
      available: false,
      url,
      reason: 'The sandbox is not reachable. Is it running (npm start starts it)?',
    }
  }
}

/** a short description of one received action for the table; the full JSON is shown beside it */
export function summariseAction(action: unknown) {
  const a = action as { action?: string; data?: Record<string, unknown> }
  const data = a.data ?? {}
  const items = (data.items ?? data.items_returned ?? []) as unknown[]
  return {
    kind: a.action === 'return' ? 'Return' : 'Purchase',
    orderId: typeof data.order_id === 'string' ? data.order_id : null,
    storeId: typeof data.store_id === 'string' ? data.store_id : null,
    occurredAt: typeof data._dt === 'number' ? new Date(data._dt * 1000) : null,
    itemCount: Array.isArray(items) ? items.length : 0,
  }
}
