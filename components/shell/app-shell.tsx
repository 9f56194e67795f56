import { SidebarNav } from '@/components/shell/sidebar-nav'

export type ShellUser = { name: string; email: string; role: 'ADMIN' | 'MANAGER' }

export function AppShell({
  user,
  userMenu,
  headerStart,
  banner,
  navExtra,
  children,
}: {
  user: ShellUser | null
  userMenu?: React.ReactNode
  headerStart?: React.ReactNode
  banner?: React.ReactNode
  navExtra?: { href: string; label: string }[]
  children: React.ReactNode
}) {
  return (
    <div className="flex min-h-screen">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2"
      >
        Skip to content
      </a>
      <aside className="hidden w-56 shrink-0 flex-col gap-6 bg-slate-900 p-4 md:flex">
        <div className="px-3 text-base font-semibold text-white">Storefront Sync</div>
        <SidebarNav extra={navExtra} showSettings={user?.role === 'ADMIN'} />
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-14 items-center justify-between gap-4 border-b px-6">
          <div className="flex items-center gap-3">
            <div className="text-sm text-muted-foreground md:hidden">Storefront Sync</div>
            {headerStart}
          </div>
          <div className="ml-auto flex items-center gap-3 text-sm">
            {user ? (
              <div className="text-right leading-tight">
                <div className="font-medium" data-testid="current-user">
                  {user.name}
                </div>
                <div className="text-xs text-muted-foreground">
                  {user.email} · {user.role === 'ADMIN' ? 'Admin' : 'Store manager'}
                </div>
              </div>
            ) : null}
            {userMenu}
          </div>
        </header>
        {banner}
        <main id="main" className="flex-1 p-6">
          {children}
        </main>
      </div>
    </div>
  )
}

export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string
  description?: string
  actions?: React.ReactNode
}) {
  return (
    <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
        {description ? <p className="mt-1 text-sm text-muted-foreground">{description}</p> : null}
      </div>
      {actions ? <div className="flex gap-2">{actions}</div> : null}
    </div>
  )
}

export function EmptyState({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <div className="flex flex-col items-center justify-center gap-2 rounded-lg border border-dashed p-10 text-center">
      <p className="font-medium">{title}</p>
      {children ? <div className="max-w-md text-sm text-muted-foreground">{children}</div> : null}
    </div>
  )
}
