import 'dotenv/config'
import { defineConfig } from 'prisma/config'

// DATABASE_URL is optional here: `prisma generate` needs none; the app and the migration runner
// resolve the database themselves (embedded PostgreSQL when DATABASE_URL is unset).
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost/unused' },
})
