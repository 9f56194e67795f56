import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { createDatabase, freePort, startEmbeddedPostgres } from './embedded'

async function query(url: string, sql: string) {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    return (await c.query(sql)).rows
  } finally {
    await c.end()
  }
}

describe('the embedded PostgreSQL', () => {
  it('starts, answers, stops, and keeps its data when started again on the same folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-embedded-test-'))
    // the server runs as the postgres user when we are root: it must be able to enter the folder
    fs.chmodSync(dir, 0o755)
    const dataDir = path.join(dir, 'pg')
    try {
      const first = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: true })
      await createDatabase(first.url('postgres'), 'kept')
      await query(first.url('kept'), `CREATE TABLE note (text text); INSERT INTO note VALUES ('still here')`)
      expect(await query(first.url('kept'), 'SHOW jit')).toEqual([{ jit: 'off' }])
      await first.stop()

      const again = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false })
      expect(await query(again.url('kept'), 'SELECT text FROM note')).toEqual([{ text: 'still here' }])
      await again.stop()
      // a server that is not persistent takes its data folder with it
      expect(fs.existsSync(dataDir)).toBe(false)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }, 180_000)

  it('leaves the exit code of the process that started it alone (a failed test run stays failed)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-embedded-exit-'))
    fs.chmodSync(dir, 0o755)
    const script = `
      import { freePort, startEmbeddedPostgres } from './lib/db/embedded.ts'
      const server = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(path.join(dir, 'pg'))}, port: await freePort(), persistent: false })
      await server.stop()
      process.exitCode = 3`
    try {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        encoding: 'utf8',
      })
      expect(r.stderr).toBe('')
      expect(r.status).toBe(3)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }, 180_000)
})
