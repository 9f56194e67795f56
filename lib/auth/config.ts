import type { NextAuthConfig } from 'next-auth'
import { ABSOLUTE_TIMEOUT_MS, isSessionFresh } from '@/lib/auth/session-policy'
import { env } from '@/lib/env'
import { isHttpsApp } from '@/lib/http/security-headers'

// The part of the next-auth configuration that needs no database: proxy.ts uses it to refresh the
// session cookie's last-activity time; lib/auth/auth.ts adds the Credentials provider.
export const authConfig = {
  // a stateless JWT in an httpOnly cookie; revocation works through User.sessionVersion (getCaller)
  session: { strategy: 'jwt', maxAge: ABSOLUTE_TIMEOUT_MS / 1000 },
  pages: { signIn: '/login', error: '/login' },
  trustHost: true,
  // served over https (also behind a proxy that ends TLS): the session cookie is Secure (and __Secure- named)
  useSecureCookies: isHttpsApp(env().APP_URL),
  providers: [],
  callbacks: {
    jwt({ token, user }) {
      const now = Date.now()
      if (user) {
        const u = user as { id: string; sessionVersion: number }
        return {
          sub: u.id,
          email: user.email,
          name: user.name,
          uid: u.id,
          sv: u.sessionVersion,
          sat: now,
          lat: now,
        }
      }
      // idle or past the absolute limit: next-auth clears the cookie when the callback returns null
      if (!isSessionFresh({ signedInAt: Number(token.sat), lastActiveAt: Number(token.lat) }, now))
        return null
      return { ...token, lat: now }
    },
    session({ session, token }) {
      // the browser gets only what the header shows; authorization re-reads the database anyway
      return {
        ...session,
        user: {
          id: String(token.uid ?? ''),
          email: String(token.email ?? ''),
          name: String(token.name ?? ''),
        },
        uid: token.uid,
        sv: token.sv,
        sat: token.sat,
        lat: token.lat,
      }
    },
  },
  logger: {
    // failed sign-ins are in the audit log; next-auth's own messages never carry credentials here
    error(error) {
      if ((error as { type?: string }).type === 'CredentialsSignin') return
      console.error(`[auth] ${error.name}: ${error.message}`)
    },
    warn(code) {
      console.warn(`[auth] warning ${code}`)
    },
    debug() {},
  },
} satisfies NextAuthConfig
