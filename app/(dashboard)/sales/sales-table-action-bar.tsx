'use client'

import { Ban, RotateCcw, Send, Trash2, Undo2 } from 'lucide-react'
import { useRouter } from 'next/navigation'
import { useState, useTransition } from 'react'
import { DataTableActionBar } from '@/components/data-table/data-table-action-bar'
import { Button } from '@/components/ui/button'
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
} from '@/components/ui/dialog'
import { toast } from '@/components/ui/toast'
import type { ActionResult } from '@/lib/auth/action'
import {
  deleteSaleEventsAction,
  resubmitSaleEventsAction,
  setSaleEventsExcludedAction,
  submitSaleEventsAction,
} from '@/lib/sales/actions'
import { ExportButton } from './export-button'

const n = (count: number, one: string, many = `${one}s`) =>
  `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`

function leftAlone(skipped: number, why: string) {
  return skipped > 0
    ? ` ${n(skipped, 'sale')} ${skipped === 1 ? 'was' : 'were'} ${why} and left as ${skipped === 1 ? 'it was' : 'they were'}.`
    : ''
}

// Bulk operations on the selected sales (any page). Destructive ones ask first; each says what it did.
export function SalesTableActionBar({ selectedIds, onDone }: { selectedIds: string[]; onDone: () => void }) {
  const router = useRouter()
  const [pending, start] = useTransition()
  const [confirm, setConfirm] = useState<null | 'delete' | 'exclude'>(null)
  const count = selectedIds.length

  function run<T>(action: () => Promise<ActionResult<T>>, message: (data: T) => string) {
    start(async () => {
      const result = await action()
      if (result.ok) {
        toast.success(message(result.data))
        setConfirm(null)
        onDone()
        router.refresh()
      } else toast.error(result.error)
    })
  }

  return (
    <DataTableActionBar count={count} noun={count === 1 ? 'sale' : 'sales'} onClear={onDone}>
      <Button
        size="sm"
        disabled={pending}
        onClick={() =>
          run(
            () => submitSaleEventsAction({ eventIds: selectedIds }),
            (r) =>
              r.eventCount === 0
                ? `Nothing submitted: none of the selected sales is ready.${leftAlone(0, '')}`
                : `Submitted ${n(r.eventCount, 'sale')} in ${n(r.batchCount, 'batch', 'batches')}.${leftAlone(r.skipped, 'not ready')}`,
          )
        }
      >
        <Send aria-hidden />
        Submit
      </Button>
      <Button
        size="sm"
        variant="secondary"
        disabled={pending}
        onClick={() =>
          run(
            () => resubmitSaleEventsAction({ eventIds: selectedIds }),
            (r) =>
              r.eventCount === 0
                ? 'Nothing resubmitted: none of the selected sales failed or was corrected.'
                : `Resubmitted ${n(r.eventCount, 'sale')} in ${n(r.batchCount, 'batch', 'batches')}.${leftAlone(r.skipped, 'not failed or corrected')}`,
          )
        }
      >
        <RotateCcw aria-hidden />
        Resubmit
      </Button>
      <Button size="sm" variant="outline" disabled={pending} onClick={() => setConfirm('exclude')}>
        <Ban aria-hidden />
        Exclude
      </Button>
      <Button
        size="sm"
        variant="outline"
        disabled={pending}
        onClick={() =>
          run(
            () => setSaleEventsExcludedAction({ eventIds: selectedIds, excluded: false }),
            (r) => `Included ${n(r.count, 'sale')} again.${leftAlone(r.skipped, 'not excluded')}`,
          )
        }
      >
        <Undo2 aria-hidden />
        Include
      </Button>
      <ExportButton size="sm" variant="outline" disabled={pending} href="/sales/export" ids={selectedIds}>
        Export
      </ExportButton>
      <Button size="sm" variant="destructive" disabled={pending} onClick={() => setConfirm('delete')}>
        <Trash2 aria-hidden />
        Delete
      </Button>
      <Dialog open={confirm !== null} onOpenChange={(open) => !open && setConfirm(null)}>
        <DialogContent>
          <DialogHeader>
            <DialogTitle>
              {confirm === 'delete' ? `Delete ${n(count, 'sale')}?` : `Exclude ${n(count, 'sale')}?`}
            </DialogTitle>
            <DialogDescription>
              {confirm === 'delete'
                ? 'Only sales that were never sent to Constructor are deleted; the others stay. This cannot be undone — upload the file again to get them back.'
                : 'Excluded sales are never sent to Constructor. You can include them again later. Queued and submitted sales are left as they are.'}
            </DialogDescription>
          </DialogHeader>
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="outline">Cancel</Button>
            </DialogClose>
            <Button
              variant="destructive"
              disabled={pending}
              onClick={() =>
                confirm === 'delete'
                  ? run(
                      () => deleteSaleEventsAction({ eventIds: selectedIds }),
                      (r) => `Deleted ${n(r.count, 'sale')}.${leftAlone(r.skipped, 'already sent')}`,
                    )
                  : run(
                      () => setSaleEventsExcludedAction({ eventIds: selectedIds, excluded: true }),
                      (r) => `Excluded ${n(r.count, 'sale')}.${leftAlone(r.skipped, 'queued or submitted')}`,
                    )
              }
            >
              {confirm === 'delete' ? 'Delete' : 'Exclude'}
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </DataTableActionBar>
  )
}
