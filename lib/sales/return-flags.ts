// Warnings about a return and its purchase, shown on the sale and filterable in the Sales table. They never block
// sending: Constructor accepts a return without a purchase, and the till may be right about what came back.
// Imports nothing, so the table's filter (browser) and the queries (server) share the same names.

export const RETURN_FLAGS = ['no-purchase', 'over-returned'] as const
export type ReturnFlag = (typeof RETURN_FLAGS)[number]

export const RETURN_FLAG_INFO: Record<ReturnFlag, { label: string; help: string }> = {
  'no-purchase': {
    label: 'Return without a purchase',
    help: 'No purchase with this order number is stored for this store. Upload the purchase, or check the order number. The return is still sent.',
  },
  'over-returned': {
    label: 'More returned than bought',
    help: 'An item comes back in larger numbers than the purchase lists. Check the quantities on the return and the purchase. The return is still sent.',
  },
}

export function isReturnFlag(v: string | null | undefined): v is ReturnFlag {
  return (RETURN_FLAGS as readonly string[]).includes(v ?? '')
}
