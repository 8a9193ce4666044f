import { describe, expect, it } from 'vitest'

import { formatDate, formatDateTime, formatMonthYear, formatTime } from '../dates'

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
