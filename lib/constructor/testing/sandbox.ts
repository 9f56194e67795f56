import fs from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {
  CONTROL_TOKEN_HEADER,
  type SandboxHandle,
  type SandboxOptions,
  startSandbox,
} from '../sandbox/server'

export type TestSandbox = SandboxHandle & {
  token: string
  controlToken: string
  dataDir: string
  /** fetch a control endpoint with the control token */
  control(pathname: string, init?: { method?: string; body?: unknown }): Promise<Response>
  /** closes the server and deletes its data dir */
  dispose(): Promise<void>
}

// A sandbox on a free port with its own temporary data dir, for tests in any domain.
export async function startTestSandbox(overrides: Partial<SandboxOptions> = {}): Promise<TestSandbox> {
  const dataDir = overrides.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'constructor-sandbox-')))
  const token = overrides.token ?? 'test-token-Zq9xV2'
  const controlToken = overrides.controlToken ?? 'test-control-7Hk3'
  const sandbox = await startSandbox({ port: 0, fsync: false, ...overrides, token, controlToken, dataDir })
  return {
    ...sandbox,
    token,
    controlToken,
    dataDir,
    control: (pathname, init = {}) =>
      fetch(`${sandbox.url}${pathname}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: { [CONTROL_TOKEN_HEADER]: controlToken, 'content-type': 'application/json' },
        ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
      }),
    async dispose() {
      await sandbox.close()
      await fs.rm(dataDir, { recursive: true, force: true })
    },
  }
}

/** POSTs a raw body to the sandbox's API endpoint with the right credentials */
export function postActions(
  sandbox: Pick<TestSandbox, 'url' | 'token'>,
  body: unknown,
  options: { token?: string; query?: string } = {},
): Promise<Response> {
  const auth = Buffer.from(`${options.token ?? sandbox.token}:`).toString('base64')
  return fetch(`${sandbox.url}/v1/offline_behavioral_actions${options.query ?? '?key=test-key'}`, {
    method: 'POST',
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
}
