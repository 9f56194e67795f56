'use client'

import { useState, useTransition } from 'react'
import { Button, type ButtonProps } from '@/components/ui/button'
import {
  Dialog,
  DialogClose,
  DialogContent,
  DialogDescription,
  DialogFooter,
  DialogHeader,
  DialogTitle,
  DialogTrigger,
} from '@/components/ui/dialog'
import { toast } from '@/components/ui/toast'
import type { ActionResult } from '@/lib/auth/action'

// A button that asks first (deactivations), then runs a server action and reports the outcome.
export function ConfirmButton<T>({
  label,
  title,
  description,
  confirmLabel,
  success,
  run,
  variant = 'outline',
}: {
  label: string
  title: string
  description: string
  confirmLabel: string
  success: string
  run: () => Promise<ActionResult<T>>
  variant?: ButtonProps['variant']
}) {
  const [open, setOpen] = useState(false)
  const [pending, start] = useTransition()
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button variant={variant} size="sm">
          {label}
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>{title}</DialogTitle>
          <DialogDescription>{description}</DialogDescription>
        </DialogHeader>
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="outline">Cancel</Button>
          </DialogClose>
          <Button
            variant="destructive"
            disabled={pending}
            onClick={() =>
              start(async () => {
                const result = await run()
                if (result.ok) {
                  toast.success(success)
                  setOpen(false)
                } else toast.error(result.error)
              })
            }
          >
            {confirmLabel}
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  )
}
