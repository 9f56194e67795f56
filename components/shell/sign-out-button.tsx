'use client'

import { LogOut } from 'lucide-react'
import { useTransition } from 'react'
import { Button } from '@/components/ui/button'
import { toast } from '@/components/ui/toast'
import { signOutAction } from '@/lib/auth/sign-in/actions'

export function SignOutButton({ variant = 'default' }: { variant?: 'default' | 'outline' | 'ghost' }) {
  const [pending, start] = useTransition()
  return (
    <Button
      type="button"
      variant={variant}
      size="sm"
      disabled={pending}
      onClick={() =>
        start(async () => {
          const result = await signOutAction({})
          // success redirects to /login; a failure (e.g. an already ended session) goes there too
          if (result && !result.ok) {
            toast.error(result.error)
            window.location.assign('/login')
          }
        })
      }
    >
      <LogOut aria-hidden />
      Sign out
    </Button>
  )
}
