import 'server-only'
import { revalidatePath } from 'next/cache'
import { unstable_rethrow } from 'next/navigation'
import type { z } from 'zod'
import { type Caller, getCaller } from '@/lib/auth/caller'
import { clientAddress } from '@/lib/auth/client-address'
import { currentTestRequest } from '@/lib/auth/testing'
import { isDatabaseUnavailable, SERVICE_UNAVAILABLE } from '@/lib/db/unavailable'
import { logger } from '@/lib/log'

// THE door for every server action: session → role → zod parse → store scope → handler → a typed
// result. It never throws to the browser (only Next's own redirect/notFound signals pass through).

export type FieldErrors = Record<string, string[]>
export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: string; fieldErrors?: FieldErrors }

/** who may call: 'public' (even anonymous), 'signed-in' (any role), or a list of roles */
export type Access = 'public' | 'signed-in' | readonly Caller['role'][]

export type ActionContext = {
  /** the client address, for the audit log */
  ip: string
  /** the caller as the audit log records them */
  actor: { userId: string | null; email: string | null }
}

/** thrown by handlers for a failure the person can act on; becomes { ok: false, error } */
export class ActionError extends Error {
  override name = 'ActionError'
  constructor(
    message: string,
    readonly fieldErrors?: FieldErrors,
  ) {
    super(message)
  }
}

export const MESSAGES = {
  signedOut: 'Your session has ended. Sign in again to continue.',
  forbidden: 'You do not have permission to do that. Ask an administrator if you need it.',
  passwordChange: 'Change your temporary password first.',
  invalid: 'Some fields need attention.',
  /** the one answer for a record that does not exist and for one in another store: never says which */
  notFound: 'That does not exist or is not in one of your stores.',
  unexpected:
    'Something went wrong and nothing was changed. Try again; if it keeps failing, tell your administrator.',
  unavailable: SERVICE_UNAVAILABLE,
} as const

/** why a caller is turned away before their input is read, as a key of MESSAGES */
export type CallerRefusal = 'signedOut' | 'forbidden' | 'passwordChange'

/** the caller checks every door makes first (actions here, route handlers in lib/auth/route.ts) */
export function refuseCaller(
  caller: Caller | null,
  access: Access,
  allowDuringPasswordChange = false,
): CallerRefusal | null {
  if (access === 'public') return null
  if (!caller) return 'signedOut'
  if (Array.isArray(access) && !access.includes(caller.role)) return 'forbidden'
  if (caller.mustChangePassword && !allowDuringPasswordChange) return 'passwordChange'
  return null
}

export type ActionMeta = {
  name: string
  access: Access
  storeScoped: boolean
  allowDuringPasswordChange: boolean
}

export const ACTION_META = Symbol.for('storefront-sync.action-meta')

export type AuthorizedAction<I, T> = ((input: I) => Promise<ActionResult<T>>) & { [ACTION_META]: ActionMeta }

type CallerFor<A extends Access> = A extends 'public' ? Caller | null : Caller

export type ActionDefinition<S extends z.ZodType, T, A extends Access> = {
  /** unique, "<domain>.<verb>", used by the authorization matrix and the logs */
  name: string
  access: A
  schema: S
  /** the store(s) the input touches; each must be one of the caller's. Return null when the input
   * names a record that does not exist (the caller gets "not found", never a hint it exists elsewhere). */
  storeScope?: (input: z.output<S>) => string | string[] | null | Promise<string | string[] | null>
  /** the password-change action itself; everything else waits until a temporary password is replaced */
  allowDuringPasswordChange?: boolean
  handler: (input: z.output<S>, caller: CallerFor<A>, ctx: ActionContext) => Promise<T>
}

function formDataToObject(fd: FormData) {
  const out: Record<string, unknown> = {}
  for (const key of new Set(fd.keys())) {
    const all = fd.getAll(key)
    out[key] = key.endsWith('[]') || all.length > 1 ? all : all[0]
  }
  return out
}

function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {}
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.') || '_'
    out[key] = [...(out[key] ?? []), issue.message]
  }
  return out
}

async function requestAddress() {
  const simulated = currentTestRequest()
  if (simulated) return simulated.ip ?? '127.0.0.1'
  try {
    const { headers } = await import('next/headers')
    return clientAddress(await headers())
  } catch {
    return 'unknown'
  }
}

export function authorizedAction<S extends z.ZodType, T, const A extends Access>(
  def: ActionDefinition<S, T, A>,
): AuthorizedAction<z.input<S>, T> {
  const run = async (raw: unknown): Promise<ActionResult<T>> => {
    try {
      // 1. session: re-read from the database on every call
      const caller = await getCaller()
      // 2. role and the temporary-password gate
      const refused = refuseCaller(caller, def.access, def.allowDuringPasswordChange)
      if (refused) return { ok: false, error: MESSAGES[refused] }
      // 3. input
      const parsed = def.schema.safeParse(raw instanceof FormData ? formDataToObject(raw) : raw)
      if (!parsed.success) {
        const fieldErrors = fieldErrorsOf(parsed.error)
        const first = parsed.error.issues[0]?.message
        return {
          ok: false,
          error: parsed.error.issues.length === 1 && first ? first : MESSAGES.invalid,
          fieldErrors,
        }
      }
      // 4. store scope
      if (def.storeScope) {
        if (!caller) return { ok: false, error: MESSAGES.signedOut }
        const scope = await def.storeScope(parsed.data)
        const storeIds = scope === null ? null : Array.isArray(scope) ? scope : [scope]
        // a made-up record and another store's real one get the same answer (no existence oracle)
        if (storeIds === null || !storeIds.every((id) => canAccessStore(caller, id)))
          return { ok: false, error: MESSAGES.notFound }
      }
      // 5. the work
      const ctx: ActionContext = {
        ip: await requestAddress(),
        actor: { userId: caller?.userId ?? null, email: caller?.email ?? null },
      }
      const data = await def.handler(parsed.data, caller as CallerFor<A>, ctx)
      return { ok: true, data }
    } catch (error) {
      unstable_rethrow(error)
      if (error instanceof ActionError)
        return { ok: false, error: error.message, fieldErrors: error.fieldErrors }
      if (isDatabaseUnavailable(error)) {
        logger.warn({ action: def.name, err: error }, 'server action: database unreachable')
        return { ok: false, error: MESSAGES.unavailable }
      }
      logger.error({ action: def.name, err: error }, 'server action failed')
      return { ok: false, error: MESSAGES.unexpected }
    }
  }
  const meta: ActionMeta = {
    name: def.name,
    access: def.access,
    storeScoped: Boolean(def.storeScope),
    allowDuringPasswordChange: Boolean(def.allowDuringPasswordChange),
  }
  return Object.assign(run, { [ACTION_META]: meta }) as AuthorizedAction<z.input<S>, T>
}

export function actionMeta(fn: unknown): ActionMeta | undefined {
  return typeof fn === 'function' ? (fn as { [ACTION_META]?: ActionMeta })[ACTION_META] : undefined
}

/** after a mutation: every page re-reads its data on the next visit (the dashboard shows counts everywhere) */
export function refresh() {
  try {
    revalidatePath('/', 'layout')
  } catch {
    // outside a request (tests) there is no cache to refresh
  }
}

/** the Prisma filter that keeps a query inside the caller's stores (models with a storeId column) */
export function scopeWhere(caller: Caller): { storeId?: { in: string[] } } {
  return caller.allStores ? {} : { storeId: { in: caller.storeIds } }
}

/** may the caller see or change this store? */
export function canAccessStore(caller: Caller, storeId: string | null | undefined) {
  return Boolean(storeId) && (caller.allStores || caller.storeIds.includes(storeId as string))
}
