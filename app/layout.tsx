import type { Metadata } from 'next'
import { connection } from 'next/server'
import { Toaster } from '@/components/ui/toast'
import './globals.css'

export const metadata: Metadata = {
  title: { default: 'Storefront Sync', template: '%s · Storefront Sync' },
  description: 'Get in-store sales into Constructor',
}

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // every page is rendered per request: Next puts the request's CSP nonce (proxy.ts) on its scripts only then
  await connection()
  return (
    <html lang="en">
      <body className="min-h-screen antialiased">
        {children}
        <Toaster />
      </body>
    </html>
  )
}
