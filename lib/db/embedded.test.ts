import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { Supervisor, type SupervisorEvent } from '@/lib/process/supervisor'
import {
  createDatabase,
  type EmbeddedDb,
  embeddedPostgresService,
  freePort,
  startEmbeddedPostgres,
} from './embedded'

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

  it('under the supervisor, a server killed with SIGKILL is started again on its data, and pools reconnect', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-embedded-kill-'))
    fs.chmodSync(dir, 0o755)
    const supervisor = new Supervisor({ initialDelayMs: 200, maxDelayMs: 2_000 })
    const events: SupervisorEvent[] = []
    supervisor.onEvent = (e) => events.push(e)
    let current: EmbeddedDb | undefined
    let pool: pg.Pool | undefined
    try {
      await supervisor.add(
        embeddedPostgresService(
          { dataDir: path.join(dir, 'pg'), port: await freePort(), persistent: false },
          (db) => {
            current = db
          },
        ),
      )
      const first = current as EmbeddedDb
      await createDatabase(first.url('postgres'), 'kept')
      await query(first.url('kept'), `CREATE TABLE note (text text); INSERT INTO note VALUES ('still here')`)
      // a pool as the web app and the worker hold one: connected before the crash
      pool = new pg.Pool({ connectionString: first.url('kept'), max: 2 })
      pool.on('error', () => {})
      const connected = pool
      expect((await pool.query('SELECT 1 AS ok')).rows).toEqual([{ ok: 1 }])

      process.kill(first.pid as number, 'SIGKILL')
      for (let i = 0; i < 600 && current === first; i++) await new Promise((r) => setTimeout(r, 100))
      expect(current).not.toBe(first)
      expect(events).toContainEqual(
        expect.objectContaining({
          type: 'exited',
          name: 'database',
          exit: { code: null, signal: 'SIGKILL' },
        }),
      )
      expect(events).toContainEqual(
        expect.objectContaining({ type: 'started', name: 'database', restarts: 1 }),
      )
      expect(await query(first.url('kept'), 'SELECT text FROM note')).toEqual([{ text: 'still here' }])
      // the pool drops its dead connections and opens new ones
      let answer: unknown
      for (let i = 0; i < 50 && !answer; i++) {
        answer = await connected.query('SELECT text FROM note').then(
          (r) => r.rows,
          () => new Promise((r) => setTimeout(() => r(undefined), 100)),
        )
      }
      expect(answer).toEqual([{ text: 'still here' }])
    } finally {
      await pool?.end().catch(() => {})
      await supervisor.stopAll()
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }, 180_000)
})
