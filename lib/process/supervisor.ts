import { type ChildProcess, spawn } from 'node:child_process'
import readline from 'node:readline'

// Runs the product's processes side by side, prefixes their output, and stops them all together.
export type ProcessSpec = { name: string; args: string[]; env?: Record<string, string | undefined> }

const COLORS = ['\x1b[35m', '\x1b[33m', '\x1b[32m', '\x1b[34m', '\x1b[36m']

export class Supervisor {
  private children = new Map<string, ChildProcess>()
  private stopping = false
  onUnexpectedExit: (name: string, code: number | null) => void = () => {}

  start(spec: ProcessSpec, index: number) {
    const child = spawn(process.execPath, ['--import', './scripts/lib/parent-watchdog.mjs', ...spec.args], {
      env: { ...process.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const color = COLORS[index % COLORS.length]
    const prefix = `${color}${spec.name.padEnd(8)}\x1b[0m│ `
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue
      readline
        .createInterface({ input: stream })
        .on('line', (line) => process.stdout.write(`${prefix + line}\n`))
    }
    child.on('exit', (code) => {
      this.children.delete(spec.name)
      if (!this.stopping) this.onUnexpectedExit(spec.name, code)
    })
    this.children.set(spec.name, child)
    return child
  }

  async stopAll(timeoutMs = 10_000) {
    this.stopping = true
    const waits = [...this.children.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve()
          const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
          child.once('exit', () => {
            clearTimeout(timer)
            resolve()
          })
          child.kill('SIGTERM')
        }),
    )
    await Promise.all(waits)
  }
}
