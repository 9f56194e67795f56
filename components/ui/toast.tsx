'use client'

import { Toaster as Sonner, toast } from 'sonner'

// Toasts are announced to screen readers by sonner's live region.
export function Toaster() {
  return <Sonner position="bottom-right" richColors closeButton duration={5000} />
}

export { toast }
