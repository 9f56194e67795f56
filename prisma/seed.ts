import { createPrismaClient } from '@/lib/db'
import { seedDemo } from '@/lib/seed/demo'

// `npm run db:seed`: the demo data against DATABASE_URL (npm start runs the same seed itself).
const db = createPrismaClient()
const result = await seedDemo(db, {
  sandboxUrl: process.env.SANDBOX_URL ?? 'http://127.0.0.1:4010',
  sandboxToken: process.env.SANDBOX_TOKEN ?? 'sandbox-demo-token',
})
console.log(`seeded demo data (${result.created} new sale events)`)
await db.$disconnect()
