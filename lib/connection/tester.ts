import 'server-only'

// How the settings page checks credentials: one call through lib/constructor's client, which sends
// a request Constructor must refuse as empty, so no sale is ever recorded.
export type ConnectionCredentials = { baseUrl: string; apiKey: string; section: string; token: string }
export type ConnectionCheck = { ok: boolean; message: string }

export async function checkConnection(settings: ConnectionCredentials): Promise<ConnectionCheck> {
  const { createConstructorClient } = await import('@/lib/constructor/client')
  let client: ReturnType<typeof createConstructorClient> | undefined
  try {
    client = createConstructorClient({ ...settings, connectTimeoutMs: 5_000, timeoutMs: 15_000 })
    const result = await client.testConnection()
    return { ok: result.ok, message: scrub(result.message, settings.token) }
  } catch (error) {
    return { ok: false, message: scrub((error as Error).message, settings.token) }
  } finally {
    client?.close()
  }
}

/** belt and braces: whatever comes back, the token is not in it */
function scrub(text: string, token: string) {
  return (token ? text.split(token).join('[redacted]') : text).slice(0, 500)
}
