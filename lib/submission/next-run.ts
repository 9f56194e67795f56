// When a store's schedule next submits: pure, so the rule reads on its own and tests pin the clock.
import { Temporal } from 'temporal-polyfill'
import { zonedWallTimeToUtc } from '@/lib/time/zoned'

export type ScheduleMode = 'OFF' | 'WHEN_READY' | 'DAILY'

/**
 * OFF: never. WHEN_READY: now (the scheduler looks every minute). DAILY: the next HH:MM in the store's zone
 * strictly after `now` (a time in a spring-forward gap runs at the moment after the gap).
 */
export function nextRunAt(
  mode: ScheduleMode,
  dailyAt: string | null,
  timeZone: string,
  now: Date,
): Date | null {
  if (mode === 'OFF') return null
  if (mode === 'WHEN_READY') return now
  const m = /^(\d{2}):(\d{2})$/.exec(dailyAt ?? '')
  if (!m) return null
  const today = Temporal.Instant.fromEpochMilliseconds(now.getTime())
    .toZonedDateTimeISO(timeZone)
    .toPlainDate()
  for (let days = 0; days <= 2; days++) {
    const d = today.add({ days })
    const at = zonedWallTimeToUtc(timeZone, d.year, d.month, d.day, Number(m[1]), Number(m[2])).utcMs
    if (at > now.getTime()) return new Date(at)
  }
  return null
}
