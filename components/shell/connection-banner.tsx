import { AlertTriangle } from 'lucide-react'
import Link from 'next/link'
import type { ConnectionStatus } from '@/lib/connection/status'

export function ConnectionBanner({ status, isAdmin }: { status: ConnectionStatus; isAdmin: boolean }) {
  if (status.paused) {
    return (
      <div
        role="alert"
        className="flex items-start gap-3 border-b border-red-200 bg-red-50 px-6 py-3 text-sm text-red-900"
      >
        <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden />
        <div>
          <p className="font-medium">Sending to Constructor is paused.</p>
          {isAdmin ? (
            <p>
              {status.pausedReason ?? 'Constructor refused the credentials.'} Fix the token or key in{' '}
              <Link href="/settings/connection" className="underline">
                Connection settings
              </Link>{' '}
              and test it: queued batches go out as soon as the test passes. No retries are spent meanwhile.
            </p>
          ) : (
            <p>Your sales are safe and queued; they go out once an admin has fixed the connection.</p>
          )}
        </div>
      </div>
    )
  }
  if (isAdmin && !status.configured) {
    return (
      <div role="status" className="border-b border-amber-200 bg-amber-50 px-6 py-3 text-sm text-amber-900">
        No Constructor connection is set up yet.{' '}
        <Link href="/settings/connection" className="underline">
          Set it up
        </Link>{' '}
        so sales can be submitted.
      </div>
    )
  }
  return null
}

export function SandboxBadge() {
  return (
    <span
      title="Sales are sent to the local sandbox, not to Constructor"
      className="rounded-full border border-amber-300 bg-amber-100 px-2.5 py-0.5 text-xs font-semibold text-amber-900"
    >
      Sandbox
    </span>
  )
}
