import { afterEach } from 'vitest'

import { setFormatLocale } from '@/lib/locale'

// Dates and numbers follow the browser's locale; tests assert exact text, so fix it (as TZ).
setFormatLocale('en-GB')

// The session hint (lib/sessionHint) and the stale-chunk flag must not leak between tests.
afterEach(() => {
  localStorage.clear()
  sessionStorage.clear()
})
