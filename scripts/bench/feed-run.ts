import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { newApiKey } from '@/lib/auth/api-key-secret'
import { migrate } from '@/lib/db/migrate'
import { createScratchDatabase } from '@/lib/db/scratch'
import { withPg } from '@/lib/submission/testing'
import type { ChildFigures } from './ingest-child'

// `npm run bench:feed`: 50 clients at once, each pushing requests of 100 sales (2 items each) to the feed's route
// handler over HTTP with a key of its own store; against the bulk upload path (receive → preview → commit) of
// the same number of sales in the same run, on the same database server.

export type FeedBenchOptions = {
  clients: number
  requestsPerClient: number
  salesPerRequest: number
  say: (l: string) => void
}

const code = (i: number) => `FEED-${String(i + 1).padStart(2, '0')}`

function sale(client: number, n: number, when: string) {
  return {
    order_id: `F${client}-${n}`,
    occurred_at: when,
    kind: n % 20 === 19 ? 'return' : 'purchase',
    customer_id: n % 3 === 0 ? null : `C-${n % 5000}`,
    items: [
      {
        item_id: `SKU-${n % 5000}`,
        item_name: `Item ${n % 5000}`,
        unit_price: `${1 + (n % 97)}.50`,
        quantity: 1 + (n % 3),
      },
      { item_id: `SKU-${(n * 7) % 5000}`, item_name: 'Gift wrap', unit_price: '2.00', quantity: 1 },
    ],
  }
}

function startServer(env: Record<string, string>): Promise<{ port: number; stop: () => void }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        path.join(import.meta.dirname, 'server-only-off.mjs'),
        '--import',
        'tsx',
        path.join(import.meta.dirname, 'feed-server.ts'),
      ],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
    )
    child.stdout.once('data', (d: Buffer) => {
      const { port } = JSON.parse(d.toString().trim().split('\n')[0] as string) as { port: number }
      resolve({ port, stop: () => child.kill('SIGTERM') })
    })
    child.on('error', reject)
    child.on('exit', (c) => c !== 0 && c !== null && reject(new Error(`feed server exited ${c}`)))
  })
}

function runUploadChild(env: Record<string, string>, file: string): Promise<ChildFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(import.meta.dirname, 'ingest-child.ts'), file],
      {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
    })
    child.on('error', reject)
    child.on('exit', (c) =>
      c === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '{}'))
        : reject(new Error(`upload child exited ${c}: ${out}`)),
    )
  })
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? 0
}

export async function runFeedBenchmark(opts: FeedBenchOptions) {
  const say = opts.say
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-bench-feed-'))
  fs.chmodSync(work, 0o755)
  const db = await createScratchDatabase('bench_feed', say)
  try {
    await migrate(db.url)
    const keys: string[] = []
    await withPg(db.url, async (c) => {
      for (let i = 0; i < opts.clients; i++) {
        const { rows } = await c.query<{ id: string }>(
          `INSERT INTO "Store" (id, code, name, "timeZone", latitude, longitude, "updatedAt")
           VALUES (gen_random_uuid(), $1, 'Bench store', 'America/New_York', '40.7233', '-74.0030', now()) RETURNING id::text`,
          [code(i)],
        )
        const k = newApiKey()
        const { rows: made } = await c.query<{ id: string }>(
          `INSERT INTO "ApiKey" (id, name, prefix, "secretHash") VALUES (gen_random_uuid(), $1, $2, $3) RETURNING id::text`,
          [`bench ${i}`, k.prefix, k.secretHash],
        )
        await c.query(`INSERT INTO "ApiKeyStore" ("keyId", "storeId") VALUES ($1::uuid, $2::uuid)`, [
          made[0]?.id,
          rows[0]?.id,
        ])
        keys.push(k.key)
      }
      await c.query(
        `INSERT INTO "User" (id, email, name, "passwordHash", role, "updatedAt") VALUES (gen_random_uuid(), 'bench@bench.store', 'Bench', 'x', 'ADMIN', now())`,
      )
    })
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
    const bodies = keys.map((_, client) =>
      Array.from({ length: opts.requestsPerClient }, (_, r) =>
        JSON.stringify(
          Array.from({ length: opts.salesPerRequest }, (_, s) =>
            sale(
              client,
              r * opts.salesPerRequest + s,
              `${yesterday} ${String(8 + (s % 12)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`,
            ),
          ),
        ),
      ),
    )
    const total = opts.clients * opts.requestsPerClient * opts.salesPerRequest
    const env = {
      DATABASE_URL: db.url,
      LOG_LEVEL: 'warn',
      FEED_RATE_PER_MINUTE: '100000',
      UPLOAD_DIR: path.join(work, 'uploads'),
    }

    await withPg(db.url, (c) => c.query('CHECKPOINT'))
    const server = await startServer(env)
    const latencies: number[] = []
    let stored = 0
    const t0 = performance.now()
    try {
      await Promise.all(
        keys.map(async (key, client) => {
          for (const body of bodies[client] as string[]) {
            const s = performance.now()
            const res = await fetch(`http://127.0.0.1:${server.port}/api/v1/sales`, {
              method: 'POST',
              headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
              body,
            })
            const answer = (await res.json()) as { counts?: { stored: number }; error?: string }
            latencies.push(performance.now() - s)
            if (res.status !== 200) throw new Error(`feed answered ${res.status}: ${answer.error}`)
            stored += answer.counts?.stored ?? 0
          }
        }),
      )
    } finally {
      server.stop()
    }
    const feedSeconds = (performance.now() - t0) / 1000
    if (stored !== total) throw new Error(`the feed stored ${stored} of ${total} sales`)

    // the same sales as one file through the upload path (line items of a sale share its order id)
    const file = path.join(work, 'sales.csv')
    const lines = ['order_id,occurred_at,store_code,kind,customer_id,item_id,item_name,unit_price,quantity']
    bodies.forEach((requests, client) => {
      for (const body of requests)
        for (const s of JSON.parse(body) as ReturnType<typeof sale>[])
          for (const i of s.items)
            lines.push(
              `U${s.order_id},${s.occurred_at},${code(client)},${s.kind},${s.customer_id ?? ''},${i.item_id},${i.item_name},${i.unit_price},${i.quantity}`,
            )
    })
    fs.writeFileSync(file, `${lines.join('\n')}\n`)
    fs.chmodSync(file, 0o644)
    await withPg(db.url, (c) => c.query('CHECKPOINT'))
    const upload = await runUploadChild(env, file)
    const uploadSeconds = upload.receiveSeconds + upload.previewSeconds + upload.commitSeconds
    if (upload.events !== total) throw new Error(`the upload stored ${upload.events} of ${total} sales`)

    const feedRate = total / feedSeconds
    const uploadRate = total / uploadSeconds
    const out = [
      '',
      `feed: ${opts.clients} clients × ${opts.requestsPerClient} requests × ${opts.salesPerRequest} sales = ${total.toLocaleString('en-US')} sales in ${feedSeconds.toFixed(1)} s`,
      `  sales stored per second: ${Math.round(feedRate).toLocaleString('en-US')}`,
      `  request latency: p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms, max ${percentile(latencies, 100).toFixed(0)} ms`,
      `upload path (receive + preview + commit) of the same ${total.toLocaleString('en-US')} sales: ${uploadSeconds.toFixed(1)} s, ${Math.round(uploadRate).toLocaleString('en-US')} sales/s`,
      `feed rate / upload rate: ${((100 * feedRate) / uploadRate).toFixed(0)} %   (target ≥ 50 %)`,
    ]
    for (const l of out) say(l)
    return { feedRate, uploadRate, p95: percentile(latencies, 95) }
  } finally {
    await db.close()
    fs.rmSync(work, { recursive: true, force: true })
  }
}
