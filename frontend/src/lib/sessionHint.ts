/**
 * Whether this browser may hold a session: a localStorage flag the app sets when someone signs in
 * and clears when they sign out or the session ends. The refresh token itself is an httpOnly
 * cookie the app cannot see, so without this hint every signed-out visit would spend a request
 * (and log a 401 in the console) asking for a refresh that cannot work.
 *
 * A stale flag only costs one refresh that answers 401, after which it is cleared; a missing flag
 * with a live cookie (storage cleared by hand) signs the user out here, which is safe.
 */

export const SESSION_HINT_KEY = 'dbay:has-session'

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage
  } catch {
    // Storage can be blocked (privacy settings): then assume a session may exist.
    return null
  }
}

export function sessionHintIsSet(): boolean {
  const store = storage()
  return store === null || store.getItem(SESSION_HINT_KEY) === '1'
}

export function sessionHintSet(isSignedIn: boolean): void {
  const store = storage()
  if (store === null) {
    return
  }
  if (isSignedIn) {
    store.setItem(SESSION_HINT_KEY, '1')
  } else {
    store.removeItem(SESSION_HINT_KEY)
  }
}
