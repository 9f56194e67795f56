import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { defineConfig } from '@playwright/test'

// End-to-end tests drive Debian's Chromium (never a downloaded browser). Elsewhere, point
// CHROMIUM_PATH at any Chromium or Chrome binary.
const PORT = Number(process.env.E2E_PORT ?? 3100)
const SANDBOX_PORT = Number(process.env.E2E_SANDBOX_PORT ?? 4110)
const baseURL = `http://127.0.0.1:${PORT}`

// The Constructor token of this run, and the file every product process's output goes to: the last
// spec scans pages and this log for the token. Workers load this file again and inherit the env,
// so both are made once, in the runner.
export const PRODUCT_LOG = path.resolve('test-results/product.log')
if (!process.env.E2E_SANDBOX_TOKEN) {
  process.env.E2E_SANDBOX_TOKEN = `sbx_e2e_${randomBytes(18).toString('base64url')}`
  fs.mkdirSync(path.dirname(PRODUCT_LOG), { recursive: true })
  fs.rmSync(PRODUCT_LOG, { force: true })
}

// the sandbox's control token, so specs can inject faults (poison values) through POST /_sandbox/faults
process.env.E2E_SANDBOX_CONTROL_TOKEN ??= randomBytes(18).toString('base64url')

export default defineConfig({
  testDir: './e2e',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  outputDir: './test-results/e2e',
  use: {
    baseURL,
    browserName: 'chromium',
    headless: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  projects: [
    // signs in once per role and saves the sessions (e2e/.auth, git-ignored)
    { name: 'setup', testMatch: /auth\.setup\.ts/ },
    { name: 'app', testMatch: /\.spec\.ts$/, testIgnore: /token-leak\.spec\.ts/, dependencies: ['setup'] },
    // last: scans every page and the whole run's log for the token
    { name: 'leak', testMatch: /token-leak\.spec\.ts/, dependencies: ['app'] },
    // a timing, not a test: only with `npm run bench:upload`
    ...(process.env.E2E_UPLOAD_BENCH === '1'
      ? [{ name: 'bench', testMatch: /\.bench\.ts$/, dependencies: ['setup'] }]
      : []),
  ],
  webServer: {
    // the whole product on a fresh database of its own: sandbox, worker and web app
    command: 'node --import tsx scripts/run-product.ts --fresh-db',
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'pipe',
    stderr: 'pipe',
    gracefulShutdown: { signal: 'SIGTERM', timeout: 20_000 },
    env: {
      PORT: String(PORT),
      SANDBOX_PORT: String(SANDBOX_PORT),
      APP_URL: baseURL,
      LOG_LEVEL: 'info',
      SANDBOX_TOKEN: process.env.E2E_SANDBOX_TOKEN,
      SANDBOX_CONTROL_TOKEN: process.env.E2E_SANDBOX_CONTROL_TOKEN,
      // every id is in the catalog unless a spec says otherwise (e2e/catalog-preflight.spec.ts)
      SANDBOX_CATALOG: 'open',
      PRODUCT_LOG_FILE: PRODUCT_LOG,
    },
  },
})
