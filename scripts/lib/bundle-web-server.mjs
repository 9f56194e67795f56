// Plain Node: bundles the web app's server (scripts/web-server.ts) into the build folder as .next/web-server.mjs, so
// the web process runs plain JavaScript rather than TypeScript through tsx, whose loader the web process would carry
// (docs/performance.md). Run by `next build` (next.config.js). Only our own code is bundled: packages stay in
// node_modules and are loaded at run time, as before.
import path from 'node:path'
import { build } from 'esbuild'

/** the file's name in the build folder; lib/process/web-process.ts starts it */
export const WEB_SERVER_BUNDLE = 'web-server.mjs'

export async function bundleWebServer({ projectDir, distDir }) {
  const outfile = path.resolve(projectDir, distDir, WEB_SERVER_BUNDLE)
  await build({
    absWorkingDir: projectDir,
    entryPoints: ['scripts/web-server.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // node_modules are required at run time; tsconfig.json gives the @/ path alias
    packages: 'external',
    tsconfig: path.join(projectDir, 'tsconfig.json'),
    // server-only's guard is for Next's client bundles: on the server it is the empty module, as Next maps it
    alias: { 'server-only': './node_modules/server-only/empty.js' },
    logLevel: 'warning',
  })
  return outfile
}
