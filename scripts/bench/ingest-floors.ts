import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { migrate } from '@/lib/db/migrate'
import { withPg } from '@/lib/submission/testing'
import type { ByteInput } from '@/lib/uploads/decode'
import { parseSalesFile } from '@/lib/uploads/parse-sales-file'
import type { IngestSettings, IngestStore } from '@/lib/uploads/storage/ingest-rows'

// The floors bench:ingest holds the product against: two timed as `psql \copy` (the database's bulk path with
// nothing of ours in between) — the file into one plain table, and the very rows the product stored into a fresh
// database of the product's own schema — and the parser alone over the file (no database at all). Beside them, what
// keeping the parsed rows between preview and commit (a staging table) would cost the database.

const run = promisify(execFile)

function findPsql(): string {
  for (const p of [process.env.PSQL, '/usr/bin/psql', '/usr/local/bin/psql', '/opt/homebrew/bin/psql'])
    if (p && fs.existsSync(p)) return p
  throw new Error(
    'psql was not found (looked in /usr/bin, /usr/local/bin): install postgresql-client or set PSQL',
  )
}

const psql = (url: string, ...args: string[]) =>
  run(findPsql(), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', ...args, url], { maxBuffer: 16 * 1024 * 1024 })

const quoteLiteral = (s: string) => `'${s.replace(/'/g, "''")}'`

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now()
  await fn()
  return (performance.now() - t0) / 1000
}

/**
 * The plain-table floor: the file into one table with a unique key and the time and item indexes; with
 * `search`, also the GIN trigram indexes the sales table's search keeps over every order and customer id (its
 * item id trigrams are over each distinct id, ItemIdSearch: the floor's plain item index stands for them).
 */
export async function plainTableSeconds(url: string, file: string, table: string, search: boolean) {
  const trigram = search
    ? `CREATE EXTENSION IF NOT EXISTS pg_trgm;
       CREATE INDEX ON ${table} USING GIN (order_id gin_trgm_ops);
       CREATE INDEX ON ${table} USING GIN (customer_id gin_trgm_ops);`
    : ''
  await psql(
    url,
    '-c',
    `CREATE TABLE ${table} (id bigserial PRIMARY KEY, order_id text, occurred_at timestamptz, store_code text, kind text,
       customer_id text, item_id text, item_name text, variation_id text, unit_price numeric(18,4), quantity int);
     CREATE UNIQUE INDEX ON ${table} (store_code, kind, order_id, item_id);
     CREATE INDEX ON ${table} (store_code, occurred_at);
     CREATE INDEX ON ${table} (occurred_at);
     CREATE INDEX ON ${table} (item_id);
     ${trigram}`,
  )
  return timed(() =>
    psql(
      url,
      '-c',
      `\\copy ${table} (order_id, occurred_at, store_code, kind, customer_id, item_id, item_name, variation_id, unit_price, quantity) FROM ${quoteLiteral(file)} WITH (FORMAT csv, HEADER true)`,
    ),
  )
}

/** what the stored rows point to: copied into the floor's database before the clock starts */
const PARENT_TABLES = ['Store', 'User', 'Upload']
/** what a commit stores, in an order that satisfies their keys: events, their search rows, line items, item ids, row issues */
export const STORED_TABLES = ['SaleEvent', 'SaleEventSearch', 'LineItem', 'ItemIdSearch', 'UploadRowIssue']

export type StoredRowsFloor = {
  seconds: number
  rows: Record<string, number>
  /** the database the rows were copied into, to drop when done */
  database: string
  /** the commit's rows into UNLOGGED staging tables and back out (stagingRoundTrip) */
  staging: { copyInSeconds: number; copyOutSeconds: number }
}

/**
 * The stored-rows floor: every row the product stored (`fromUrl`), dumped after its run and copied with
 * `psql \copy` in one transaction into a new database on the same server, built by the product's own
 * migrations: the same tables, indexes, checks and native foreign keys. Triggers of our own are switched off
 * there, because what they derive (the search rows) is copied like the rest; the database's own key checks
 * stay. What the clock shows is what the database itself needs to store those rows.
 */
export async function storedRowsFloor(
  fromUrl: string,
  work: string,
  beforeLoad: (url: string) => Promise<void>,
): Promise<StoredRowsFloor> {
  const dir = fs.mkdtempSync(path.join(work, 'stored-rows-'))
  const file = (table: string) => quoteLiteral(path.join(dir, `${table}.copy`))
  const all = [...PARENT_TABLES, ...STORED_TABLES]
  const script = (name: string, lines: string[]) => {
    const p = path.join(dir, name)
    fs.writeFileSync(p, `${lines.join('\n')}\n`)
    return p
  }
  // binary: every value comes back exactly as stored (generated columns are left out both ways)
  await psql(
    fromUrl,
    '-f',
    script(
      'dump.sql',
      all.map((t) => `\\copy "${t}" TO ${file(t)} WITH (FORMAT binary)`),
    ),
  )
  const rows: Record<string, number> = {}
  await withPg(fromUrl, async (c) => {
    for (const t of STORED_TABLES)
      rows[t] = Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM "${t}"`)).rows[0]?.n ?? 0)
  })

  const database = `${new URL(fromUrl).pathname.slice(1)}_floor`
  await withPg(fromUrl, (c) => c.query(`CREATE DATABASE "${database}"`))
  const url = new URL(fromUrl)
  url.pathname = `/${database}`
  const floorUrl = url.toString()
  await migrate(floorUrl)
  await withPg(floorUrl, (c) =>
    c.query(STORED_TABLES.map((t) => `ALTER TABLE "${t}" DISABLE TRIGGER USER;`).join('\n')),
  )
  await psql(
    floorUrl,
    '-f',
    script(
      'parents.sql',
      PARENT_TABLES.map((t) => `\\copy "${t}" FROM ${file(t)} WITH (FORMAT binary)`),
    ),
  )
  await beforeLoad(floorUrl)
  const load = script(
    'load.sql',
    STORED_TABLES.map((t) => `\\copy "${t}" FROM ${file(t)} WITH (FORMAT binary)`),
  )
  const seconds = await timed(() => psql(floorUrl, '--single-transaction', '-f', load))
  const staging = await stagingRoundTrip(floorUrl, dir)
  fs.rmSync(dir, { recursive: true, force: true })
  return { seconds, rows, database, staging }
}

/** what the commit copies (its search rows and item ids are derived from these by triggers) */
const STAGED_TABLES = ['SaleEvent', 'LineItem', 'UploadRowIssue']

/**
 * What "parse once" would cost the database: the commit's own COPY rows written at preview into UNLOGGED staging
 * tables without indexes (COPY in), and read back at commit (COPY out). A lower bound of that design: the commit
 * would still decode them in Node, classify them against what is stored then, and COPY them into the real tables.
 */
async function stagingRoundTrip(url: string, dir: string) {
  const file = (table: string) => quoteLiteral(path.join(dir, `${table}.copy`))
  const stage = (t: string) => `"stage_${t}"`
  await withPg(url, (c) =>
    c.query(
      STAGED_TABLES.map((t) => `CREATE UNLOGGED TABLE ${stage(t)} (LIKE "${t}" INCLUDING GENERATED);`).join(
        '\n',
      ),
    ),
  )
  await withPg(url, (c) => c.query('CHECKPOINT'))
  const script = (name: string, lines: string[]) => {
    const p = path.join(dir, name)
    fs.writeFileSync(p, `${lines.join('\n')}\n`)
    return p
  }
  const inScript = script(
    'stage-in.sql',
    STAGED_TABLES.map((t) => `\\copy ${stage(t)} FROM ${file(t)} WITH (FORMAT binary)`),
  )
  const copyInSeconds = await timed(() => psql(url, '--single-transaction', '-f', inScript))
  const outScript = script(
    'stage-out.sql',
    STAGED_TABLES.map((t) => `\\copy ${stage(t)} TO '/dev/null' WITH (FORMAT binary)`),
  )
  const copyOutSeconds = await timed(() => psql(url, '-f', outScript))
  return { copyInSeconds, copyOutSeconds }
}

/**
 * The parser alone over the file, with the options the upload's job reads it with (ingest-read.ts) and nothing
 * done with its events: what every read of the file costs before any database work. `source` is the file on
 * disk (the floor) or the stored file (what the commit reads again).
 */
export async function parseOnlySeconds(
  source: ByteInput,
  stores: readonly IngestStore[],
  settings: IngestSettings,
): Promise<{ seconds: number; events: number }> {
  const byCode = Object.fromEntries(
    stores.map((s) => [s.code, { id: s.id, timeZone: s.timeZone, aliases: s.aliases ?? [] }]),
  )
  const t0 = performance.now()
  const result = await parseSalesFile(source, {
    stores: byCode,
    ...(settings.mapping !== undefined && { mapping: settings.mapping }),
    ...(settings.dateOrder !== undefined && { dateOrder: settings.dateOrder }),
    ...(settings.decimalSeparator !== undefined && { decimalSeparator: settings.decimalSeparator }),
    ...(settings.encoding !== undefined && { encoding: settings.encoding }),
    ...(settings.delimiter !== undefined && { delimiter: settings.delimiter }),
    ...(settings.headerRowNumber !== undefined && { headerRowNumber: settings.headerRowNumber }),
    ...(settings.streamDecisions !== undefined && { streamDecisions: settings.streamDecisions }),
    keepEvents: false,
    eventChunkSize: 5_000,
    onEvents: () => {},
    onRowIssues: () => {},
  })
  return { seconds: (performance.now() - t0) / 1000, events: result.counts.events }
}
