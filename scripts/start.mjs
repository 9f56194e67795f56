#!/usr/bin/env node
// `npm start`: install, build, then run the whole product (database, sandbox, worker, web app).
import { spawn } from 'node:child_process'
import { checkNode, ensureBuild, ensureDependencies, ensurePrismaClient, root } from './lib/ensure.mjs'

try {
  checkNode()
  ensureDependencies()
  ensurePrismaClient()
  ensureBuild()
} catch (e) {
  console.error(`\n✖ ${e.message}`)
  process.exit(1)
}

const child = spawn(
  process.execPath,
  ['--import', 'tsx', 'scripts/run-product.ts', ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: 'inherit',
  },
)
// Ctrl-C reaches the whole foreground group; the orchestrator does the orderly shutdown
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
