import type { TestProject } from 'vitest/node'
import { migrate } from '@/lib/db/migrate'
import { createScratchDatabase } from '@/lib/db/scratch'
import { ensureQueueSchema } from '@/lib/submission/queue'

// Each test run gets its own fresh, migrated database: an embedded server in a temp folder when
// DATABASE_URL is unset, otherwise a new database on that server. The demo data is never touched.
export default async function setup(project: TestProject) {
  if (process.env.TEST_NO_DB === '1') return
  const scratch = await createScratchDatabase('test')
  try {
    await migrate(scratch.url)
    await ensureQueueSchema(scratch.url)
  } catch (e) {
    // a failed migration must not leave the embedded server running after the run
    await scratch.close().catch(() => {})
    throw e
  }
  process.env.DATABASE_URL = scratch.url
  process.env.TEST_DATABASE_URL = scratch.url
  project.provide('databaseUrl', scratch.url)
  return scratch.close
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string
  }
}
