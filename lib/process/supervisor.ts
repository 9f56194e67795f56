import { type ChildProcess, spawn } from 'node:child_process'
import readline from 'node:readline'

// The single-machine supervisor behind `npm start`: runs the product's services side by side, prefixes their
// output, restarts one that stops with exponential back-off, and gives up (saying why) only when restarts keep
// failing. In production a process manager (systemd, Kubernetes) does this job instead: see docs/operations.md.

export type ProcessSpec = { name: string; args: string[]; env?: Record<string, string | undefined> }

export type Exit = { code: number | null; signal: NodeJS.Signals | null }

/** one run of a service: it ends when `exited` resolves; `stop` ends it on purpose */
export type Running = { pid?: number; exited: Promise<Exit>; stop: () => Promise<void> }

export type Service = {
  name: string
  /** resolves once the service is up (a rejection counts as a failed run) */
  start: () => Promise<Running>
  /** the service's last lines of output, quoted when the supervisor gives up on it */
  lastOutput?: () => string[]
}

export type RestartPolicy = {
  /** wait before the first restart; doubled for each further quick failure */
  initialDelayMs: number
  maxDelayMs: number
  /** a run that lasted this long was healthy: the back-off starts again from the beginning */
  healthyAfterMs: number
  /** give up after this many runs in a row that failed to start or ended before `healthyAfterMs` */
  maxQuickFailures: number
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  healthyAfterMs: 10_000,
  maxQuickFailures: 8,
}

export type SupervisorEvent =
  | { type: 'started'; name: string; pid?: number; restarts: number }
  | { type: 'exited'; name: string; exit: Exit; uptimeMs: number }
  | { type: 'restarting'; name: string; delayMs: number; attempt: number; reason: string }
  | { type: 'start-failed'; name: string; error: string }
  | { type: 'gave-up'; name: string; reason: string }

export function describeExit(exit: Exit) {
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`
}

/** the back-off before the restart that follows `quickFailures` quick failures in a row (1, 2, …) */
export function restartDelay(policy: RestartPolicy, quickFailures: number) {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, quickFailures - 1))
}

type Slot = {
  service: Service
  running?: Running
  startedAt: number
  quickFailures: number
  restarts: number
  timer?: NodeJS.Timeout
  /** a restart under way: stopAll waits for it, then stops what it started */
  pending?: Promise<void>
}

export class Supervisor {
  private slots = new Map<string, Slot>()
  private stopping = false
  private readonly policy: RestartPolicy
  /** called once when a service keeps failing: the caller stops everything and exits */
  onGiveUp: (name: string, reason: string) => void = () => {}
  /** every start, exit and restart, for the log (and tests) */
  onEvent: (event: SupervisorEvent) => void = () => {}

  constructor(policy: Partial<RestartPolicy> = {}) {
    this.policy = { ...DEFAULT_RESTART_POLICY, ...policy }
  }

  /** Starts a service and keeps it running; rejects when its first start fails (a start-up error, not a crash). */
  async add(service: Service) {
    if (this.slots.has(service.name)) throw new Error(`${service.name} is supervised already`)
    const slot: Slot = { service, startedAt: Date.now(), quickFailures: 0, restarts: 0 }
    this.slots.set(service.name, slot)
    try {
      this.watch(slot, await service.start())
    } catch (e) {
      this.slots.delete(service.name)
      throw e
    }
  }

  /** Starts a node child process (web, worker, sandbox) under supervision. */
  start(spec: ProcessSpec, index: number) {
    return this.add(childService(spec, index))
  }

  pid(name: string) {
    return this.slots.get(name)?.running?.pid
  }

  restarts(name: string) {
    return this.slots.get(name)?.restarts ?? 0
  }

  private watch(slot: Slot, running: Running) {
    slot.running = running
    slot.startedAt = Date.now()
    this.onEvent({ type: 'started', name: slot.service.name, pid: running.pid, restarts: slot.restarts })
    void running.exited.then((exit) => {
      if (slot.running !== running) return
      slot.running = undefined
      if (this.stopping) return
      const uptimeMs = Date.now() - slot.startedAt
      this.onEvent({ type: 'exited', name: slot.service.name, exit, uptimeMs })
      this.failed(slot, `stopped (${describeExit(exit)}) after ${formatDuration(uptimeMs)}`, uptimeMs)
    })
  }

  private failed(slot: Slot, what: string, uptimeMs: number) {
    const { name } = slot.service
    slot.quickFailures = uptimeMs >= this.policy.healthyAfterMs ? 1 : slot.quickFailures + 1
    if (slot.quickFailures > this.policy.maxQuickFailures) {
      const output = slot.service.lastOutput?.() ?? []
      const reason = [
        `The ${name} ${what}, and it failed ${slot.quickFailures} times in a row, each time within ${formatDuration(
          this.policy.healthyAfterMs,
        )} of starting: restarting it again would not help.`,
        ...(output.length ? [`Its last output:`, ...output.map((l) => `  ${l}`)] : []),
      ].join('\n')
      this.onEvent({ type: 'gave-up', name, reason })
      this.onGiveUp(name, reason)
      return
    }
    const delayMs = restartDelay(this.policy, slot.quickFailures)
    this.onEvent({ type: 'restarting', name, delayMs, attempt: slot.quickFailures, reason: what })
    slot.timer = setTimeout(() => {
      slot.timer = undefined
      if (this.stopping) return
      slot.restarts++
      slot.startedAt = Date.now()
      slot.pending = slot.service.start().then(
        (running) => {
          slot.pending = undefined
          if (this.stopping) return running.stop()
          this.watch(slot, running)
        },
        (e: unknown) => {
          slot.pending = undefined
          if (this.stopping) return
          const error = (e as Error)?.message ?? String(e)
          this.onEvent({ type: 'start-failed', name, error })
          this.failed(slot, `did not start (${error})`, 0)
        },
      )
    }, delayMs)
  }

  /** Stops every service, the last added first (so the database, added first, stops last). */
  async stopAll() {
    this.stopping = true
    for (const slot of this.slots.values()) if (slot.timer) clearTimeout(slot.timer)
    for (const slot of [...this.slots.values()].reverse()) {
      await slot.pending?.catch(() => {})
      await slot.running?.stop().catch(() => {})
    }
  }
}

const COLORS = ['\x1b[35m', '\x1b[33m', '\x1b[32m', '\x1b[34m', '\x1b[36m']

/** a node child process, preloaded with the watchdog that ends it when the supervisor is gone */
export function childService(spec: ProcessSpec, index: number, stopTimeoutMs = 10_000): Service {
  const tail: string[] = []
  const prefix = `${COLORS[index % COLORS.length]}${spec.name.padEnd(8)}\x1b[0m│ `
  return {
    name: spec.name,
    lastOutput: () => [...tail],
    async start() {
      const child = spawn(process.execPath, ['--import', './scripts/lib/parent-watchdog.mjs', ...spec.args], {
        env: { ...process.env, ...spec.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      for (const stream of [child.stdout, child.stderr]) {
        if (!stream) continue
        readline.createInterface({ input: stream }).on('line', (line) => {
          tail.push(line)
          if (tail.length > 10) tail.shift()
          process.stdout.write(`${prefix + line}\n`)
        })
      }
      const exited = new Promise<Exit>((resolve) =>
        child.once('exit', (code, signal) => resolve({ code, signal })),
      )
      // a binary that cannot be spawned at all reports through 'error' (and then 'exit' may never come)
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve)
        child.once('error', reject)
      })
      return { pid: child.pid, exited, stop: () => stopChild(child, exited, stopTimeoutMs) }
    },
  }
}

async function stopChild(child: ChildProcess, exited: Promise<Exit>, timeoutMs: number) {
  if (child.exitCode !== null || child.signalCode !== null) return
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  child.kill('SIGTERM')
  await exited
  clearTimeout(timer)
}

export function formatDuration(ms: number) {
  if (ms < 1_000) return `${ms} ms`
  if (ms < 120_000) return `${Math.round(ms / 1_000)} s`
  return `${Math.round(ms / 60_000)} min`
}
