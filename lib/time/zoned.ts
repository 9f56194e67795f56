// Wall-clock time in an IANA time zone → UTC instant, with Intl only (no time zone library).

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
// Real-world offset changes happen on quarter hours of UTC, so one offset per quarter hour is exact.
const BUCKET = 15 * MINUTE
const BLOCK = 6 * HOUR
const MAX_CACHED_BUCKETS = 200_000

const formatters = new Map<string, Intl.DateTimeFormat>()
const offsetCaches = new Map<string, ZoneCache>()
const validity = new Map<string, boolean>()

const FIXED_OFFSET = /^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/i

/** How a wall-clock time was placed: as is, moved forward out of a DST gap, or the earlier of two. */
export type WallTimeResolution = 'exact' | 'gap' | 'overlap'

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    })
    formatters.set(timeZone, f)
  }
  return f
}

/** A fixed offset written "+05:30", "UTC-5", "GMT+01:00", in ms; null when not one. */
export function parseFixedOffset(value: string): number | null {
  if (value === 'UTC' || value === 'GMT' || value === 'Z') return 0
  const m = FIXED_OFFSET.exec(value)
  if (m === null) return null
  const hours = Number(m[2])
  const minutes = m[3] === undefined ? 0 : Number(m[3])
  if (hours > 14 || minutes > 59) return null
  return (m[1] === '-' ? -1 : 1) * (hours * HOUR + minutes * MINUTE)
}

/** True when Intl knows the zone (IANA name) or it is a fixed offset. */
export function isValidTimeZone(timeZone: string): boolean {
  let ok = validity.get(timeZone)
  if (ok === undefined) {
    ok = parseFixedOffset(timeZone) !== null
    if (!ok) {
      try {
        formatterFor(timeZone)
        ok = true
      } catch {
        ok = false
      }
    }
    validity.set(timeZone, ok)
  }
  return ok
}

function computeOffset(timeZone: string, utcMs: number): number {
  let year = 0
  let month = 1
  let day = 1
  let hour = 0
  let minute = 0
  let second = 0
  let bc = false
  for (const part of formatterFor(timeZone).formatToParts(utcMs)) {
    switch (part.type) {
      case 'year':
        year = Number(part.value)
        break
      case 'month':
        month = Number(part.value)
        break
      case 'day':
        day = Number(part.value)
        break
      case 'hour':
        hour = Number(part.value)
        break
      case 'minute':
        minute = Number(part.value)
        break
      case 'second':
        second = Number(part.value)
        break
      case 'era':
        bc = part.value.startsWith('B')
        break
    }
  }
  const wall = Date.UTC(bc ? 1 - year : year, month - 1, day, hour, minute, second)
  return wall - (utcMs - (((utcMs % 1000) + 1000) % 1000))
}

interface ZoneCache {
  /** the offset of a fixed-offset zone ("+05:30"), else null */
  fixed: number | null
  /** offset per 6-hour block, or NaN when it changes inside the block */
  blocks: Map<number, number>
  /** offset per quarter hour, only inside blocks with a change */
  buckets: Map<number, number>
}

/** The zone's UTC offset in ms at an instant (positive east of Greenwich). */
export function timeZoneOffset(timeZone: string, utcMs: number): number {
  let cache = offsetCaches.get(timeZone)
  if (cache === undefined) {
    cache = { fixed: parseFixedOffset(timeZone), blocks: new Map(), buckets: new Map() }
    offsetCaches.set(timeZone, cache)
  }
  if (cache.fixed !== null) return cache.fixed
  // zones change offset at most twice a year, so most 6-hour blocks have one offset throughout
  const block = Math.floor(utcMs / BLOCK)
  let offset = cache.blocks.get(block)
  if (offset === undefined) {
    if (cache.blocks.size >= MAX_CACHED_BUCKETS) cache.blocks.clear()
    const start = computeOffset(timeZone, block * BLOCK)
    const end = computeOffset(timeZone, (block + 1) * BLOCK - BUCKET)
    offset = start === end ? start : Number.NaN
    cache.blocks.set(block, offset)
  }
  if (!Number.isNaN(offset)) return offset
  const bucket = Math.floor(utcMs / BUCKET)
  offset = cache.buckets.get(bucket)
  if (offset === undefined) {
    offset = computeOffset(timeZone, bucket * BUCKET)
    cache.buckets.set(bucket, offset)
  }
  return offset
}

export interface ZonedInstant {
  utcMs: number
  resolution: WallTimeResolution
}

/**
 * The instant a wall-clock time names in a zone. Like Temporal's "compatible" rule, a time that
 * doesn't exist (spring-forward gap) moves forward by the gap (02:30 → 03:30), and a time that
 * happens twice (fall-back overlap) is the earlier one (still on summer time).
 */
export function zonedWallTimeToUtc(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second = 0,
  millisecond = 0,
): ZonedInstant {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, millisecond)
  // offsets a day either side bracket any transition near this wall time (zones change at most once a day)
  const before = timeZoneOffset(timeZone, wall - DAY)
  const after = timeZoneOffset(timeZone, wall + DAY)
  if (before === after) {
    const t = wall - before
    if (timeZoneOffset(timeZone, t) === before) return { utcMs: t, resolution: 'exact' }
  }
  const tBefore = wall - before
  const tAfter = wall - after
  const beforeValid = timeZoneOffset(timeZone, tBefore) === before
  const afterValid = timeZoneOffset(timeZone, tAfter) === after
  if (beforeValid && afterValid) {
    return tBefore === tAfter
      ? { utcMs: tBefore, resolution: 'exact' }
      : { utcMs: Math.min(tBefore, tAfter), resolution: 'overlap' }
  }
  if (beforeValid) return { utcMs: tBefore, resolution: 'exact' }
  if (afterValid) return { utcMs: tAfter, resolution: 'exact' }
  // in the gap: read the wall time with the offset in force before the jump, which lands after it
  return { utcMs: tBefore, resolution: 'gap' }
}

// Rails/ActiveSupport zone names, which Square writes in its "Time Zone" column.
const FRIENDLY_ZONES: Record<string, string> = {
  'eastern time (us & canada)': 'America/New_York',
  'central time (us & canada)': 'America/Chicago',
  'mountain time (us & canada)': 'America/Denver',
  'pacific time (us & canada)': 'America/Los_Angeles',
  arizona: 'America/Phoenix',
  alaska: 'America/Juneau',
  hawaii: 'Pacific/Honolulu',
  'atlantic time (canada)': 'America/Halifax',
  newfoundland: 'America/St_Johns',
  saskatchewan: 'America/Regina',
  'indiana (east)': 'America/Indiana/Indianapolis',
  'puerto rico': 'America/Puerto_Rico',
  'mexico city': 'America/Mexico_City',
  london: 'Europe/London',
  edinburgh: 'Europe/London',
  dublin: 'Europe/Dublin',
  lisbon: 'Europe/Lisbon',
  madrid: 'Europe/Madrid',
  paris: 'Europe/Paris',
  amsterdam: 'Europe/Amsterdam',
  brussels: 'Europe/Brussels',
  berlin: 'Europe/Berlin',
  bern: 'Europe/Zurich',
  zurich: 'Europe/Zurich',
  rome: 'Europe/Rome',
  vienna: 'Europe/Vienna',
  stockholm: 'Europe/Stockholm',
  copenhagen: 'Europe/Copenhagen',
  warsaw: 'Europe/Warsaw',
  prague: 'Europe/Prague',
  athens: 'Europe/Athens',
  helsinki: 'Europe/Helsinki',
  tokyo: 'Asia/Tokyo',
  osaka: 'Asia/Tokyo',
  sydney: 'Australia/Sydney',
  melbourne: 'Australia/Melbourne',
  brisbane: 'Australia/Brisbane',
  adelaide: 'Australia/Adelaide',
  perth: 'Australia/Perth',
  auckland: 'Pacific/Auckland',
  wellington: 'Pacific/Auckland',
  utc: 'UTC',
}

/**
 * A zone written in a file ("Europe/Berlin", "Eastern Time (US & Canada)", "UTC+1", "CET") as a
 * zone Intl or timeZoneOffset() accepts; null when it can't be read.
 */
export function resolveTimeZoneName(value: string): string | null {
  const v = value.trim()
  if (v === '') return null
  const friendly = FRIENDLY_ZONES[v.toLowerCase()]
  if (friendly !== undefined) return friendly
  // "(GMT-05:00) Eastern Time (US & Canada)" as some exports write it
  const stripped = v.replace(/^\((?:GMT|UTC)[+-]\d{1,2}:\d{2}\)\s*/i, '')
  if (stripped !== v) return resolveTimeZoneName(stripped)
  if (parseFixedOffset(v) !== null) return v
  return isValidTimeZone(v) ? v : null
}
