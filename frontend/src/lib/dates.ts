/**
 * Dates and times as people read them on dBay: in the browser's locale (src/lib/locale.ts) and
 * time zone. The API sends ISO 8601 timestamps with a zone.
 */
import { formatLocale } from './locale'

const DATE: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric' }
const MONTH_YEAR: Intl.DateTimeFormatOptions = { month: 'long', year: 'numeric' }
const TIME: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' }
const DATE_TIME: Intl.DateTimeFormatOptions = { ...DATE, ...TIME }

const formats = new Map<string, Intl.DateTimeFormat>()

function format(options: Intl.DateTimeFormatOptions, value: string | Date): string {
  const locale = formatLocale()
  const cacheKey = `${locale}|${JSON.stringify(options)}`
  let formatter = formats.get(cacheKey)
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat(locale, options)
    formats.set(cacheKey, formatter)
  }
  return formatter.format(typeof value === 'string' ? new Date(value) : value)
}

/** "2 Jan 2025" (en-GB), "Jan 2, 2025" (en-US) */
export function formatDate(value: string | Date): string {
  return format(DATE, value)
}

/** "January 2025" (member since) */
export function formatMonthYear(value: string | Date): string {
  return format(MONTH_YEAR, value)
}

/** "14:05" (en-GB), "02:05 PM" (en-US) */
export function formatTime(value: string | Date): string {
  return format(TIME, value)
}

/** "2 Jan 2025, 14:05" (en-GB) */
export function formatDateTime(value: string | Date): string {
  return format(DATE_TIME, value)
}

export function isSameLocalDay(first: Date, second: Date): boolean {
  return (
    first.getFullYear() === second.getFullYear() &&
    first.getMonth() === second.getMonth() &&
    first.getDate() === second.getDate()
  )
}

const AGE_UNITS: readonly [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
]

/**
 * How long ago `value` was, in the largest whole unit: "3 hours ago", "2 days ago" (en-GB);
 * "now" under a minute. For a queue's age, next to the exact date.
 */
export function formatAgo(value: string | Date, now: Date = new Date()): string {
  const elapsedMs = now.getTime() - (typeof value === 'string' ? new Date(value) : value).getTime()
  const relative = new Intl.RelativeTimeFormat(formatLocale(), { numeric: 'auto' })
  for (const [unit, unitMs] of AGE_UNITS) {
    if (elapsedMs >= unitMs) {
      return relative.format(-Math.floor(elapsedMs / unitMs), unit)
    }
  }
  return relative.format(0, 'second')
}
