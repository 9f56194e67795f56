import { ingestInChild, runIngestBenchmark } from '@/lib/uploads/bench'

// npm run bench:ingest [-- --file sales.csv] [--line-items N --orders N --stores N] [--without-search-indexes] [--heap-mb 256]: logic in lib/uploads/bench.ts
const args = process.argv.slice(2)
const arg = (name: string) => {
  const i = args.indexOf(name)
  return i === -1 ? undefined : args[i + 1]
}

if (args[0] === '--child') {
  const figures = await ingestInChild(args[1] as string)
  process.stdout.write(`${JSON.stringify(figures)}\n`)
  process.exit(0)
} else {
  await runIngestBenchmark({
    lineItems: Number(arg('--line-items') ?? 1_000_000),
    orders: Number(arg('--orders') ?? 250_000),
    stores: Number(arg('--stores') ?? 50),
    file: arg('--file'),
    withoutSearchIndexes: args.includes('--without-search-indexes'),
    heapMb: arg('--heap-mb') === undefined ? undefined : Number(arg('--heap-mb')),
    script: import.meta.filename,
    say: (line) => process.stdout.write(`${line}\n`),
  })
  process.exit(0)
}
