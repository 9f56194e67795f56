import { runIngestBenchmark } from './ingest-run'

// npm run bench:ingest [-- --file sales.csv] [--line-items N --orders N --stores N] [--without-search-indexes] [--heap-mb 256]
const args = process.argv.slice(2)
const arg = (name: string) => {
  const i = args.indexOf(name)
  return i === -1 ? undefined : args[i + 1]
}

await runIngestBenchmark({
  lineItems: Number(arg('--line-items') ?? 1_000_000),
  orders: Number(arg('--orders') ?? 250_000),
  stores: Number(arg('--stores') ?? 50),
  file: arg('--file'),
  withoutSearchIndexes: args.includes('--without-search-indexes'),
  heapMb: arg('--heap-mb') === undefined ? undefined : Number(arg('--heap-mb')),
  say: (line) => process.stdout.write(`${line}\n`),
})
process.exit(0)
