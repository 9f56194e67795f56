'use client'

import { useState, useTransition } from 'react'
import type { z } from 'zod'
import { toast } from '@/components/ui/toast'
import type { ActionResult, FieldErrors } from '@/lib/auth/action'

// One way every form submits: the same zod schema as the server parses in the browser first, then
// the server action; field errors from either side land beside their fields, the rest in a toast.
export function useActionForm<S extends z.ZodType, T>(
  schema: S,
  action: (input: z.input<S>) => Promise<ActionResult<T>>,
  options: {
    success?: string | ((data: T) => string)
    onSuccess?: (data: T) => void
    toastErrors?: boolean
  } = {},
) {
  const [errors, setErrors] = useState<FieldErrors>({})
  const [formError, setFormError] = useState<string | null>(null)
  const [pending, startTransition] = useTransition()

  function submit(values: z.input<S>) {
    const local = schema.safeParse(values)
    if (!local.success) {
      const fieldErrors: FieldErrors = {}
      for (const issue of local.error.issues) {
        const key = issue.path.map(String).join('.') || '_'
        fieldErrors[key] = [...(fieldErrors[key] ?? []), issue.message]
      }
      setErrors(fieldErrors)
      setFormError('Some fields need attention.')
      return
    }
    startTransition(async () => {
      const result = await action(values)
      if (!result) return // the action redirected
      if (result.ok) {
        setErrors({})
        setFormError(null)
        const message = typeof options.success === 'function' ? options.success(result.data) : options.success
        if (message) toast.success(message)
        options.onSuccess?.(result.data)
      } else {
        setErrors(result.fieldErrors ?? {})
        setFormError(result.error)
        if (options.toastErrors !== false) toast.error(result.error)
      }
    })
  }

  return { errors, formError, pending, submit, setErrors }
}
