// npm run bench:submit — see scripts/bench/submit.ts. BENCH_EVENTS, BENCH_CONCURRENCY, BENCH_LATENCY_MS override.
import { runSubmitBenchmark } from './bench/submit'

const num = (v: string | undefined, d: number) => (v ? Number(v) : d)
await runSubmitBenchmark({
  events: num(process.env.BENCH_EVENTS, 250_000),
  concurrency: num(process.env.BENCH_CONCURRENCY, 16),
  latencyMs: num(process.env.BENCH_LATENCY_MS, 50),
  workerConcurrency: num(process.env.BENCH_WORKER_CONCURRENCY, 32),
  workers: num(process.env.BENCH_WORKERS, 1),
  say: (line) => process.stdout.write(`${line}\n`),
})
process.exit(0)
