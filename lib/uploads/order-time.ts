// When a sale happened: its date, time and zone cells read with the file's day/month order. A time
// with an offset is used as is; otherwise it is wall-clock time in the row's zone or the store's.
import type { SaleIssue } from '@/lib/sales/schema'
import { type DayMonthOrder, readDateTime } from '@/lib/time/parse-date'
import { isValidTimeZone, resolveTimeZoneName, zonedWallTimeToUtc } from '@/lib/time/zoned'
import type { SalesField } from './fields'
import { UPLOAD_MESSAGES } from './messages'
import type { ColumnMapping } from './presets'
import type { ResolvedStore } from './upload-stores'

export class OrderTimes {
  /** zone cells as written → IANA zone, null when unknown */
  private readonly zones = new Map<string, string | null>()

  /** for the last instant read from a date without a time: when its day began in the zone used (else null) */
  dateOnlyDayStartMs: number | null = null

  constructor(
    private readonly mapping: ColumnMapping,
    /** minutes after midnight for dates without a time */
    private readonly defaultTimeMinutes: number,
  ) {}

  /** The instant, or null with an issue (in `issues`) that says which cell is wrong and how. */
  instant(
    cells: { dateRaw: string; timeRaw: string; tzRaw: string },
    store: ResolvedStore,
    order: DayMonthOrder,
    issues: SaleIssue[],
    row: number,
    field: SalesField,
  ): Date | null {
    const { dateRaw, timeRaw, tzRaw } = cells
    this.dateOnlyDayStartMs = null
    if (dateRaw === '') return null
    const w = readDateTime(dateRaw, timeRaw, order, this.defaultTimeMinutes)
    const column = this.mapping[field]?.header ?? ''
    if (typeof w === 'string') {
      const message =
        w === 'unreadable-time'
          ? UPLOAD_MESSAGES.timeUnreadable(
              timeRaw === '' ? dateRaw : timeRaw,
              this.mapping.time?.header ?? column,
            )
          : w === 'wrong-order'
            ? UPLOAD_MESSAGES.dateWrongOrder(dateRaw, order, column)
            : w === 'impossible-date'
              ? UPLOAD_MESSAGES.dateImpossible(dateRaw, column)
              : UPLOAD_MESSAGES.dateUnreadable(dateRaw, column)
      issues.push({ field: 'occurredAt', message, row })
      return null
    }
    if (w.offsetMs !== null)
      return new Date(
        Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.millisecond) - w.offsetMs,
      )
    let zone = store.timeZone
    if (tzRaw !== '') {
      let z = this.zones.get(tzRaw)
      if (z === undefined) {
        z = resolveTimeZoneName(tzRaw)
        this.zones.set(tzRaw, z)
      }
      if (z === null)
        issues.push({
          field: 'occurredAt',
          message: UPLOAD_MESSAGES.timeZoneUnknown(tzRaw, this.mapping.timeZone?.header ?? ''),
          row,
        })
      else zone = z
    }
    if (!isValidTimeZone(zone)) {
      issues.push({
        field: 'occurredAt',
        message: `Store ${store.code} has no valid time zone ('${zone}') — an admin can set it in Settings → Stores`,
        row,
      })
      return null
    }
    const t = zonedWallTimeToUtc(zone, w.year, w.month, w.day, w.hour, w.minute, w.second, w.millisecond)
    if (!w.hasTime)
      this.dateOnlyDayStartMs = zonedWallTimeToUtc(zone, w.year, w.month, w.day, 0, 0, 0, 0).utcMs
    return new Date(t.utcMs)
  }
}
