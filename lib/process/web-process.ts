import fs from 'node:fs'
import path from 'node:path'

// How a web process is started, in one place: `npm start` (scripts/run-product.ts), the end-to-end tests that start
// their own instances (e2e/multi-instance.spec.ts) and bench:ingest run the same thing. Measured in
// docs/performance.md ("The web process's memory"); why each flag, in docs/operations.md.

/** scripts/web-server.ts bundled by `next build` (scripts/lib/bundle-web-server.mjs names it the same) */
export const WEB_SERVER_BUNDLE = 'web-server.mjs'

export type WebProcess = {
  /** node's arguments: flags, then the script */
  args: string[]
  /** added to the process's environment, under its own variables (PORT, DATABASE_URL, …) */
  env: Record<string, string>
}

/** the built web server; distDir as next.config.js reads it (NEXT_DIST_DIR) */
export function webServerBundle(root = process.cwd(), distDir = process.env.NEXT_DIST_DIR || '.next') {
  return path.resolve(root, distDir, WEB_SERVER_BUNDLE)
}

/** node's arguments and environment for one web process; throws, saying what to run, when the build is missing */
export function webProcess(opts: { root?: string; distDir?: string } = {}): WebProcess {
  const bundle = webServerBundle(opts.root, opts.distDir)
  if (!fs.existsSync(bundle))
    throw new Error(
      `The web app is not built: ${path.relative(process.cwd(), bundle)} is missing. Run \`npm run build\` (or \`npx next build\`) first.`,
    )
  return {
    args: [
      // a young generation of 4 MB semi-spaces rather than V8's 16: more frequent, shorter scavenges, less memory
      '--max-semi-space-size=4',
      // Prisma 7's query compiler is WebAssembly: left in its first tier, V8 does not compile it a second time
      '--wasm-tiering-budget=1000000000',
      bundle,
    ],
    env: {
      NODE_ENV: 'production',
      // glibc's malloc: two arenas rather than eight per core, and large blocks mapped (and returned) on their own
      MALLOC_ARENA_MAX: '2',
      MALLOC_MMAP_THRESHOLD_: '131072',
    },
  }
}
