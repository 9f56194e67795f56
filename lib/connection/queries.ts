import 'server-only'
import type { Caller } from '@/lib/auth/caller'
import { type CustomerIdSettings, readCustomerIdSettings } from '@/lib/customers/customer-id'
import { db } from '@/lib/db'

/** the connection as the settings page may show it: never the token or its ciphertext */
export async function getConnectionForSettings(caller: Caller) {
  if (caller.role !== 'ADMIN') return null
  const conn = await db.constructorConnection.findFirst({
    orderBy: { createdAt: 'asc' },
    select: {
      id: true,
      name: true,
      baseUrl: true,
      apiKey: true,
      section: true,
      tokenHint: true,
      paused: true,
      pausedReason: true,
      pausedAt: true,
      lastTestedAt: true,
      lastTestOk: true,
      lastTestMessage: true,
      customerIdPolicy: true,
      customerIdSecretSetAt: true,
      holdUnknownItems: true,
      updatedAt: true,
      maxRequestsPerSecond: true,
      maxConcurrency: true,
      pace: { select: { rate: true, holdUntil: true } },
    },
  })
  return conn
}

export type ConnectionView = NonNullable<Awaited<ReturnType<typeof getConnectionForSettings>>>

/**
 * The customer id policy of the connection sales are sent through (the first one), to show on a sale and in
 * a preview exactly what will leave. The secret stays on the server; only the hashes it makes are shown.
 */
export async function getCustomerIdSettings(): Promise<CustomerIdSettings> {
  const conn = await db.constructorConnection.findFirst({
    orderBy: { createdAt: 'asc' },
    select: { customerIdPolicy: true, customerIdSecretCiphertext: true },
  })
  return conn ? readCustomerIdSettings(conn) : { policy: 'AS_IS', secret: null }
}
