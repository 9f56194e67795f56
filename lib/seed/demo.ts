import { encryptSecret, secretHint } from '@/lib/crypto/secret-box'
import type { PrismaClient } from '@/lib/generated/prisma/client'
import { Prisma } from '@/lib/generated/prisma/client'
import { hashPassword } from '@/lib/users/password'

// Demo data for `npm start`: idempotent (safe on every start), deterministic (same seed, same sales).
export const DEMO_STORES = [
  {
    code: 'NYC-001',
    name: 'New York — SoHo',
    latitude: '40.7233',
    longitude: '-74.0030',
    timeZone: 'America/New_York',
    currency: 'USD',
    locale: 'en-US',
  },
  {
    code: 'BER-001',
    name: 'Berlin — Mitte',
    latitude: '52.5200',
    longitude: '13.4050',
    timeZone: 'Europe/Berlin',
    currency: 'EUR',
    locale: 'de-DE',
  },
  {
    code: 'SYD-001',
    name: 'Sydney — CBD',
    latitude: '-33.8688',
    longitude: '151.2093',
    timeZone: 'Australia/Sydney',
    currency: 'AUD',
    locale: 'en-AU',
  },
] as const

export const DEMO_USERS = [
  {
    email: 'admin@demo.store',
    name: 'Avery Admin',
    role: 'ADMIN',
    password: 'demo-admin-password',
    stores: [],
  },
  {
    email: 'nyc.manager@demo.store',
    name: 'Nora NYC',
    role: 'MANAGER',
    password: 'demo-manager-password',
    stores: ['NYC-001'],
  },
  {
    email: 'berlin.manager@demo.store',
    name: 'Ben Berlin',
    role: 'MANAGER',
    password: 'demo-manager-password',
    stores: ['BER-001'],
  },
] as const

const CATALOG = [
  { itemId: 'SKU-TEE-BLK', itemName: 'Classic tee, black', price: '19.99' },
  { itemId: 'SKU-TEE-WHT', itemName: 'Classic tee, white', price: '19.99' },
  { itemId: 'SKU-HOOD-GRY', itemName: 'Hoodie, grey', price: '54.00' },
  { itemId: 'SKU-CAP-NVY', itemName: 'Cap, navy', price: '17.99' },
  { itemId: 'SKU-SOCK-3P', itemName: 'Socks, 3 pack', price: '12.50' },
  { itemId: 'SKU-JEAN-32', itemName: 'Slim jeans', price: '79.00' },
] as const

function mulberry32(seed: number) {
  let a = seed
  return () => {
    a |= 0
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export type SeedOptions = {
  sandboxUrl: string
  sandboxToken: string
  encryptionKey?: string
  apiKey?: string
  now?: Date
  days?: number
}

export async function seedDemo(db: PrismaClient, opts: SeedOptions) {
  const stores = []
  for (const s of DEMO_STORES) {
    stores.push(await db.store.upsert({ where: { code: s.code }, update: {}, create: { ...s } }))
  }
  for (const u of DEMO_USERS) {
    const existing = await db.user.findUnique({ where: { email: u.email } })
    if (existing) continue
    await db.user.create({
      data: {
        email: u.email,
        name: u.name,
        role: u.role,
        passwordHash: await hashPassword(u.password),
        memberships: { create: u.stores.map((code) => ({ store: { connect: { code } } })) },
      },
    })
  }
  if ((await db.constructorConnection.count()) === 0) {
    await db.constructorConnection.create({
      data: {
        name: 'Constructor (sandbox)',
        baseUrl: opts.sandboxUrl,
        apiKey: opts.apiKey ?? 'demo-index-key',
        section: 'Products',
        tokenCiphertext: encryptSecret(opts.sandboxToken, opts.encryptionKey),
        tokenHint: secretHint(opts.sandboxToken),
      },
    })
  }
  const admin = await db.user.findUniqueOrThrow({ where: { email: DEMO_USERS[0].email } })
  if ((await db.saleEvent.count({ where: { orderId: { startsWith: 'DEMO-' } } })) > 0) return { created: 0 }

  const rnd = mulberry32(20261127)
  const now = opts.now ?? new Date()
  const days = opts.days ?? 7
  let created = 0
  for (const store of stores) {
    for (let d = days; d >= 1; d--) {
      const orders = 6 + Math.floor(rnd() * 6)
      for (let o = 0; o < orders; o++) {
        // spread over the store's opening hours, roughly 9:00–20:00 local
        const occurredAt = new Date(now.getTime() - d * 86_400_000 + Math.floor(rnd() * 11 * 3_600_000))
        const lines = 1 + Math.floor(rnd() * 3)
        const items = Array.from({ length: lines }, (_, i) => {
          const product = CATALOG[Math.floor(rnd() * CATALOG.length)] ?? CATALOG[0]
          return {
            lineNumber: i + 1,
            itemId: product.itemId,
            itemName: product.itemName,
            unitPrice: product.price as string | null,
            quantity: 1 + Math.floor(rnd() * 3),
          }
        })
        // about one order in twelve has a problem a manager must fix
        const broken = rnd() < 0.08
        if (broken && items[0]) items[0].unitPrice = null
        const isReturn = !broken && rnd() < 0.07
        const total = items.reduce(
          (sum, it) => sum.add(new Prisma.Decimal(it.unitPrice ?? 0).mul(it.quantity)),
          new Prisma.Decimal(0),
        )
        await db.saleEvent.create({
          data: {
            kind: isReturn ? 'RETURN' : 'PURCHASE',
            storeId: store.id,
            orderId: `DEMO-${store.code}-${d}-${o + 1}`,
            occurredAt,
            customerId: rnd() < 0.5 ? `cust-${1000 + Math.floor(rnd() * 500)}` : null,
            status: broken ? 'INVALID' : 'READY',
            issues: broken
              ? [
                  {
                    field: 'lineItems.0.unitPrice',
                    message: 'Price is missing: enter the unit price for line 1',
                  },
                ]
              : [],
            itemCount: items.length,
            itemsTotal: total,
            returnReason: isReturn ? 'Wrong size' : null,
            createdById: admin.id,
            lineItems: {
              create: items.map((it) => ({
                ...it,
                role: isReturn ? ('RETURNED' as const) : ('PURCHASED' as const),
              })),
            },
          },
        })
        created++
      }
    }
  }
  return { created }
}
