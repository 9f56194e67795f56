import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import {
  createDatabase,
  dropDatabase,
  freePort,
  startEmbeddedPostgres,
  withDatabase,
} from '@/lib/db/embedded'
import { migrate } from '@/lib/db/migrate'
import { ensureQueueSchema } from '@/lib/submission/queue'

// Each test run gets its own fresh, migrated database: an embedded server in a temp folder when
// DATABASE_URL is unset, otherwise a new database on that server. The demo data is never touched.
export default async function setup(project: TestProject) {
  if (process.env.TEST_NO_DB === '1') return
  const name = `test_${Date.now()}_${process.pid}`
  let teardown: () => Promise<void>
  let url: string
  const external = process.env.DATABASE_URL
  if (external) {
    await createDatabase(withDatabase(external, 'postgres'), name)
    url = withDatabase(external, name)
    teardown = () => dropDatabase(withDatabase(external, 'postgres'), name)
  } else {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-test-pg-'))
    fs.chmodSync(dataDir, 0o755)
    const server = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, 'pg'),
      port: await freePort(),
      persistent: false,
    })
    await createDatabase(server.url('postgres'), name)
    url = server.url(name)
    teardown = async () => {
      await server.stop()
      fs.rmSync(dataDir, { recursive: true, force: true })
    }
  }
  await migrate(url)
  await ensureQueueSchema(url)
  process.env.DATABASE_URL = url
  process.env.TEST_DATABASE_URL = url
  project.provide('databaseUrl', url)
  return teardown
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string
  }
}
