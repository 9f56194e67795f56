// What an upload's page offers once its rows are checked; pure, so the page and its tests agree.
type CheckedFile = { counts: { events: number }; sameFileAs: unknown }

/** the store button and its words, or nothing to store when no row became a sale */
export function commitChoice(preview: CheckedFile): { canStore: boolean; label: string | null } {
  if (preview.sameFileAs) return { canStore: true, label: 'Mark as already stored' }
  const n = preview.counts.events
  if (n === 0) return { canStore: false, label: null }
  return { canStore: true, label: `Store ${n.toLocaleString('en-US')} ${n === 1 ? 'sale' : 'sales'}` }
}
