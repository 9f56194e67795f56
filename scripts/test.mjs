#!/usr/bin/env node
// `npm test`: every layer, in order: format + lint, types, unit + integration (real PostgreSQL),
// the production build, end-to-end in Chromium. Prints one closing line with the totals.
import fs from 'node:fs'
import path from 'node:path'
import {
  checkNode,
  ensureBuild,
  ensureDependencies,
  ensurePrismaClient,
  log,
  root,
  run,
} from './lib/ensure.mjs'

const results = path.join(root, 'test-results')
const steps = []
const step = (name, fn) => {
  const t0 = Date.now()
  log(name)
  fn()
  steps.push(`${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`)
}

function count(file, pick) {
  const p = path.join(results, file)
  return fs.existsSync(p) ? pick(JSON.parse(fs.readFileSync(p, 'utf8'))) : { passed: 0, failed: 0 }
}

let failed = null
try {
  checkNode()
  ensureDependencies()
  ensurePrismaClient()
  fs.rmSync(results, { recursive: true, force: true })
  fs.mkdirSync(results, { recursive: true })
  step('Format and lint (biome ci)', () =>
    run(process.execPath, ['node_modules/@biomejs/biome/bin/biome', 'ci', '.']),
  )
  step('Typecheck (tsc)', () =>
    run(process.execPath, ['node_modules/typescript/bin/tsc', '--noEmit', '-p', '.']),
  )
  step('Unit and integration tests (vitest, real PostgreSQL)', () =>
    run(process.execPath, [
      'node_modules/vitest/vitest.mjs',
      'run',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${path.join(results, 'vitest.json')}`,
    ]),
  )
  step('Production build (next build)', () => ensureBuild())
  step('End-to-end tests (Playwright, Chromium)', () =>
    run(process.execPath, ['node_modules/@playwright/test/cli.js', 'test']),
  )
} catch (e) {
  failed = e
}

const v = count('vitest.json', (j) => ({ passed: j.numPassedTests ?? 0, failed: j.numFailedTests ?? 0 }))
const p = count('playwright.json', (j) => ({
  passed: j.stats?.expected ?? 0,
  failed: (j.stats?.unexpected ?? 0) + (j.stats?.flaky ?? 0),
}))
console.log(`\n${steps.join('\n')}`)
if (failed) console.error(`\n✖ ${failed.message}`)
const failures = v.failed + p.failed + (failed && v.failed + p.failed === 0 ? 1 : 0)
console.log(`tests: ${v.passed + p.passed} passed, ${failures} failed`)
process.exit(failed ? 1 : 0)
