import { spawnSync } from 'node:child_process'
import { describe, expect, inject, it } from 'vitest'

describe('migrations', () => {
  it('produce exactly the schema that schema.prisma describes (no drift)', () => {
    const url = inject('databaseUrl')
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/db/prisma-migrate-wasm.ts', 'drift'], {
      env: { ...process.env, DATABASE_URL: url },
      encoding: 'utf8',
    })
    expect(r.stdout + r.stderr).toContain('NO_DRIFT')
    expect(r.status).toBe(0)
  })
})
