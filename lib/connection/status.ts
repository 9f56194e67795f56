import 'server-only'
import type { Caller } from '@/lib/auth/caller'
import { isSandboxUrl } from '@/lib/constructor/sandbox-status'
import { db } from '@/lib/db'

export type ConnectionStatus = {
  configured: boolean
  /** the connection points at the local sandbox: nothing reaches Constructor */
  sandbox: boolean
  paused: boolean
  /** only admins are told why (it may name configuration); managers see that sending waits */
  pausedReason: string | null
  pausedAt: Date | null
}

/** for the header of every page: the sandbox badge and the paused-connection banner */
export async function getConnectionStatus(caller: Caller): Promise<ConnectionStatus> {
  const conn = await db.constructorConnection.findFirst({
    orderBy: { createdAt: 'asc' },
    select: { baseUrl: true, paused: true, pausedReason: true, pausedAt: true },
  })
  if (!conn) return { configured: false, sandbox: false, paused: false, pausedReason: null, pausedAt: null }
  return {
    configured: true,
    sandbox: isSandboxUrl(conn.baseUrl),
    paused: conn.paused,
    pausedReason: caller.role === 'ADMIN' ? conn.pausedReason : null,
    pausedAt: conn.paused ? conn.pausedAt : null,
  }
}
