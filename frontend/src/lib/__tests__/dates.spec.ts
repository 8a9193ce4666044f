import { describe, expect, it } from 'vitest'

import { formatAgo, formatDate, formatDateTime, formatMonthYear, formatTime } from '../dates'

describe('dates (tests run in UTC)', () => {
  it('formats in British English', () => {
    expect(formatDate('2025-01-02T12:00:00Z')).toBe('2 Jan 2025')
    expect(formatMonthYear('2025-01-02T12:00:00Z')).toBe('January 2025')
    expect(formatTime('2025-01-02T14:05:00Z')).toBe('14:05')
    expect(formatDateTime('2025-01-02T14:05:00Z')).toBe('2 Jan 2025, 14:05')
  })

  it('shows a zoned timestamp in the local zone', () => {
    expect(formatDateTime('2025-01-02T23:30:00-02:00')).toBe('3 Jan 2025, 01:30')
  })
})

describe('formatAgo', () => {
  it('says how long ago, in the largest whole unit', () => {
    const now = new Date('2025-03-02T12:00:00Z')
    expect(formatAgo('2025-03-02T11:59:30Z', now)).toBe('now')
    expect(formatAgo('2025-03-02T11:59:00Z', now)).toBe('1 minute ago')
    expect(formatAgo('2025-03-02T11:15:00Z', now)).toBe('45 minutes ago')
    expect(formatAgo('2025-03-02T09:00:00Z', now)).toBe('3 hours ago')
    expect(formatAgo('2025-03-01T11:00:00Z', now)).toBe('yesterday')
    expect(formatAgo(new Date('2025-02-20T12:00:00Z'), now)).toBe('10 days ago')
  })
})
