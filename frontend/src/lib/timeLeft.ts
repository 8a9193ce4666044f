/**
 * How long until a listing ends, in the largest two units ("2d 4h", "3h 12m", "4m 5s"), from the
 * `ends_at` timestamp the API sends. Components tick `now` (VueUse useNow) for a live countdown.
 */

export interface TimeLeft {
  isEnded: boolean
  days: number
  hours: number
  minutes: number
  seconds: number
  /** Under an hour: shown with seconds and in a warning colour. */
  isEndingSoon: boolean
}

export function timeLeft(endsAt: string | Date, now: Date): TimeLeft {
  const remainingMs = (typeof endsAt === 'string' ? new Date(endsAt) : endsAt).getTime() - now.getTime()
  if (!(remainingMs > 0)) {
    return { isEnded: true, days: 0, hours: 0, minutes: 0, seconds: 0, isEndingSoon: false }
  }
  const totalSeconds = Math.floor(remainingMs / 1000)
  return {
    isEnded: false,
    days: Math.floor(totalSeconds / 86_400),
    hours: Math.floor((totalSeconds % 86_400) / 3_600),
    minutes: Math.floor((totalSeconds % 3_600) / 60),
    seconds: totalSeconds % 60,
    isEndingSoon: totalSeconds < 3_600,
  }
}
