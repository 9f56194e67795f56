import { runIngestBenchmark, runLanesBenchmark } from './ingest-run'

// npm run bench:ingest [-- --file sales.csv] [--line-items N --orders N --stores N | --mb 250] [--without-search-indexes]
//   [--heap-mb N: the worker's WORKER_HEAP_MB; WORKER_SEMI_SPACE_MB and UPLOAD_JOB_HEAP_MB are read from the environment]
//   [--no-floors: the product's path and its memory only] [--lanes]
//   [--commit-reads-file: the commit reads the file again, as before parse once (the check's kept events removed)]
const args = process.argv.slice(2)
const arg = (name: string) => {
  const i = args.indexOf(name)
  return i === -1 ? undefined : args[i + 1]
}

// --mb: a file of about that size (the generated rows average 91.5 bytes), four line items per order
const mb = arg('--mb')
const lineItems =
  mb === undefined ? Number(arg('--line-items') ?? 1_000_000) : Math.floor((Number(mb) * 1e6) / 91.5)
const options = {
  lineItems,
  orders: mb === undefined ? Number(arg('--orders') ?? 250_000) : Math.floor(lineItems / 4),
  stores: Number(arg('--stores') ?? 50),
  file: arg('--file'),
  withoutSearchIndexes: args.includes('--without-search-indexes'),
  heapMb: arg('--heap-mb') === undefined ? undefined : Number(arg('--heap-mb')),
  commitReadsFile: args.includes('--commit-reads-file'),
  say: (line: string) => process.stdout.write(`${line}\n`),
}
if (args.includes('--lanes')) await runLanesBenchmark(options)
else await runIngestBenchmark({ ...options, floors: !args.includes('--no-floors') })
process.exit(0)
