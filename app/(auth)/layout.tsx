import { connection } from 'next/server'

export default async function AuthLayout({ children }: { children: React.ReactNode }) {
  await connection()
  return (
    <main id="main" className="flex min-h-screen items-center justify-center bg-muted p-4">
      <div className="w-full max-w-sm rounded-lg border bg-card p-6 shadow-sm">
        <p className="mb-4 text-sm font-semibold text-primary">Storefront Sync</p>
        {children}
      </div>
    </main>
  )
}
