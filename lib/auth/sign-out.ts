import 'server-only'
import { audit } from '@/lib/audit/log'
import { db } from '@/lib/db'

/**
 * Signing out ends every session of this person: with stateless JWTs, bumping sessionVersion is the only
 * way to make a copied cookie stop working too. Used by the sign-out button and next-auth's own endpoint.
 */
export async function endEverySession(
  user: { userId: string; email: string },
  ip: string,
  via: 'button' | 'next-auth endpoint',
) {
  await db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.userId }, data: { sessionVersion: { increment: 1 } } })
    await audit(tx, {
      actor: { userId: user.userId, email: user.email },
      action: 'auth.sign_out',
      entity: 'User',
      entityId: user.userId,
      details: via === 'button' ? undefined : { via },
      ip,
    })
  })
}
