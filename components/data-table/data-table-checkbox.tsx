'use client'

import { useEffect, useRef } from 'react'
import { cn } from '@/lib/utils/cn'

// A native checkbox (keyboard and screen readers for free) that can show "some selected".
export function DataTableCheckbox({
  checked,
  indeterminate = false,
  className,
  ...props
}: Omit<React.ComponentProps<'input'>, 'type'> & { indeterminate?: boolean }) {
  const ref = useRef<HTMLInputElement>(null)
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = indeterminate && !checked
  }, [indeterminate, checked])
  return (
    <input
      ref={ref}
      type="checkbox"
      checked={checked}
      className={cn(
        'size-4 cursor-pointer rounded border-input accent-primary align-middle focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-offset-1',
        className,
      )}
      {...props}
    />
  )
}
