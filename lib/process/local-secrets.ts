import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

// For the demo only: secrets generated once into the data folder, so restarts keep sessions and the
// encrypted token readable. Production sets them in the environment (docs/operations.md).
const GENERATED = {
  AUTH_SECRET: () => randomBytes(32).toString('base64url'),
  ENCRYPTION_KEY: () => randomBytes(32).toString('hex'),
  SANDBOX_TOKEN: () => `sbx_${randomBytes(18).toString('base64url')}`,
  SANDBOX_CONTROL_TOKEN: () => randomBytes(18).toString('base64url'),
} as const

export function loadOrCreateLocalSecrets(dataDir: string): Record<keyof typeof GENERATED, string> {
  const file = path.join(dataDir, 'secrets.env')
  const values: Record<string, string> = {}
  if (fs.existsSync(file)) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line)
      if (m?.[1] && m[2] !== undefined) values[m[1]] = m[2]
    }
  }
  let changed = false
  for (const [k, make] of Object.entries(GENERATED)) {
    if (!values[k]) {
      values[k] = make()
      changed = true
    }
  }
  if (changed) {
    fs.mkdirSync(dataDir, { recursive: true })
    fs.writeFileSync(
      file,
      `${Object.entries(values)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n')}\n`,
      { mode: 0o600 },
    )
  }
  return values as Record<keyof typeof GENERATED, string>
}
