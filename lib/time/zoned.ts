// Wall-clock time in a store's time zone → UTC instant. The zone rules are Temporal's (temporal-polyfill);
// ours are only the zone names and offsets files write.
import { Temporal } from 'temporal-polyfill'

/** How a wall-clock time was placed: as is, moved forward out of a DST gap, or the earlier of two. */
export type WallTimeResolution = 'exact' | 'gap' | 'overlap'

export interface ZonedInstant {
  utcMs: number
  resolution: WallTimeResolution
}

const FIXED_OFFSET = /^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$/i

/** The zone as Temporal names it: an IANA name, or a fixed offset ("UTC-5", "+0530") as "-05:00"; null when unknown. */
function readZone(value: string): string | null {
  if (value === 'Z') return 'UTC'
  const m = FIXED_OFFSET.exec(value)
  if (m !== null) {
    const hours = m[2] ?? ''
    const minutes = m[3] ?? '00'
    // offsets in use lie within ±14:00, though Temporal would take up to ±23:59
    return Number(hours) <= 14 && Number(minutes) <= 59 ? `${m[1]}${hours.padStart(2, '0')}:${minutes}` : null
  }
  try {
    return new Temporal.ZonedDateTime(0n, value).timeZoneId
  } catch {
    return null
  }
}

// Read once per zone name: every event of a file names its zone again.
const zoneIds = new Map<string, string | null>()

function temporalZone(timeZone: string): string | null {
  let id = zoneIds.get(timeZone)
  if (id === undefined) {
    id = readZone(timeZone)
    zoneIds.set(timeZone, id)
  }
  return id
}

function knownZone(timeZone: string): string {
  const id = temporalZone(timeZone)
  if (id === null) throw new RangeError(`Unknown time zone: ${timeZone}`)
  return id
}

/** True when the zone is an IANA name or a fixed offset. */
export function isValidTimeZone(timeZone: string): boolean {
  return temporalZone(timeZone) !== null
}

/** The zone's UTC offset in ms at an instant (positive east of Greenwich). */
export function timeZoneOffset(timeZone: string, utcMs: number): number {
  const at = Temporal.Instant.fromEpochMilliseconds(utcMs).toZonedDateTimeISO(knownZone(timeZone))
  return at.offsetNanoseconds / 1_000_000
}

/**
 * The instant a wall-clock time names in a zone. Temporal's "compatible" rule: a time that doesn't
 * exist (spring-forward gap) moves forward by the gap (02:30 → 03:30), and a time that happens
 * twice (fall-back overlap) is the earlier one (still on summer time). An impossible date throws.
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
  const zone = knownZone(timeZone)
  const wall = new Temporal.PlainDateTime(year, month, day, hour, minute, second, millisecond)
  try {
    const exact = wall.toZonedDateTime(zone, { disambiguation: 'reject' })
    return { utcMs: exact.epochMilliseconds, resolution: 'exact' }
  } catch {
    // 'reject' throws only for a time in a gap or an overlap: the zone and the wall time are valid
    const placed = wall.toZonedDateTime(zone, { disambiguation: 'compatible' })
    const moved = !placed.toPlainDateTime().equals(wall)
    return { utcMs: placed.epochMilliseconds, resolution: moved ? 'gap' : 'overlap' }
  }
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
 * zone the functions above accept; null when it can't be read.
 */
export function resolveTimeZoneName(value: string): string | null {
  const v = value.trim()
  if (v === '') return null
  const friendly = FRIENDLY_ZONES[v.toLowerCase()]
  if (friendly !== undefined) return friendly
  // "(GMT-05:00) Eastern Time (US & Canada)" as some exports write it
  const stripped = v.replace(/^\((?:GMT|UTC)[+-]\d{1,2}:\d{2}\)\s*/i, '')
  if (stripped !== v) return resolveTimeZoneName(stripped)
  return isValidTimeZone(v) ? v : null
}
