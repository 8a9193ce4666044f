/**
 * Recovery from a deploy that happened while the app was open: the old index.html names hashed
 * chunks that the new build no longer has, so the next lazy page fails to load. The fix is one
 * full reload (which fetches the new index.html) to the page the user asked for. A flag in
 * sessionStorage allows one reload per minute, so a chunk that is truly missing shows the error
 * instead of reloading forever.
 */

export const STALE_CHUNK_RELOAD_KEY = 'dbay:stale-chunk-reload-at'

/** Another reload is allowed this long after the last one. */
export const STALE_CHUNK_RELOAD_INTERVAL_MS = 60_000

/** Whether `error` is a failed dynamic import (Chromium, Firefox and Safari word it differently). */
export function isChunkLoadError(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error)
  return /Failed to fetch dynamically imported module|error loading dynamically imported module|Importing a module script failed|Unable to preload CSS/i.test(
    message,
  )
}

export interface StaleChunkEnvironment {
  storage: Pick<Storage, 'getItem' | 'setItem'>
  now: () => number
  /** Loads `url` from the server (window.location.assign). */
  navigate: (url: string) => void
}

const browserEnvironment = (): StaleChunkEnvironment => ({
  storage: window.sessionStorage,
  now: () => Date.now(),
  navigate: (url) => window.location.assign(url),
})

/**
 * Reloads the app at `url` unless it already did so within the interval. Returns whether it
 * reloaded; when it did not, the caller shows the error.
 */
export function staleChunkReload(url: string, environment: StaleChunkEnvironment = browserEnvironment()): boolean {
  const last = Number(environment.storage.getItem(STALE_CHUNK_RELOAD_KEY) ?? '0')
  const now = environment.now()
  if (Number.isFinite(last) && now - last < STALE_CHUNK_RELOAD_INTERVAL_MS) {
    return false
  }
  environment.storage.setItem(STALE_CHUNK_RELOAD_KEY, String(now))
  environment.navigate(url)
  return true
}
