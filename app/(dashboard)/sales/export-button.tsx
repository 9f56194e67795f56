'use client'

import { Download, Loader2 } from 'lucide-react'
import { useState } from 'react'
import { Button, type ButtonProps } from '@/components/ui/button'
import { toast } from '@/components/ui/toast'

const FAILED = 'The export could not be made. Try again; if it keeps failing, tell your administrator.'

/** the file name the server chose (Content-Disposition), else a plain one */
function fileNameOf(res: Response) {
  const match = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')
  return match?.[1] ?? 'sales.csv'
}

/** the server's message for the person ({ error }), never its raw JSON */
async function errorOf(res: Response) {
  const body = (await res.json().catch(() => null)) as { error?: unknown } | null
  return typeof body?.error === 'string' ? body.error : FAILED
}

// Downloads an export (GET with the table's filters, or POST with selected ids) and shows a refusal or a failure
// as a readable message instead of letting the browser open the route's JSON answer.
export function ExportButton({
  href,
  ids,
  children,
  ...props
}: Omit<ButtonProps, 'onClick' | 'asChild'> & { href: string; ids?: readonly string[] }) {
  const [busy, setBusy] = useState(false)
  async function download() {
    setBusy(true)
    try {
      let body: FormData | undefined
      if (ids) {
        body = new FormData()
        for (const id of ids) body.append('ids', id)
      }
      const res = await fetch(href, { method: ids ? 'POST' : 'GET', body, credentials: 'same-origin' })
      if (!res.ok) {
        toast.error(await errorOf(res))
        return
      }
      const url = URL.createObjectURL(await res.blob())
      const a = document.createElement('a')
      a.href = url
      a.download = fileNameOf(res)
      document.body.append(a)
      a.click()
      a.remove()
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
    } catch {
      toast.error(FAILED)
    } finally {
      setBusy(false)
    }
  }
  return (
    <Button {...props} disabled={busy || props.disabled} aria-busy={busy} onClick={download}>
      {busy ? <Loader2 aria-hidden className="animate-spin" /> : <Download aria-hidden />}
      {children}
    </Button>
  )
}
