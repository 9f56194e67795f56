import { redirect } from 'next/navigation'
import { getCaller } from '@/lib/auth/caller'
import { SIGN_IN_FAILED, safeNextPath } from '@/lib/auth/schema'
import { SERVICE_UNAVAILABLE } from '@/lib/db/unavailable'
import { LoginForm } from './login-form'

export const metadata = { title: 'Sign in' }

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string; error?: string; code?: string }>
}) {
  const params = await searchParams
  const next = safeNextPath(params.next)
  const caller = await getCaller()
  if (caller) redirect(caller.mustChangePassword ? '/change-password' : next)
  // next-auth's own endpoint sends failures here as ?error=…&code=…
  const wait = /^throttled:(\d+)$/.exec(params.code ?? '')?.[1]
  const initialError = wait
    ? `Too many attempts, try again in ${wait} seconds.`
    : params.code === 'unavailable'
      ? SERVICE_UNAVAILABLE
      : params.error
        ? SIGN_IN_FAILED
        : null
  return (
    <>
      <h1 className="mb-1 text-xl font-semibold">Sign in</h1>
      <p className="mb-6 text-sm text-muted-foreground">
        Use the email and password your administrator gave you.
      </p>
      <LoginForm next={next} initialError={initialError} />
    </>
  )
}
