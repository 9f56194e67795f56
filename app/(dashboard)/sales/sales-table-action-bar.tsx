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
import { catalogNote } from '@/lib/catalog/messages'
import {
  deleteSaleEventsAction,
  excludeMatchingSaleEventsAction,
  resubmitSaleEventsAction,
  setSaleEventsExcludedAction,
  submitMatchingSaleEventsAction,
  submitSaleEventsAction,
} from '@/lib/sales/actions'
import { ExportButton } from './export-button'

/** "all N matching this filter" is selected: the table's filter query, as counted by the server */
export type MatchingSelection = { filter: string; count: number; ready: number }

const n = (count: number, one: string, many = `${one}s`) =>
  `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`

function leftAlone(skipped: number, why: string) {
  return skipped > 0
    ? ` ${n(skipped, 'sale')} ${skipped === 1 ? 'was' : 'were'} ${why} and left as ${skipped === 1 ? 'it was' : 'they were'}.`
    : ''
}

// Bulk operations on the selected sales (any page), or on every sale matching the filter ("select all N
// matching"). Destructive ones, and every action on all matching sales, ask first; each says what it did.
export function SalesTableActionBar({
  selectedIds,
  matching,
  exportHref,
  onDone,
}: {
  selectedIds: string[]
  matching: MatchingSelection | null
  /** the CSV of every sale matching the filter */
  exportHref: string
  onDone: () => void
}) {
  const router = useRouter()
  const [pending, start] = useTransition()
  const [confirm, setConfirm] = useState<null | 'delete' | 'exclude'>(null)
  const [confirmAll, setConfirmAll] = useState<null | 'submit' | 'exclude'>(null)
  const count = selectedIds.length
  const submitted = (r: { batchIds: string[] }) =>
    r.batchIds.length === 0
      ? undefined
      : {
          action: {
            label: r.batchIds.length === 1 ? 'See the batch' : 'See the batches',
            onClick: () => router.push(r.batchIds.length === 1 ? `/batches/${r.batchIds[0]}` : '/batches'),
          },
        }

  function run<T>(
    action: () => Promise<ActionResult<T>>,
    message: (data: T) => string,
    extra?: (data: T) => Parameters<typeof toast.success>[1],
  ) {
    start(async () => {
      const result = await action()
      if (result.ok) {
        toast.success(message(result.data), extra?.(result.data))
        setConfirm(null)
        setConfirmAll(null)
        onDone()
      } else {
        toast.error(result.error)
        setConfirmAll(null)
        // the matching set changed (or could not be acted on): select again from the fresh count
        if (matching) onDone()
      }
      router.refresh()
    })
  }

  if (matching) {
    const notReady = matching.count - matching.ready
    return (
      <DataTableActionBar
        count={matching.count}
        noun={`${matching.count === 1 ? 'sale' : 'sales'} (all matching this filter)`}
        onClear={onDone}
      >
        <Button size="sm" disabled={pending} onClick={() => setConfirmAll('submit')}>
          <Send aria-hidden />
          Submit all {matching.count.toLocaleString('en-US')}
        </Button>
        <Button size="sm" variant="outline" disabled={pending} onClick={() => setConfirmAll('exclude')}>
          <Ban aria-hidden />
          Exclude all {matching.count.toLocaleString('en-US')}
        </Button>
        <ExportButton size="sm" variant="outline" disabled={pending} href={exportHref}>
          Export
        </ExportButton>
        <Dialog open={confirmAll !== null} onOpenChange={(open) => !open && setConfirmAll(null)}>
          <DialogContent>
            <DialogHeader>
              <DialogTitle>
                {confirmAll === 'submit'
                  ? `Submit all ${n(matching.count, 'sale')} matching this filter?`
                  : `Exclude all ${n(matching.count, 'sale')} matching this filter?`}
              </DialogTitle>
              <DialogDescription>
                {confirmAll === 'submit'
                  ? matching.ready === 0
                    ? 'None of them is ready to submit: fix or include them first.'
                    : `${n(matching.ready, 'sale')} ${matching.ready === 1 ? 'is' : 'are'} ready and ${matching.ready === 1 ? 'goes' : 'go'} to Constructor in batches of up to 100.${notReady > 0 ? ` The other ${n(notReady, 'sale')} (not ready, queued or already sent) stay as they are.` : ''}`
                  : 'Excluded sales are never sent to Constructor. You can include them again later. Queued and submitted sales are left as they are.'}
              </DialogDescription>
            </DialogHeader>
            <DialogFooter>
              <DialogClose asChild>
                <Button variant="outline">Cancel</Button>
              </DialogClose>
              {confirmAll === 'submit' ? (
                <Button
                  disabled={pending || matching.ready === 0}
                  onClick={() =>
                    run(
                      () =>
                        submitMatchingSaleEventsAction({
                          filter: matching.filter,
                          expectedCount: matching.count,
                        }),
                      (r) =>
                        r.eventCount === 0
                          ? `Nothing submitted: none of the matching sales is ready.${catalogNote(r)}`
                          : `Submitted ${n(r.eventCount, 'sale')} in ${n(r.batchCount, 'batch', 'batches')}.${leftAlone(r.skipped, 'not ready')}${catalogNote(r)}`,
                      submitted,
                    )
                  }
                >
                  {pending ? 'Submitting…' : `Submit ${n(matching.ready, 'sale')}`}
                </Button>
              ) : (
                <Button
                  variant="destructive"
                  disabled={pending}
                  onClick={() =>
                    run(
                      () =>
                        excludeMatchingSaleEventsAction({
                          filter: matching.filter,
                          expectedCount: matching.count,
                        }),
                      (r) => `Excluded ${n(r.count, 'sale')}.${leftAlone(r.skipped, 'queued or submitted')}`,
                    )
                  }
                >
                  {pending ? 'Excluding…' : `Exclude ${n(matching.count, 'sale')}`}
                </Button>
              )}
            </DialogFooter>
          </DialogContent>
        </Dialog>
      </DataTableActionBar>
    )
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
                ? `Nothing submitted: none of the selected sales is ready.${leftAlone(0, '')}${catalogNote(r)}`
                : `Submitted ${n(r.eventCount, 'sale')} in ${n(r.batchCount, 'batch', 'batches')}.${leftAlone(r.skipped, 'not ready')}${catalogNote(r)}`,
            submitted,
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
