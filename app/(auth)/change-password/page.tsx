import { redirect } from 'next/navigation'
import { getCaller } from '@/lib/auth/caller'
import { ChangePasswordForm } from './change-password-form'

export const metadata = { title: 'Change password' }

export default async function ChangePasswordPage() {
  const caller = await getCaller()
  if (!caller) redirect('/login?next=/change-password')
  return (
    <>
      <h1 className="mb-1 text-xl font-semibold">Change your password</h1>
      <p className="mb-6 text-sm text-muted-foreground">
        {caller.mustChangePassword
          ? 'You signed in with a temporary password. Choose your own before you continue.'
          : 'Choose a new password. Your other sessions will be signed out.'}
      </p>
      <ChangePasswordForm />
    </>
  )
}
