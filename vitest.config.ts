import path from 'node:path'
import { configDefaults, defineConfig } from 'vitest/config'

// `npm run test:fast` (TEST_TIER=fast) is the inner loop: it leaves out the files whose time goes into
// chaos loops, volume or brute force. `npm test` and `npx vitest run` run every file.
const SLOW_FILES = [
  // chaos: SIGKILLs at random moments, a fault storm, pacers of several worker processes
  'lib/submission/submission.test.ts',
  // whole files stored and rolled back (12,000-row transactions)
  'lib/uploads/storage/ingest.test.ts',
  'lib/uploads/storage/ingest-read.test.ts',
  // figures checked against generated days of sales
  'lib/overview/queries.test.ts',
  'lib/sales/queries.test.ts',
  // brute force: throttling needs many password hashes; property tests run thousands of inputs
  'lib/auth/credentials.test.ts',
  'lib/sales/validate.test.ts',
  // every server action and route × five personas × three targets
  'lib/auth/authorization-matrix.test.ts',
  // starts, stops and restarts embedded servers of its own
  'lib/db/embedded.test.ts',
  // a worker process through a database outage: kills and restarts an embedded server of its own
  'lib/submission/worker-outage.test.ts',
  // 20+ SIGKILLs of a real worker process while it checks and stores uploads of tens of thousands of rows
  'lib/uploads/jobs/kill-loop.test.ts',
]

export default defineConfig({
  resolve: {
    alias: {
      '@': path.resolve(import.meta.dirname),
      // tests run server code outside React's server environment; the guard has nothing to guard there
      'server-only': path.resolve(import.meta.dirname, 'node_modules/server-only/empty.js'),
    },
  },
  test: {
    include: ['lib/**/*.test.ts', 'app/**/*.test.ts', 'scripts/**/*.test.ts', 'prisma/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(process.env.TEST_TIER === 'fast' ? SLOW_FILES : [])],
    environment: 'node',
    globalSetup: ['./lib/testing/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    server: { deps: { inline: ['next-auth'] } },
  },
})
