'use client'

import {
  Activity,
  CircleAlert,
  FlaskConical,
  History,
  Layers,
  LayoutDashboard,
  Receipt,
  Settings,
  Upload,
} from 'lucide-react'
import Link from 'next/link'
import { usePathname } from 'next/navigation'
import { cn } from '@/lib/utils/cn'

const items = [
  { href: '/', label: 'Overview', icon: LayoutDashboard },
  { href: '/failures', label: 'Needs attention', icon: CircleAlert },
  { href: '/sales', label: 'Sales', icon: Receipt },
  { href: '/uploads', label: 'Uploads', icon: Upload },
  { href: '/batches', label: 'Batches', icon: Layers },
  { href: '/audit', label: 'Audit trail', icon: History },
  { href: '/operations', label: 'Operations', icon: Activity, adminOnly: true },
  { href: '/settings', label: 'Settings', icon: Settings, adminOnly: true },
  { href: '/sandbox', label: 'Sandbox', icon: FlaskConical, adminOnly: true },
] as const

// Operations, Settings and Sandbox are for admins; the pages check the role themselves, the link only avoids a dead end.
export function SidebarNav({
  extra = [],
  showSettings = false,
}: {
  extra?: { href: string; label: string }[]
  showSettings?: boolean
}) {
  const pathname = usePathname()
  const isActive = (href: string) => (href === '/' ? pathname === '/' : pathname.startsWith(href))
  return (
    <nav aria-label="Main" className="flex flex-col gap-1">
      {items
        .filter((item) => showSettings || !('adminOnly' in item))
        .map(({ href, label, icon: Icon }) => (
          <Link
            key={href}
            href={href}
            aria-current={isActive(href) ? 'page' : undefined}
            className={cn(
              'flex items-center gap-2 rounded-md px-3 py-2 text-sm text-slate-300 hover:bg-slate-800 hover:text-white',
              isActive(href) && 'bg-slate-800 text-white',
            )}
          >
            <Icon className="size-4" aria-hidden />
            {label}
          </Link>
        ))}
      {extra.map(({ href, label }) => (
        <Link
          key={href}
          href={href}
          aria-current={isActive(href) ? 'page' : undefined}
          className={cn(
            'flex items-center gap-2 rounded-md px-3 py-2 pl-9 text-sm text-slate-300 hover:bg-slate-800 hover:text-white',
            isActive(href) && 'bg-slate-800 text-white',
          )}
        >
          {label}
        </Link>
      ))}
    </nav>
  )
}
