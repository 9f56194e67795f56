import { Badge } from '@/components/ui/badge'

const STATUS = {
  QUEUED: { label: 'Queued', variant: 'info' },
  SENDING: { label: 'Sending', variant: 'warning' },
  RETRY_WAIT: { label: 'Waiting to retry', variant: 'warning' },
  SUCCEEDED: { label: 'Succeeded', variant: 'success' },
  FAILED: { label: 'Failed', variant: 'danger' },
  CANCELLED: { label: 'Cancelled', variant: 'muted' },
} as const

export const BATCH_STATUS_LABELS: Record<keyof typeof STATUS, string> = Object.fromEntries(
  Object.entries(STATUS).map(([k, v]) => [k, v.label]),
) as Record<keyof typeof STATUS, string>

export function BatchStatusBadge({ status }: { status: string }) {
  const s = STATUS[status as keyof typeof STATUS] ?? { label: status, variant: 'muted' as const }
  return (
    <Badge variant={s.variant} data-testid="batch-status">
      {s.label}
    </Badge>
  )
}
