import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { migrate } from '@/lib/db/migrate'
import { createScratchDatabase } from '@/lib/db/scratch'
import { type WebProcess, webProcess } from '@/lib/process/web-process'
import { ensureQueueSchema } from '@/lib/submission/queue'
import { generateCsv } from './ingest-run'
import { startWebServer } from './ingest-web-server'

// What each of the web process's start-up choices (lib/process/web-process.ts) saves: the web server started each
// way in turn receives the same 250 MB file as in bench:ingest, and its memory is printed (docs/performance.md).
//   node --import tsx scripts/bench/web-flags.ts [--rounds N] [variant …]

const args = process.argv.slice(2)
const roundsAt = args.indexOf('--rounds')
const rounds = roundsAt === -1 ? 1 : Number(args[roundsAt + 1])
const picked = args.filter((a, i) => a !== '--rounds' && i !== roundsAt + 1)

const product = webProcess()
const bundle = product.args.at(-1) as string
const SEMI = '--max-semi-space-size=4'
const WASM = '--wasm-tiering-budget=1000000000'
const MALLOC = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' }
const production = { NODE_ENV: 'production' }
const variants: Record<string, WebProcess> = {
  tsx: { args: ['--import', 'tsx', 'scripts/web-server.ts'], env: production },
  bundle: { args: [bundle], env: production },
  'bundle+semi': { args: [SEMI, bundle], env: production },
  'bundle+wasm': { args: [WASM, bundle], env: production },
  'bundle+malloc': { args: [bundle], env: { ...production, ...MALLOC } },
  'bundle+semi+wasm': { args: [SEMI, WASM, bundle], env: production },
  'bundle+wasm+malloc': { args: [WASM, bundle], env: { ...production, ...MALLOC } },
  product,
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-web-flags-'))
const file = path.join(work, 'sales.csv')
const lineItems = Math.floor(250e6 / 91.5)
await generateCsv(file, { lineItems, orders: Math.floor(lineItems / 4), stores: 50 })
const db = await createScratchDatabase('web_flags')
const load = () => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')
try {
  await migrate(db.url)
  await ensureQueueSchema(db.url)
  for (let r = 0; r < rounds; r++)
    for (const name of picked.length ? picked : Object.keys(variants)) {
      const web = variants[name]
      if (!web) throw new Error(`no variant ${name}: ${Object.keys(variants).join(', ')}`)
      const server = await startWebServer({ DATABASE_URL: db.url, LOG_LEVEL: 'warn' }, web)
      const f = await server.receive(file).finally(() => server.stop())
      const mb = (n: number) => `${n.toFixed(0)} MB`
      console.log(
        `${name.padEnd(20)} answered ${mb(server.startedRssMb)} | signed in, idle ${mb(f.readyRssMb)} (peak so far ${mb(f.readyPeakMb)}) | peak ${mb(f.maxRssMb)} | receive ${f.receiveSeconds.toFixed(1)} s | load ${load()}`,
      )
    }
} finally {
  await db.close()
  fs.rmSync(work, { recursive: true, force: true })
}
process.exit(0)
