// `npm run chaos`: kills the supervised worker mid-request and the embedded database while sending, under the
// product's own supervisor, and checks that nothing was lost (logic: scripts/chaos/run.ts). CHAOS_EVENTS,
// CHAOS_WORKER_KILLS and CHAOS_DATABASE_KILLS override the defaults. The figures go to docs/operations.md.
import { runChaos } from './chaos/run'

const num = (v: string | undefined, d: number) => (v ? Number(v) : d)
const say = (line: string) => process.stdout.write(`${line}\n`)
try {
  const report = await runChaos({
    events: num(process.env.CHAOS_EVENTS, 60_000),
    workerKills: num(process.env.CHAOS_WORKER_KILLS, 20),
    databaseKills: num(process.env.CHAOS_DATABASE_KILLS, 2),
    say,
  })
  say(JSON.stringify(report, null, 2))
  say(report.passed ? '✔ chaos: passed' : `✖ chaos: ${report.problems.join('; ')}`)
  process.exit(report.passed ? 0 : 1)
} catch (e) {
  say(`✖ chaos: ${(e as Error).message}`)
  process.exit(1)
}
