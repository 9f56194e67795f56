import 'server-only'
import type { Caller } from '@/lib/auth/caller'
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
      updatedAt: true,
      maxRequestsPerSecond: true,
      maxConcurrency: true,
      pace: { select: { rate: true, holdUntil: true } },
    },
  })
  return conn
}

export type ConnectionView = NonNullable<Awaited<ReturnType<typeof getConnectionForSettings>>>
