/**
 * Dates and times as people read them on dBay (British English, the browser's time zone).
 * The API sends ISO 8601 timestamps with a zone.
 */

const DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' })
const MONTH_YEAR = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric' })
const TIME = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' })
const DATE_TIME = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
})

function toDate(value: string | Date): Date {
  return typeof value === 'string' ? new Date(value) : value
}

/** "2 Jan 2025" */
export function formatDate(value: string | Date): string {
  return DATE.format(toDate(value))
}

/** "January 2025" (member since) */
export function formatMonthYear(value: string | Date): string {
  return MONTH_YEAR.format(toDate(value))
}

/** "14:05" */
export function formatTime(value: string | Date): string {
  return TIME.format(toDate(value))
}

/** "2 Jan 2025, 14:05" */
export function formatDateTime(value: string | Date): string {
  return DATE_TIME.format(toDate(value))
}

export function isSameLocalDay(first: Date, second: Date): boolean {
  return (
    first.getFullYear() === second.getFullYear() &&
    first.getMonth() === second.getMonth() &&
    first.getDate() === second.getDate()
  )
}
