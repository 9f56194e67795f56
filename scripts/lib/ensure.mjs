// Plain Node (no dependencies): brings a fresh clone to a runnable state, skipping work already done.
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

export const root = path.resolve(import.meta.dirname, '../..')

export function log(msg) {
  process.stdout.write(`\x1b[36m▸\x1b[0m ${msg}\n`)
}

export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {
    cwd: root,
    stdio: 'inherit',
    ...opts,
    env: { ...process.env, ...opts.env },
  })
  if (r.status !== 0) {
    const why = r.signal ? `signal ${r.signal}` : `exit code ${r.status}`
    throw new Error(`${cmd} ${args.join(' ')} failed (${why})`)
  }
}

function hashFiles(entries) {
  const h = createHash('sha256')
  const walk = (p) => {
    if (!fs.existsSync(p)) return
    const st = fs.statSync(p)
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(p).sort()) {
        if (name === 'node_modules' || name === 'generated' || name.startsWith('.')) continue
        walk(path.join(p, name))
      }
    } else if (!/\.test\.tsx?$/.test(p) && !p.includes('__fixtures__')) {
      h.update(path.relative(root, p))
      h.update(fs.readFileSync(p))
    }
  }
  for (const e of entries) walk(path.join(root, e))
  return h.digest('hex')
}

function stamp(file, hash) {
  const p = path.join(root, file)
  const same = fs.existsSync(p) && fs.readFileSync(p, 'utf8') === hash
  return { same, write: () => fs.writeFileSync(p, hash) }
}

export function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number)
  if (major < 20 || (major === 20 && minor < 19)) {
    throw new Error(`Node ${process.versions.node} is too old: this product needs Node 20.19 or newer.`)
  }
}

export function ensureDependencies() {
  const s = stamp('node_modules/.install-stamp', hashFiles(['package-lock.json']))
  if (s.same && fs.existsSync(path.join(root, 'node_modules/.bin/next'))) return
  log('Installing dependencies (npm ci)…')
  // Prisma's install scripts try to download engines we do not use (see docs/architecture.md)
  run('npm', ['ci', '--no-audit', '--no-fund'], { env: { PRISMA_SKIP_POSTINSTALL_GENERATE: '1' } })
  s.write()
}

export function ensurePrismaClient() {
  const s = stamp('lib/generated/.schema-stamp', hashFiles(['prisma/schema.prisma', 'package-lock.json']))
  if (s.same) return
  log('Generating the Prisma client…')
  // generate never runs the schema engine, but the CLI insists that a file is named
  run(process.execPath, ['node_modules/prisma/build/index.js', 'generate'], {
    env: {
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/false',
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
    },
  })
  s.write()
}

export function ensureBuild() {
  const hash = hashFiles([
    'app',
    'components',
    'lib',
    'public',
    'next.config.js',
    'postcss.config.mjs',
    'tsconfig.json',
    'package-lock.json',
    'prisma/schema.prisma',
    'proxy.ts',
    'scripts/web-server.ts',
    'scripts/lib/bundle-web-server.mjs',
  ])
  const s = stamp('.next/.build-stamp', hash)
  // next build also bundles the web server (.next/web-server.mjs, next.config.js)
  const built = ['BUILD_ID', 'web-server.mjs'].every((f) => fs.existsSync(path.join(root, '.next', f)))
  if (s.same && built) return false
  log('Building the web app (next build)…')
  run(process.execPath, ['node_modules/next/dist/bin/next', 'build'], {
    env: { NEXT_TELEMETRY_DISABLED: '1' },
  })
  s.write()
  return true
}
