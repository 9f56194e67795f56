import { handlers } from '@/lib/auth/auth'

// next-auth's endpoints (session, csrf, the Credentials callback); the callback is throttled in authorize.
export const { GET, POST } = handlers
