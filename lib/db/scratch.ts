import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {
  createDatabase,
  dropDatabase,
  freePort,
  startEmbeddedPostgres,
  withDatabase,
} from '@/lib/db/embedded'
import { env } from '@/lib/env'

export type ScratchDatabase = { url: string; close: () => Promise<void> }

/**
 * A database of its own for a test run or a benchmark: a new database on DATABASE_URL's server when it is
 * set, otherwise an embedded server in a temporary folder. close() drops or stops and removes it.
 */
export async function createScratchDatabase(
  prefix: string,
  say?: (s: string) => void,
): Promise<ScratchDatabase> {
  const external = env().DATABASE_URL
  const name = `${prefix}_${Date.now()}_${process.pid}`
  if (external) {
    await createDatabase(withDatabase(external, 'postgres'), name)
    say?.(`database: ${name} on ${new URL(external).host}`)
    return {
      url: withDatabase(external, name),
      close: () => dropDatabase(withDatabase(external, 'postgres'), name),
    }
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ss-${prefix.replace(/_/g, '-')}-`))
  // the server runs as the postgres user when we are root: it must be able to enter the folder
  fs.chmodSync(dir, 0o755)
  const server = await startEmbeddedPostgres({
    dataDir: path.join(dir, 'pg'),
    port: await freePort(),
    persistent: false,
  })
  await createDatabase(server.url('postgres'), name)
  say?.(`database: embedded PostgreSQL in ${dir}`)
  return {
    url: server.url(name),
    close: async () => {
      await server.stop()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
