// Display helpers: times in the store's zone, amounts in the store's currency and locale.

export function formatInZone(date: Date | null | undefined, timeZone: string, locale = 'en-US') {
  if (!date) return '—'
  return new Intl.DateTimeFormat(locale, {
    timeZone,
    year: 'numeric',
    month: 'short',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(date)
}

export function formatUtc(date: Date | null | undefined) {
  return date ? `${date.toISOString().replace('T', ' ').slice(0, 19)} UTC` : ''
}

export function formatMoney(
  amount: { toString(): string } | number | null | undefined,
  currency = 'USD',
  locale = 'en-US',
) {
  if (amount === null || amount === undefined) return '—'
  const n = typeof amount === 'number' ? amount : Number(amount.toString())
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(n)
}

export function formatCount(n: number, locale = 'en-US') {
  return new Intl.NumberFormat(locale).format(n)
}

export function formatDuration(ms: number) {
  if (ms < 1000) return `${ms} ms`
  const s = Math.round(ms / 1000)
  if (s < 90) return `${s} s`
  const m = Math.round(s / 60)
  if (m < 90) return `${m} min`
  const h = Math.round(m / 60)
  if (h < 48) return `${h} h`
  return `${Math.round(h / 24)} days`
}
