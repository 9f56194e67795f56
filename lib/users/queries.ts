import 'server-only'
import type { Caller } from '@/lib/auth/caller'
import { db } from '@/lib/db'

/** every user with their stores, for the admin settings page; never the password hash */
export async function getUsersForSettings(caller: Caller) {
  if (caller.role !== 'ADMIN') return []
  return db.user.findMany({
    orderBy: [{ active: 'desc' }, { role: 'asc' }, { email: 'asc' }],
    select: {
      id: true,
      email: true,
      name: true,
      role: true,
      active: true,
      mustChangePassword: true,
      lastSignInAt: true,
      memberships: { select: { storeId: true, store: { select: { code: true } } } },
    },
  })
}
