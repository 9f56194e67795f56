/**
 * Offline replacement for `prisma migrate dev|deploy|status` and `prisma db push`
 * using the Wasm schema engine (@prisma/schema-engine-wasm) + the pg driver adapter.
 * No native schema-engine binary is needed (Prisma 7 CLI would download it from binaries.prisma.sh).
 *
 * usage: tsx scripts/db/prisma-migrate-wasm.ts dev --name <name> | deploy | status | drift | push [--force] | reset
 * (authoring and drift checks only: the app applies migrations with lib/db/migrate.ts)
 * NOTE: @prisma/schema-engine-wasm is an internal Prisma package ("API will break without notice"): pin exact versions.
 */
import 'dotenv/config'
import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { PrismaPg } from '@prisma/adapter-pg'
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils'
import * as bg from '@prisma/schema-engine-wasm/schema_engine_bg'
import pg from 'pg'

const require = createRequire(import.meta.url)
const SCHEMA = path.resolve('prisma/schema.prisma')
const MIGRATIONS = path.resolve('prisma/migrations')
const url = process.env.DATABASE_URL
if (!url) throw new Error('DATABASE_URL not set')

// Workaround 1: @prisma/adapter-pg 7.10.x has no mapping for Postgres' internal "char" type (OID 18)
// and throws UnsupportedNativeDataType ("Column type 'char' could not be deserialized from the database"),
// but the schema engine's catalog queries (relkind, contype, ...) return it and read it as a Character.
// Fix: let pg parse it as text, remember which columns were "char", and report them as ColumnTypeEnum.Character.
// Kept because nothing short of this works (docs/architecture.md, "Migrations"): the adapter maps no scalar type to
// Character, and the engine panics on a "char" column reported as Text.
const charColumns = new WeakMap<object, number[]>()
function patchPgQueryable(adapter: object) {
  const proto = Object.getPrototypeOf(Object.getPrototypeOf(adapter)) // PgQueryable.prototype
  if (proto.__charPatched) return
  proto.__charPatched = true
  const performIO = proto.performIO
  proto.performIO = async function (this: unknown, query: unknown) {
    const res = await performIO.call(this, query)
    const idx: number[] = []
    res?.fields?.forEach((f: { dataTypeID: number }, i: number) => {
      if (f.dataTypeID === 18) {
        f.dataTypeID = 25
        idx.push(i)
      }
    })
    if (idx.length && res.rows) charColumns.set(res.rows, idx)
    return res
  }
  const queryRaw = proto.queryRaw
  proto.queryRaw = async function (this: unknown, query: unknown) {
    const r = await queryRaw.call(this, query)
    for (const i of charColumns.get(r.rows) ?? []) r.columnTypes[i] = ColumnTypeEnum.Character
    return r
  }
}

// the Wasm engine reports Rust panics through this global (as Prisma's CLI sets it up)
const panicRegistry = {
  message: '',
  set_message(m: string) {
    this.message = `RuntimeError: ${m}`
  },
  get() {
    return this.message
  },
}
;(globalThis as any).PRISMA_WASM_PANIC_REGISTRY = panicRegistry
process.on('uncaughtException', (e) => {
  console.error('SCHEMA ENGINE PANIC:', panicRegistry.message || '(none recorded)', '\n', String(e))
  process.exit(1)
})

function loadEngineModule() {
  const wasmPath = path.join(
    path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')),
    'schema_engine_bg.wasm',
  )
  const mod = new WebAssembly.Module(fs.readFileSync(wasmPath))
  const instance = new WebAssembly.Instance(mod, { './schema_engine_bg.js': bg as any })
  bg.__wbg_set_wasm(instance.exports)
  ;(instance.exports as any).__wbindgen_start?.()
  return bg
}

function schemaFiles() {
  return [{ path: SCHEMA, content: fs.readFileSync(SCHEMA, 'utf8') }]
}

function migrationsList() {
  fs.mkdirSync(MIGRATIONS, { recursive: true })
  const lockPath = path.join(MIGRATIONS, 'migration_lock.toml')
  const dirs = fs
    .readdirSync(MIGRATIONS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
  return {
    baseDir: MIGRATIONS,
    lockfile: {
      path: 'migration_lock.toml',
      content: fs.existsSync(lockPath) ? fs.readFileSync(lockPath, 'utf8') : null,
    },
    shadowDbInitScript: '',
    migrationDirectories: dirs.map((d) => {
      const f = path.join(MIGRATIONS, d, 'migration.sql')
      return {
        path: d,
        migrationFile: {
          path: 'migration.sql',
          content: fs.existsSync(f)
            ? { tag: 'ok' as const, value: fs.readFileSync(f, 'utf8') }
            : { tag: 'error' as const, value: 'missing migration.sql' },
        },
      }
    }),
  }
}

const filters = { externalTables: [], externalEnums: [] }

async function main() {
  const [cmd, ...rest] = process.argv.slice(2)
  const { SchemaEngine } = loadEngineModule()
  // Workaround 2: pass discrete fields, NOT connectionString: PrismaPg.connectToShadowDb() does
  // new pg.Pool({ ...config, database: shadowName }) and pg lets connectionString override `database`,
  // which would silently make the "shadow" DB the real one.
  const u = new URL(url!)
  const cfg = {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.slice(1),
  }
  const base = new PrismaPg(cfg)
  const opened: { dispose(): Promise<void> }[] = []
  // Workaround 3: PrismaPg.connectToShadowDb() runs DROP DATABASE before closing its own pool
  // ("database ... is being accessed by other users"). Provide our own shadow-DB lifecycle.
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: base.provider,
    adapterName: base.adapterName,
    async connect() {
      const a = await base.connect()
      patchPgQueryable(a)
      opened.push(a)
      return a
    },
    async connectToShadowDb() {
      if (process.env.DEBUG_SE) console.error('[factory] connectToShadowDb called')
      const admin = new pg.Client(cfg)
      await admin.connect()
      const name = `prisma_shadow_${randomUUID().replace(/-/g, '')}`
      await admin.query(`CREATE DATABASE "${name}"`)
      const shadow = await new PrismaPg({ ...cfg, database: name }).connect()
      patchPgQueryable(shadow)
      const dispose = shadow.dispose.bind(shadow)
      shadow.dispose = async () => {
        await dispose()
        await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
        await admin.end()
      }
      return shadow
    },
  }
  const newEngine = () =>
    SchemaEngine.new(
      { datamodels: schemaFiles().map((f) => [f.path, f.content]) as [string, string][] },
      (log: string) => {
        if (process.env.DEBUG_SE) console.error('[se]', log)
      },
      bindMigrationAwareSqlAdapterFactory(factory),
    )
  const engine = await newEngine()
  try {
    switch (cmd) {
      case 'deploy': {
        const r = await engine.applyMigrations({ migrationsList: migrationsList(), filters })
        console.log('applied:', r.appliedMigrationNames)
        break
      }
      case 'status': {
        const r = await engine.diagnoseMigrationHistory({
          migrationsList: migrationsList(),
          optInToShadowDatabase: false,
          filters,
        })
        console.log(JSON.stringify(r, null, 2))
        break
      }
      case 'drift': {
        // the live database (through the adapter) against schema.prisma; exit 2 when they differ
        const r = await engine.diff({
          from: { tag: 'schemaDatasource', files: schemaFiles(), configDir: path.dirname(SCHEMA) },
          to: { tag: 'schemaDatamodel', files: schemaFiles() },
          script: true,
          exitCode: true,
          filters,
        })
        if (r.exitCode === 2) {
          console.log(r.stdout ?? '')
          process.exit(2)
        }
        console.log('NO_DRIFT')
        break
      }
      case 'push': {
        const r = await engine.schemaPush({
          force: rest.includes('--force'),
          schema: { files: schemaFiles() },
          filters,
        })
        console.log(JSON.stringify(r))
        break
      }
      case 'reset': {
        await engine.reset({ filter: filters })
        console.log('reset done')
        break
      }
      case 'dev': {
        const name = rest[rest.indexOf('--name') + 1] ?? 'migration'
        const diag = await engine.devDiagnostic({ migrationsList: migrationsList(), filters })
        if (diag.action.tag === 'reset')
          throw new Error(`Drift detected, reset needed: ${(diag.action as any).reason}`)
        const pre = await engine.applyMigrations({ migrationsList: migrationsList(), filters })
        if (pre.appliedMigrationNames.length) {
          console.log('applied pending:', pre.appliedMigrationNames)
          // Workaround 4: once applyMigrations has applied something, later shadow-DB commands in the same
          // process (even on a new SchemaEngine instance) fail with "PostgreSQL shadow DB must be provided
          // through an external factory". Continue `dev` in a fresh process (nothing is pending there).
          engine.free()
          for (const a of opened) await a.dispose().catch(() => {})
          const r = spawnSync(
            process.execPath,
            [...process.execArgv, process.argv[1] ?? '', ...process.argv.slice(2)],
            { stdio: 'inherit' },
          )
          process.exit(r.status ?? 1)
        }
        const loss = await engine.evaluateDataLoss({
          migrationsList: migrationsList(),
          schema: { files: schemaFiles() },
          filters,
        })
        if (loss.unexecutableSteps.length || loss.warnings.length) console.warn('data-loss warnings:', loss)
        const created = await engine.createMigration({
          draft: rest.includes('--create-only'),
          migrationName: name,
          migrationsList: migrationsList(),
          schema: { files: schemaFiles() },
          filters,
        })
        if (!created.migrationScript) {
          console.log('Already in sync, no migration created.')
          break
        }
        const dir = path.join(MIGRATIONS, created.generatedMigrationName)
        fs.mkdirSync(dir, { recursive: true })
        fs.writeFileSync(path.join(dir, `migration.${created.extension}`), created.migrationScript)
        const lock = path.join(MIGRATIONS, 'migration_lock.toml')
        if (!fs.existsSync(lock))
          fs.writeFileSync(
            lock,
            `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${created.connectorType}"\n`,
          )
        console.log('created:', created.generatedMigrationName)
        if (!rest.includes('--create-only')) {
          const r = await engine.applyMigrations({ migrationsList: migrationsList(), filters })
          console.log('applied:', r.appliedMigrationNames)
        }
        break
      }
      default:
        throw new Error('usage: dev --name X [--create-only] | deploy | status | push [--force] | reset')
    }
  } finally {
    engine.free()
    // the Wasm engine does not dispose the main adapter; close the pool so the process exits promptly
    for (const a of opened) await a.dispose().catch(() => {})
  }
}

main()
  .then(() => process.exit(0))
  .catch((e) => {
    if (panicRegistry.message) console.error('SCHEMA ENGINE PANIC:', panicRegistry.message)
    console.error('ERROR:', e?.message ?? e, e?.cause ?? '')
    process.exit(1)
  })
