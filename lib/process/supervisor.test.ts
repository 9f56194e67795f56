import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Supervisor, type SupervisorEvent } from './supervisor'

// The supervisor with real child processes: small node scripts that run, crash, or are killed.

let dir: string
const supervisors: Supervisor[] = []
afterEach(async () => {
  for (const s of supervisors.splice(0)) await s.stopAll()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** a script that appends "<pid>" to runs-<name>.log on each start, then behaves as `body` says */
function script(name: string, body: string) {
  const file = path.join(dir, `${name}.mjs`)
  fs.writeFileSync(
    file,
    `import fs from 'node:fs'
     const log = ${JSON.stringify(path.join(dir, `runs-${name}.log`))}
     fs.appendFileSync(log, process.pid + '\\n')
     const run = fs.readFileSync(log, 'utf8').trim().split('\\n').length
     ${body}`,
  )
  return { name, args: [file] }
}
const runs = (name: string) => {
  const f = path.join(dir, `runs-${name}.log`)
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').trim().split('\n').map(Number) : []
}
const alive = (pid: number | undefined) => {
  try {
    return pid !== undefined && process.kill(pid, 0)
  } catch {
    return false
  }
}
async function until(what: string, done: () => boolean, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
const STAY_UP = 'setInterval(() => {}, 1000)'

function supervise(policy: ConstructorParameters<typeof Supervisor>[0]) {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-supervisor-'))
  const s = new Supervisor(policy)
  const events: SupervisorEvent[] = []
  const gaveUp: { name: string; reason: string }[] = []
  s.onEvent = (e) => events.push(e)
  s.onGiveUp = (name, reason) => gaveUp.push({ name, reason })
  supervisors.push(s)
  return { s, events, gaveUp }
}

describe('the single-machine supervisor', () => {
  it('restarts a crashing worker with growing back-off while the web process keeps running', async () => {
    const { s, events, gaveUp } = supervise({ initialDelayMs: 100, maxDelayMs: 1_000, healthyAfterMs: 5_000 })
    await s.start(script('web', STAY_UP), 0)
    // crashes on its first three runs, then stays up
    await s.start(
      script('worker', `if (run <= 3) { setTimeout(() => process.exit(1), 100) } else { ${STAY_UP} }`),
      1,
    )
    await until('the fourth run of the worker', () => runs('worker').length === 4)
    await until('the fourth run to be up', () => alive(runs('worker')[3]))
    expect(gaveUp).toEqual([])
    // the web process was never restarted and is still the same process
    expect(runs('web')).toHaveLength(1)
    expect(alive(runs('web')[0])).toBe(true)
    const delays = events.flatMap((e) => (e.type === 'restarting' && e.name === 'worker' ? [e.delayMs] : []))
    expect(delays).toEqual([100, 200, 400])
  })

  it('brings back a worker killed with SIGKILL, and again after each kill', async () => {
    const { s, gaveUp } = supervise({
      initialDelayMs: 50,
      maxDelayMs: 200,
      healthyAfterMs: 60_000,
      maxQuickFailures: 5,
    })
    await s.start(script('worker', STAY_UP), 0)
    for (let kill = 1; kill <= 3; kill++) {
      await until(`run ${kill} to be up`, () => alive(runs('worker')[kill - 1]))
      process.kill(runs('worker')[kill - 1] as number, 'SIGKILL')
      await until(`run ${kill + 1}`, () => runs('worker').length === kill + 1)
    }
    await until('the last run to be up', () => alive(runs('worker')[3]))
    expect(gaveUp).toEqual([])
  })

  it('gives up on a process that keeps failing at start, and says why with its last output', async () => {
    const { s, events, gaveUp } = supervise({ initialDelayMs: 20, maxDelayMs: 50, maxQuickFailures: 3 })
    await s.start(script('sandbox', `console.error('port 4010 is in use'); process.exit(3)`), 0)
    await until('the supervisor to give up', () => gaveUp.length > 0)
    // the first run and three restarts, then no more
    expect(runs('sandbox')).toHaveLength(4)
    expect(gaveUp).toHaveLength(1)
    expect(gaveUp[0]?.name).toBe('sandbox')
    expect(gaveUp[0]?.reason).toMatch(/sandbox stopped \(exit code 3\)/)
    expect(gaveUp[0]?.reason).toMatch(/failed 4 times in a row/)
    expect(gaveUp[0]?.reason).toContain('port 4010 is in use')
    await new Promise((r) => setTimeout(r, 300))
    expect(runs('sandbox')).toHaveLength(4)
    expect(events.filter((e) => e.type === 'gave-up')).toHaveLength(1)
  })

  it('a run that stayed up long enough resets the back-off: a process that crashes now and then is never given up', async () => {
    const { s, events, gaveUp } = supervise({
      initialDelayMs: 30,
      maxDelayMs: 1_000,
      healthyAfterMs: 200,
      maxQuickFailures: 1,
    })
    await s.start(script('worker', `setTimeout(() => process.exit(1), 400)`), 0)
    await until('five runs', () => runs('worker').length >= 5)
    expect(gaveUp).toEqual([])
    const delays = events.flatMap((e) => (e.type === 'restarting' ? [e.delayMs] : []))
    expect(new Set(delays)).toEqual(new Set([30]))
  })

  it('stopAll stops every process and restarts none of them', async () => {
    const { s } = supervise({ initialDelayMs: 10 })
    await s.start(script('web', STAY_UP), 0)
    await s.start(script('worker', STAY_UP), 1)
    await until('both up', () => alive(runs('web')[0]) && alive(runs('worker')[0]))
    await s.stopAll()
    expect(alive(runs('web')[0])).toBe(false)
    expect(alive(runs('worker')[0])).toBe(false)
    await new Promise((r) => setTimeout(r, 200))
    expect(runs('web')).toHaveLength(1)
    expect(runs('worker')).toHaveLength(1)
  })

  it('supervises a service that is not a node process (the embedded database): restarts it when it ends', async () => {
    const { s, events } = supervise({ initialDelayMs: 20 })
    let starts = 0
    let endRun: (() => void) | undefined
    await s.add({
      name: 'database',
      start: async () => {
        starts++
        const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
          endRun = () => resolve({ code: null, signal: 'SIGKILL' })
        })
        return { exited, stop: async () => endRun?.() }
      },
    })
    endRun?.()
    await until('the second start', () => starts === 2)
    expect(
      events.some((e) => e.type === 'exited' && e.name === 'database' && e.exit.signal === 'SIGKILL'),
    ).toBe(true)
  })
})
