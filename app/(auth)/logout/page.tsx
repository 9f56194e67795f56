import Link from 'next/link'
import { SignOutButton } from '@/components/shell/sign-out-button'
import { Button } from '@/components/ui/button'
import { getCaller } from '@/lib/auth/caller'

export const metadata = { title: 'Sign out' }

export default async function LogoutPage() {
  const caller = await getCaller()
  if (!caller) {
    return (
      <>
        <h1 className="mb-2 text-xl font-semibold">You are signed out</h1>
        <Button asChild>
          <Link href="/login">Sign in</Link>
        </Button>
      </>
    )
  }
  return (
    <>
      <h1 className="mb-2 text-xl font-semibold">Sign out</h1>
      <p className="mb-6 text-sm text-muted-foreground">
        Signed in as {caller.email}. Signing out ends your sessions on every device.
      </p>
      <div className="flex gap-2">
        <SignOutButton />
        <Button variant="outline" asChild>
          <Link href="/">Cancel</Link>
        </Button>
      </div>
    </>
  )
}
