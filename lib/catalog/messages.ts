// What a submission's result says about the catalog pre-flight, for a toast. Imports nothing: browser and server.

/** " 3 sales held: their items are not in your Constructor catalog (see Needs attention)." or the check's absence */
export function catalogNote(r: { held?: number; catalogUnavailable?: string }): string {
  const parts: string[] = []
  if (r.held)
    parts.push(
      ` ${r.held.toLocaleString('en-US')} ${r.held === 1 ? 'sale was' : 'sales were'} held: ${r.held === 1 ? 'its' : 'their'} items are not in your Constructor catalog (see Needs attention).`,
    )
  if (r.catalogUnavailable) parts.push(` ${r.catalogUnavailable} Nothing was held for it.`)
  return parts.join('')
}
