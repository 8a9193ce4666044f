import { afterEach, describe, expect, it } from 'vitest'

import { formatDate, formatDateTime } from '../dates'
import { formatCount, setFormatLocale } from '../locale'
import { formatDoge } from '../money'

afterEach(() => {
  setFormatLocale('en-GB')
})

describe('formatting follows the reader’s locale (tests run in UTC)', () => {
  it('writes dates the American way for en-US', () => {
    setFormatLocale('en-US')
    expect(formatDate('2025-01-02T12:00:00Z')).toBe('Jan 2, 2025')
    expect(formatDateTime('2025-01-02T14:05:00Z')).toBe('Jan 2, 2025, 02:05 PM')
  })

  it('writes dates the German way for de-DE', () => {
    setFormatLocale('de-DE')
    expect(formatDate('2025-01-02T12:00:00Z')).toBe('2. Jan. 2025')
  })

  it('groups DOGE and counts with the locale’s separators, exactly, past Number’s precision', () => {
    const koinu = 12_345_678_901_234_567_890_123n
    setFormatLocale('en-US')
    expect(formatDoge(koinu, { withSymbol: true })).toBe('Ð 123,456,789,012,345.67890123')
    expect(formatCount(12345)).toBe('12,345')
    setFormatLocale('de-DE')
    expect(formatDoge(123_456_750_000_000n, { withSymbol: true })).toBe('Ð 1.234.567,5')
    expect(formatCount(12345)).toBe('12.345')
  })

  it('keeps the plain form that parseDogeInput reads back whatever the locale', () => {
    setFormatLocale('de-DE')
    expect(formatDoge(123_456_750_000_000n)).toBe('1234567.50000000')
  })
})
