import { Skeleton } from '@/components/ui/skeleton'

// What a table looks like while its first page loads: toolbar, header, rows and pagination, as shapes.
export function DataTableSkeleton({
  columns,
  rows = 10,
  filters = 3,
}: {
  columns: number
  rows?: number
  filters?: number
}) {
  return (
    <div className="flex flex-col gap-3" aria-busy="true">
      <span className="sr-only" role="status">
        Loading…
      </span>
      <div className="flex gap-2">
        <Skeleton className="h-8 w-64" />
        {Array.from({ length: filters }, (_, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: static placeholders
          <Skeleton key={i} className="h-8 w-24" />
        ))}
      </div>
      <div className="rounded-md border">
        <div className="flex gap-4 border-b bg-muted/50 px-3 py-3">
          {Array.from({ length: columns }, (_, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: static placeholders
            <Skeleton key={i} className="h-4 flex-1" />
          ))}
        </div>
        {Array.from({ length: rows }, (_, r) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: static placeholders
          <div key={r} className="flex gap-4 border-b px-3 py-3 last:border-0">
            {Array.from({ length: columns }, (_, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: static placeholders
              <Skeleton key={i} className="h-4 flex-1" />
            ))}
          </div>
        ))}
      </div>
      <div className="flex justify-between">
        <Skeleton className="h-8 w-48" />
        <Skeleton className="h-8 w-72" />
      </div>
    </div>
  )
}
