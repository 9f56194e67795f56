import { Badge } from '@/components/ui/badge'

const STATUS = {
  INVALID: { label: 'Invalid', variant: 'danger' },
  READY: { label: 'Ready', variant: 'info' },
  QUEUED: { label: 'Queued', variant: 'warning' },
  SUBMITTED: { label: 'Submitted', variant: 'success' },
  FAILED: { label: 'Failed', variant: 'danger' },
  EXCLUDED: { label: 'Excluded', variant: 'muted' },
} as const

export const SALE_STATUS_LABELS: Record<keyof typeof STATUS, string> = Object.fromEntries(
  Object.entries(STATUS).map(([k, v]) => [k, v.label]),
) as Record<keyof typeof STATUS, string>

export function SaleStatusBadge({ status }: { status: string }) {
  const s = STATUS[status as keyof typeof STATUS] ?? { label: status, variant: 'muted' as const }
  return <Badge variant={s.variant}>{s.label}</Badge>
}
