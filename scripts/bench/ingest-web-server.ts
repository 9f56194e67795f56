import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import { freePort } from '@/lib/db/embedded'
import { type WebProcess, webProcess } from '@/lib/process/web-process'
import { withPg } from '@/lib/submission/testing'
import { hashPassword } from '@/lib/users/password'

// bench:ingest's web side: the product's web server (the `next build` output behind scripts/web-server.ts), started
// as `npm start` starts it (lib/process/web-process.ts), receives the file over HTTP through POST /api/uploads in a
// session signed in through next-auth's credentials flow, then the preview is queued as the upload page queues it
// (POST /api/uploads/[id]/preview). Its memory is read from /proc: the figures are that one process's.

export type WebServerFigures = {
  uploadId: string
  /** epoch ms (this host's clock): the route answered 201, the file is stored and the upload RECEIVED */
  receivedAtMs: number
  /** first byte sent → 201 */
  receiveSeconds: number
  /** epoch ms: the preview route answered 202, the job is queued */
  queuedAtMs: number
  /** the web process's resident memory (VmRSS), signed in and idle, before the first byte of the file */
  readyRssMb: number
  /** its peak (VmHWM) up to then: starting Next, signing in */
  readyPeakMb: number
  /** its peak (VmHWM) over its whole life, the file received and the preview queued */
  maxRssMb: number
}

export type WebServer = {
  pid: number
  url: string
  /** VmRSS once /api/health answered, before anything else was asked of it */
  startedRssMb: number
  /** one file through the upload route, then its preview queued */
  receive: (file: string) => Promise<WebServerFigures>
  stop: () => Promise<void>
}

/** a /proc/<pid>/status figure (VmRSS, VmHWM) in MB; the process must have no children doing its work */
function procMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN)
  return kb / 1024
}

/** the web process's own child processes: none is expected (Next's request handler runs in-process) */
function childrenOf(pid: number): string {
  try {
    return fs
      .readdirSync(`/proc/${pid}/task`)
      .map((t) => fs.readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim())
      .filter(Boolean)
      .join(' ')
  } catch {
    return ''
  }
}

/** the Set-Cookie headers of a response as one Cookie header; a name set twice keeps its last value, as in a browser */
function cookiesOf(res: Response) {
  const jar = new Map<string, string>()
  for (const c of res.headers.getSetCookie()) {
    const pair = c.split(';')[0] ?? ''
    jar.set(pair.split('=')[0] ?? '', pair)
  }
  return [...jar.values()].join('; ')
}

/** signs in as the browser's sign-in form does (next-auth's CSRF token, then the credentials callback) */
async function signIn(base: string, email: string, password: string): Promise<string> {
  const csrf = await fetch(`${base}/api/auth/csrf`)
  const { csrfToken } = (await csrf.json()) as { csrfToken: string }
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: cookiesOf(csrf),
      origin: base,
    },
    body: new URLSearchParams({ csrfToken, email, password, callbackUrl: `${base}/` }).toString(),
    redirect: 'manual',
  })
  const session = cookiesOf(res)
  if (
    res.status !== 302 ||
    !/session-token=/.test(session) ||
    /error=/.test(res.headers.get('location') ?? '')
  )
    throw new Error(`signing in failed: ${res.status} ${res.headers.get('location')}`)
  return session
}

/** the file as the page's XMLHttpRequest sends it: the raw body with its length, 64 KiB pieces */
function postFile(url: string, cookie: string, origin: string, file: string) {
  return new Promise<{ status: number; body: { uploadId?: string; error?: string } }>((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      headers: {
        'content-type': 'text/csv',
        'content-length': fs.statSync(file).size,
        cookie,
        origin,
      },
    })
    req.on('response', (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => {
        text += d
      })
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) })
        } catch {
          resolve({ status: res.statusCode ?? 0, body: { error: text.slice(0, 300) } })
        }
      })
    })
    req.on('error', reject)
    fs.createReadStream(file, { highWaterMark: 64 * 1024 }).pipe(req)
  })
}

async function waitForHealth(base: string, child: ChildProcess, output: () => string) {
  const until = Date.now() + 90_000
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`the web server exited (${child.exitCode ?? child.signalCode}):\n${output()}`)
    const ok = await fetch(`${base}/api/health`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) return
    await new Promise((r) => setTimeout(r, 200))
  }
  throw new Error(`the web server did not answer ${base}/api/health within 90 s:\n${output()}`)
}

/**
 * Starts the web server against `env.DATABASE_URL` (migrated, the upload queue's schema made) and adds an admin
 * who signs in with a password. Resolves once /api/health answers. `web`: how the process is started, when not as
 * the product starts it (to compare node's flags).
 */
export async function startWebServer(
  env: Record<string, string>,
  web: WebProcess = webProcess(),
): Promise<WebServer> {
  const databaseUrl = env.DATABASE_URL
  if (!databaseUrl) throw new Error('DATABASE_URL is needed')
  const email = `web-bench-${randomBytes(4).toString('hex')}@bench.store`
  const password = randomBytes(18).toString('base64url')
  const passwordHash = await hashPassword(password)
  await withPg(databaseUrl, (c) =>
    c.query(
      `INSERT INTO "User" (id, email, name, "passwordHash", role, "updatedAt")
       VALUES (gen_random_uuid(), $1, 'Web bench', $2, 'ADMIN', now())`,
      [email, passwordHash],
    ),
  )

  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  const child = spawn(process.execPath, web.args, {
    env: {
      ...process.env,
      ...web.env,
      ...env,
      AUTH_SECRET: randomBytes(32).toString('hex'),
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      PORT: String(port),
      HOST: '127.0.0.1',
      APP_URL: base,
      AUTH_URL: base,
      AUTH_TRUST_HOST: 'true',
      NEXT_TELEMETRY_DISABLED: '1',
      SERVICE_NAME: 'web',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let tail = ''
  const keep = (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4000)
  }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  const exited = new Promise<void>((r) => child.once('exit', () => r()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
  }
  try {
    await waitForHealth(base, child, () => tail)
  } catch (e) {
    await stop()
    throw e
  }
  const pid = child.pid as number
  const startedRssMb = procMb(pid, 'VmRSS')

  const receive = async (file: string): Promise<WebServerFigures> => {
    const cookie = await signIn(base, email, password)
    const readyRssMb = procMb(pid, 'VmRSS')
    const readyPeakMb = procMb(pid, 'VmHWM')
    const t0 = performance.now()
    const received = await postFile(`${base}/api/uploads?name=bench.csv`, cookie, base, file)
    const receivedAtMs = Date.now()
    const receiveSeconds = (performance.now() - t0) / 1000
    const uploadId = received.body.uploadId
    if (received.status !== 201 || !uploadId)
      throw new Error(`POST /api/uploads answered ${received.status}: ${received.body.error}\n${tail}`)
    const queued = await fetch(`${base}/api/uploads/${uploadId}/preview`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, origin: base },
      body: '{}',
    })
    if (queued.status !== 202)
      throw new Error(
        `POST /api/uploads/${uploadId}/preview answered ${queued.status}: ${await queued.text()}`,
      )
    const queuedAtMs = Date.now()
    const children = childrenOf(pid)
    if (children)
      throw new Error(`the web process has child processes (${children}): its figure would be short`)
    return {
      uploadId,
      receivedAtMs,
      receiveSeconds,
      queuedAtMs,
      readyRssMb,
      readyPeakMb,
      maxRssMb: procMb(pid, 'VmHWM'),
    }
  }
  return { pid, url: base, startedRssMb, receive, stop }
}
