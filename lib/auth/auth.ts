import 'server-only'
import { cookies } from 'next/headers'
import NextAuth, { AuthError, CredentialsSignin } from 'next-auth'
import Credentials from 'next-auth/providers/credentials'
import { clientAddress } from '@/lib/auth/client-address'
import { authConfig } from '@/lib/auth/config'
import { verifyCredentials } from '@/lib/auth/credentials'
import { DEVICE_COOKIE, DEVICE_COOKIE_MAX_AGE_S } from '@/lib/auth/device'
import { SIGN_IN_FAILED, signInSchema } from '@/lib/auth/schema'
import { isDatabaseUnavailable, SERVICE_UNAVAILABLE } from '@/lib/db/unavailable'
import { env } from '@/lib/env'
import { isHttpsApp } from '@/lib/http/security-headers'

/** the one wrong-credentials message: never says whether the email exists */
export class InvalidCredentials extends CredentialsSignin {
  override code = 'invalid'
}
/** the database is out of reach: the person is told to try again shortly, not that the password is wrong */
export class SignInUnavailable extends CredentialsSignin {
  override code = 'unavailable'
}
/** carries the wait in its code, e.g. "throttled:8" */
export class ThrottledSignIn extends CredentialsSignin {
  constructor(readonly retryAfterSeconds: number) {
    super()
    this.code = `throttled:${retryAfterSeconds}`
  }
}

/** one cookie's value from a Cookie header */
function cookieValue(header: string | null, name: string) {
  for (const part of header?.split(';') ?? []) {
    const [key, ...value] = part.trim().split('=')
    if (key === name) return decodeURIComponent(value.join('='))
  }
  return undefined
}

async function setDeviceCookie(value: string) {
  let jar: Awaited<ReturnType<typeof cookies>>
  try {
    jar = await cookies()
  } catch {
    return // called outside a request (next-auth's handler driven by a test): there is no response to carry it
  }
  jar.set(DEVICE_COOKIE, value, {
    httpOnly: true,
    sameSite: 'lax',
    secure: isHttpsApp(env().APP_URL),
    path: '/',
    maxAge: DEVICE_COOKIE_MAX_AGE_S,
  })
}

export const { handlers, auth, signIn, signOut } = NextAuth({
  ...authConfig,
  providers: [
    Credentials({
      credentials: { email: { label: 'Email' }, password: { label: 'Password', type: 'password' } },
      // also reached by POST /api/auth/callback/credentials, so the throttle lives here, not in the form
      async authorize(credentials, request) {
        const parsed = signInSchema.safeParse(credentials)
        if (!parsed.success) throw new InvalidCredentials()
        const outcome = await verifyCredentials({
          email: parsed.data.email,
          password: parsed.data.password,
          ip: clientAddress(request.headers),
          device: cookieValue(request.headers.get('cookie'), DEVICE_COOKIE),
        }).catch((error: unknown) => {
          if (isDatabaseUnavailable(error)) throw new SignInUnavailable()
          throw error
        })
        if (outcome.ok) {
          // the device cookie lets this browser past the account's delay while others guess at it
          if (outcome.device) await setDeviceCookie(outcome.device)
          return outcome.user
        }
        if (outcome.reason === 'throttled') throw new ThrottledSignIn(outcome.retryAfterSeconds)
        throw new InvalidCredentials()
      },
    }),
  ],
})

/** signs in and redirects to `redirectTo`; on failure returns the message to show */
export async function signInWithPassword(
  email: string,
  password: string,
  redirectTo: string,
): Promise<string> {
  try {
    await signIn('credentials', { email, password, redirectTo })
  } catch (error) {
    if (!(error instanceof AuthError)) throw error
    const code = (error as { code?: string }).code ?? ''
    if (code === 'unavailable') return SERVICE_UNAVAILABLE
    const wait = /^throttled:(\d+)$/.exec(code)?.[1]
    return wait ? `Too many attempts, try again in ${wait} seconds.` : SIGN_IN_FAILED
  }
  return SIGN_IN_FAILED
}
