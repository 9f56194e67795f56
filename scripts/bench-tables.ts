// npm run bench:tables — see scripts/bench/tables.ts. BENCH_EVENTS and BENCH_RUNS override the defaults.
import { register } from 'node:module'

// the queries are server-only; outside Next the marker package must resolve to its empty module
register(
  `data:text/javascript,${encodeURIComponent(
    `export function resolve(s, c, next) { return next(s, s === 'server-only' ? { ...c, conditions: [...c.conditions, 'react-server'] } : c) }`,
  )}`,
  import.meta.url,
)
const { runTablesBenchmark } = await import('./bench/tables')
const num = (v: string | undefined, d: number) => (v ? Number(v) : d)
const result = await runTablesBenchmark({
  events: num(process.env.BENCH_EVENTS, 1_000_000),
  runs: num(process.env.BENCH_RUNS, 15),
  say: (line) => process.stdout.write(`${line}\n`),
})
process.exit(result.ok ? 0 : 1)
