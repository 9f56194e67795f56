// The whole product in one process tree: database → migrations → demo data → sandbox, worker, web.
// Started by `npm start` (scripts/start.mjs) and, with --fresh-db, by the end-to-end tests.
import 'dotenv/config'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createPrismaClient } from '@/lib/db'
import {
  createDatabase,
  dropDatabase,
  type EmbeddedDb,
  embeddedPostgresService,
  freePort,
  reachableByPostgres,
  withDatabase,
} from '@/lib/db/embedded'
import { migrate } from '@/lib/db/migrate'
import { parseEnv } from '@/lib/env'
import { loadOrCreateLocalSecrets } from '@/lib/process/local-secrets'
import { formatDuration, type ProcessSpec, Supervisor, type SupervisorEvent } from '@/lib/process/supervisor'
import { webProcess } from '@/lib/process/web-process'
import { workerProcess } from '@/lib/process/worker-process'
import { DEMO_USERS, seedDemo } from '@/lib/seed/demo'
import { ensureQueueSchema } from '@/lib/submission/queue'

const freshDb = process.argv.includes('--fresh-db')
const root = process.cwd()
// PRODUCT_LOG_FILE: also write everything printed (all processes' output) to this file; the
// end-to-end tests scan it for the Constructor token
if (process.env.PRODUCT_LOG_FILE) {
  const log = fs.createWriteStream(process.env.PRODUCT_LOG_FILE, { flags: 'a' })
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      log.write(chunk as string)
      return write(chunk, ...rest)
    }) as typeof stream.write
  }
}
const say = (m: string) => process.stdout.write(`\x1b[36m▸\x1b[0m ${m}\n`)

function defaultDataDir() {
  const inRepo = path.join(root, '.data')
  if (reachableByPostgres(inRepo)) return inRepo
  // root-only parent folders: the postgres user could not reach .data, so keep the data beside the system's
  const key = createHash('sha256').update(root).digest('hex').slice(0, 12)
  return path.join('/var/tmp', `storefront-sync-${key}`)
}

async function main() {
  const env = parseEnv()
  // the worker's memory settings are checked now, before anything starts
  const workerProc = workerProcess()
  const dataDir = freshDb
    ? fs.mkdtempSync(path.join(os.tmpdir(), 'ss-run-'))
    : (env.DATA_DIR ?? defaultDataDir())
  fs.mkdirSync(dataDir, { recursive: true })
  // the database server runs as the postgres user when we are root: it must be able to enter the folder
  fs.chmodSync(dataDir, 0o755)
  const secrets = loadOrCreateLocalSecrets(dataDir)
  const cleanups: (() => Promise<void>)[] = []

  // 1. database (the embedded server is supervised like the processes: killed, it is started again)
  const supervisor = new Supervisor()
  supervisor.onEvent = report
  let databaseUrl: string
  let embedded: EmbeddedDb | undefined
  if (env.DATABASE_URL) {
    databaseUrl = env.DATABASE_URL
    if (freshDb) {
      const name = `run_${Date.now()}_${process.pid}`
      await createDatabase(withDatabase(env.DATABASE_URL, 'postgres'), name)
      databaseUrl = withDatabase(env.DATABASE_URL, name)
      cleanups.push(() => dropDatabase(withDatabase(env.DATABASE_URL as string, 'postgres'), name))
    }
    say(`Database: ${new URL(databaseUrl).host}${new URL(databaseUrl).pathname} (DATABASE_URL)`)
  } else {
    const t0 = Date.now()
    const options = {
      dataDir: path.join(dataDir, 'pg'),
      port: freshDb && !process.env.EMBEDDED_PG_PORT ? await freePort() : env.EMBEDDED_PG_PORT,
      persistent: !freshDb,
    }
    await supervisor.add(
      embeddedPostgresService(options, (db) => {
        embedded = db
      }),
    )
    if (!embedded) throw new Error('the embedded database did not start')
    await createDatabase(embedded.url('postgres'), 'storefront')
    databaseUrl = embedded.url('storefront')
    say(
      `Database: embedded PostgreSQL on port ${embedded.port}, data in ${embedded.dataDir} (${Date.now() - t0} ms)`,
    )
  }
  if (freshDb) cleanups.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }))

  // the supervisor stops the processes and then the database
  const shutdown = async (code: number) => {
    await supervisor.stopAll()
    for (const c of cleanups.reverse())
      await c().catch((e) => console.error('cleanup failed:', (e as Error).message))
    process.exit(code)
  }
  let shuttingDown = false
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      if (shuttingDown) return
      shuttingDown = true
      say('Stopping…')
      void shutdown(0)
    })
  }

  try {
    // 2. schema and demo data
    const m = await migrate(databaseUrl)
    say(m.applied.length ? `Migrations applied: ${m.applied.join(', ')}` : 'Database schema is up to date')
    await ensureQueueSchema(databaseUrl)
    const sandboxPort = env.SANDBOX_PORT
    const sandboxUrl = env.SANDBOX_URL ?? `http://127.0.0.1:${sandboxPort}`
    if (env.SEED_DEMO) {
      const prisma = createPrismaClient(databaseUrl)
      const seeded = await seedDemo(prisma, {
        sandboxUrl,
        sandboxToken: process.env.SANDBOX_TOKEN ?? secrets.SANDBOX_TOKEN,
        encryptionKey: process.env.ENCRYPTION_KEY ?? secrets.ENCRYPTION_KEY,
      })
      await prisma.$disconnect()
      if (seeded.created) say(`Demo data: ${seeded.created} sale events in 3 stores`)
    }

    // 3. processes
    const appUrl = env.APP_URL ?? `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${env.PORT}`
    const shared = {
      DATABASE_URL: databaseUrl,
      AUTH_SECRET: process.env.AUTH_SECRET ?? secrets.AUTH_SECRET,
      ENCRYPTION_KEY: process.env.ENCRYPTION_KEY ?? secrets.ENCRYPTION_KEY,
      SANDBOX_URL: sandboxUrl,
      SANDBOX_CONTROL_TOKEN: process.env.SANDBOX_CONTROL_TOKEN ?? secrets.SANDBOX_CONTROL_TOKEN,
      APP_URL: appUrl,
      AUTH_URL: appUrl,
      AUTH_TRUST_HOST: 'true',
      NEXT_TELEMETRY_DISABLED: '1',
    }
    // Next behind our own HTTP server (it alone sees the socket, so it sets the client address), built by next build
    const web = webProcess()
    const specs: ProcessSpec[] = [
      {
        name: 'web',
        args: web.args,
        env: {
          ...shared,
          ...web.env,
          SERVICE_NAME: 'web',
          PORT: String(env.PORT),
          HOST: env.HOST,
        },
      },
    ]
    if (fs.existsSync(path.join(root, 'scripts/sandbox.ts'))) {
      specs.unshift({
        name: 'sandbox',
        args: ['--import', 'tsx', 'scripts/sandbox.ts'],
        env: {
          ...shared,
          SERVICE_NAME: 'sandbox',
          SANDBOX_PORT: String(sandboxPort),
          SANDBOX_TOKEN: process.env.SANDBOX_TOKEN ?? secrets.SANDBOX_TOKEN,
          SANDBOX_DATA_DIR: path.join(dataDir, 'sandbox'),
        },
      })
    }
    if (fs.existsSync(path.join(root, 'scripts/worker.ts'))) {
      specs.push({
        name: 'worker',
        args: workerProc.args,
        env: { ...workerProc.env, ...shared, SERVICE_NAME: 'worker' },
      })
    }
    // a process that stops is restarted with back-off while the others keep serving; only one that keeps failing
    // right after its start ends the run
    supervisor.onGiveUp = (_name, reason) => {
      if (shuttingDown) return
      shuttingDown = true
      console.error(`\n✖ ${reason}\nStopping everything.`)
      void shutdown(1)
    }
    for (const [i, s] of specs.entries()) await supervisor.start(s, i)

    await waitForHealth(`${appUrl}/api/health`, 60_000)
    const lines = [
      '',
      `\x1b[1mStorefront Sync is running at ${appUrl}\x1b[0m`,
      '',
      '  Demo sign-ins:',
      ...DEMO_USERS.map(
        (u) => `    ${u.role === 'ADMIN' ? 'admin  ' : 'manager'}  ${u.email.padEnd(28)} ${u.password}`,
      ),
      '',
      `  Sandbox (stands in for Constructor): ${sandboxUrl}`,
      '  Press Ctrl-C to stop everything.',
      '',
    ]
    process.stdout.write(`${lines.join('\n')}\n`)
  } catch (e) {
    console.error(`\n✖ ${(e as Error).message}`)
    await shutdown(1)
  }
}

function report(e: SupervisorEvent) {
  switch (e.type) {
    case 'started':
      if (e.restarts > 0)
        say(`The ${e.name} is running again (restart ${e.restarts}${e.pid ? `, pid ${e.pid}` : ''}).`)
      return
    case 'exited':
      return
    case 'restarting':
      console.error(
        `\x1b[33m✖\x1b[0m The ${e.name} ${e.reason}; restarting it in ${formatDuration(e.delayMs)}.${
          e.name === 'database' ? ' The web app answers 503 and the worker waits until it is back.' : ''
        }`,
      )
      return
    case 'start-failed':
      console.error(`\x1b[33m✖\x1b[0m The ${e.name} did not start: ${e.error}`)
      return
    case 'gave-up':
      return
  }
}

async function waitForHealth(url: string, timeoutMs: number) {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    try {
      const r = await fetch(url)
      if (r.ok) return
    } catch {}
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`The web app did not become healthy at ${url} within ${timeoutMs / 1000} s`)
}

void main()
