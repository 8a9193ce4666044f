import { describe, expect, it } from 'vitest'

import { timeLeft } from '../timeLeft'

const NOW = new Date('2025-01-01T12:00:00Z')

describe('timeLeft', () => {
  it('splits the time until the end into days, hours, minutes and seconds', () => {
    expect(timeLeft('2025-01-03T15:30:09Z', NOW)).toEqual({
      isEnded: false,
      days: 2,
      hours: 3,
      minutes: 30,
      seconds: 9,
      isEndingSoon: false,
    })
  })

  it('is ending soon under an hour, and ended at the end time', () => {
    expect(timeLeft('2025-01-01T12:59:59Z', NOW).isEndingSoon).toBe(true)
    expect(timeLeft('2025-01-01T12:00:00Z', NOW)).toEqual({
      isEnded: true,
      days: 0,
      hours: 0,
      minutes: 0,
      seconds: 0,
      isEndingSoon: false,
    })
  })
})
