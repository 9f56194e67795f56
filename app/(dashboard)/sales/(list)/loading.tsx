import { DataTableSkeleton } from '@/components/data-table/data-table-skeleton'
import { Skeleton } from '@/components/ui/skeleton'

export default function Loading() {
  return (
    <div className="flex flex-col gap-6">
      <Skeleton className="h-8 w-48" />
      <DataTableSkeleton columns={10} rows={12} filters={4} />
    </div>
  )
}
