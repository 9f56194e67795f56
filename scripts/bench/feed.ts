import { runFeedBenchmark } from './feed-run'

// npm run bench:feed [-- --clients 50 --requests 10 --sales 100]
const args = process.argv.slice(2)
const arg = (name: string) => {
  const i = args.indexOf(name)
  return i === -1 ? undefined : args[i + 1]
}

await runFeedBenchmark({
  clients: Number(arg('--clients') ?? 50),
  requestsPerClient: Number(arg('--requests') ?? 10),
  salesPerRequest: Number(arg('--sales') ?? 100),
  say: (line) => process.stdout.write(`${line}\n`),
})
process.exit(0)
