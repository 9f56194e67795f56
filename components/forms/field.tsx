import { useId } from 'react'
import { Input, Label } from '@/components/ui/input'
import { Select } from '@/components/ui/select'
import { cn } from '@/lib/utils/cn'

// A labelled control with its hint and error wired up for screen readers.
export function FieldShell({
  label,
  hint,
  error,
  className,
  children,
}: {
  label: string
  hint?: React.ReactNode
  error?: string[] | undefined
  className?: string
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => React.ReactNode
}) {
  const id = useId()
  const hintId = hint ? `${id}-hint` : undefined
  const errorId = error?.length ? `${id}-error` : undefined
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined
  return (
    <div className={cn('flex flex-col gap-1.5', className)}>
      <Label htmlFor={id}>{label}</Label>
      {children({ id, describedBy, invalid: Boolean(errorId) })}
      {hint ? (
        <p id={hintId} className="text-xs text-muted-foreground">
          {hint}
        </p>
      ) : null}
      {errorId ? (
        <p id={errorId} className="text-xs text-destructive">
          {error?.join(' ')}
        </p>
      ) : null}
    </div>
  )
}

/** what every field shows around its control; className goes on the field, not the control */
type FieldProps = { label: string; hint?: React.ReactNode; error?: string[] | undefined; className?: string }

/** a text input as a field: label (htmlFor), hint and error linked by aria-describedby, aria-invalid */
export function TextField({
  label,
  hint,
  error,
  className,
  ...props
}: FieldProps & Omit<React.ComponentProps<'input'>, 'className'>) {
  return (
    <FieldShell label={label} hint={hint} error={error} className={className}>
      {({ id, describedBy, invalid }) => (
        <Input id={id} aria-describedby={describedBy} aria-invalid={invalid || undefined} {...props} />
      )}
    </FieldShell>
  )
}

/** a native select as a field, wired like TextField; the options are its children */
export function SelectField({
  label,
  hint,
  error,
  className,
  children,
  ...props
}: FieldProps & Omit<React.ComponentProps<'select'>, 'className'>) {
  return (
    <FieldShell label={label} hint={hint} error={error} className={className}>
      {({ id, describedBy, invalid }) => (
        <Select id={id} aria-describedby={describedBy} aria-invalid={invalid || undefined} {...props}>
          {children}
        </Select>
      )}
    </FieldShell>
  )
}

export function FormError({ message }: { message: string | null }) {
  if (!message) return null
  return (
    <p
      role="alert"
      className="rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm text-destructive"
    >
      {message}
    </p>
  )
}
