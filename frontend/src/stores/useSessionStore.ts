import { defineStore } from 'pinia'
import { computed, ref } from 'vue'

import { ApiError, isAccessTokenRejection } from '@/api/http'
import {
  authLogin,
  authLoginTwoFactor,
  authLogout,
  authRefresh,
  isMfaChallenge,
  meGet,
  twoFactorVerify,
  type Profile,
  type SessionTokens,
  type User,
} from '@/api/user'
import { sessionHintIsSet, sessionHintSet } from '@/lib/sessionHint'
import { t } from '@/i18n'

/** Shown on the sign-in page when the API ends a session (revoked, reused or expired). */
export const SESSION_ENDED_MESSAGE = t('useSessionStore.yourSessionEndedPlease')

/** Renew the access token this long before it expires (or halfway, for very short tokens). */
export const REFRESH_LEAD_MS = 60_000

/** After a refresh that failed for a reason other than a dead session (offline), try again in. */
export const REFRESH_RETRY_MS = 30_000

/** Web Locks name: tabs take turns to refresh, so two never spend the same refresh cookie. */
const REFRESH_LOCK_NAME = 'dbay-session-refresh'

export type SignInOutcome =
  | { isMfaRequired: false }
  | { isMfaRequired: true; mfaToken: string; expiresInSeconds: number }

/**
 * Who is signed in, and the access token the API client sends for them.
 *
 * The access token lives only in memory. The refresh token is an httpOnly cookie set by the API;
 * the app never reads it, it only asks for new access tokens (POST auth/refresh):
 * - on start (sessionRestore), which silently signs back in a user who has the cookie;
 * - shortly before the access token expires (a timer);
 * - when any API call gets a 401 (sessionRefresh, wired to the HTTP client in main.ts).
 * Refreshes are single-flight: concurrent callers share one request, and a caller whose token
 * was already replaced gets the new one without another request. When the refresh is refused
 * (401: the session was revoked, its refresh token reused, or it expired) the session is cleared,
 * signInNotice says so, and the onSessionExpired listeners (the router) take the user to sign-in.
 */
export const useSessionStore = defineStore('session', () => {
  const user = ref<User | null>(null)
  const accessToken = ref<string | null>(null)
  /** When the access token expires, in epoch milliseconds. */
  const accessTokenExpiresAt = ref<number | null>(null)
  /** True once the start-up refresh has answered (signed in or not). */
  const hasRestored = ref(false)
  /** A message for the sign-in page, such as SESSION_ENDED_MESSAGE; cleared on sign-in. */
  const signInNotice = ref<string | null>(null)

  const isSignedIn = computed(() => user.value !== null && accessToken.value !== null)
  /**
   * The signed-in user has the `staff` role (as user-service last told us: a role given or taken
   * away shows after the next sign-in). Only decides what the app shows: wallet-service checks the
   * role in the token on every staff call.
   */
  const isStaff = computed(() => isSignedIn.value && (user.value?.roles.includes('staff') ?? false))

  let refreshTimer: ReturnType<typeof setTimeout> | null = null
  let refreshInFlight: Promise<boolean> | null = null
  let restoreInFlight: Promise<boolean> | null = null
  let isSigningOut = false
  const sessionExpiredListeners = new Set<() => void>()

  function sessionStart(tokens: SessionTokens): void {
    user.value = tokens.user
    accessToken.value = tokens.access_token
    accessTokenExpiresAt.value = Date.now() + tokens.expires_in * 1000
    hasRestored.value = true
    signInNotice.value = null
    sessionHintSet(true)
    refreshSchedule(refreshDelayMs(tokens.expires_in * 1000))
  }

  /** Forgets the session here (signing out, or the API ended it). */
  function sessionEnd(): void {
    refreshCancel()
    user.value = null
    accessToken.value = null
    accessTokenExpiresAt.value = null
    sessionHintSet(false)
  }

  /**
   * Signs back in a user who still has a refresh cookie (if this browser has signed in:
   * lib/sessionHint): once per app start, whoever asks
   * (main.ts, route guards) shares the one attempt. Resolves to whether someone is signed in.
   */
  function sessionRestore(): Promise<boolean> {
    // Nobody signed in from this browser (lib/sessionHint): there is no cookie to try.
    restoreInFlight ??= (sessionHintIsSet() ? sessionRefresh() : Promise.resolve(false)).finally(() => {
      hasRestored.value = true
    })
    return restoreInFlight
  }

  /**
   * Gets a new access token with the refresh cookie. Concurrent calls share one request. With
   * `rejectedAccessToken` (the token a 401 came back for), resolves true at once if that token
   * has already been replaced. Resolves false if the session could not be renewed.
   */
  function sessionRefresh(rejectedAccessToken?: string): Promise<boolean> {
    if (rejectedAccessToken !== undefined && rejectedAccessToken !== accessToken.value) {
      return Promise.resolve(accessToken.value !== null)
    }
    refreshInFlight ??= refreshOnce().finally(() => {
      refreshInFlight = null
    })
    return refreshInFlight
  }

  async function refreshOnce(): Promise<boolean> {
    refreshCancel()
    const wasSignedIn = isSignedIn.value
    let tokens: SessionTokens
    try {
      tokens = await withRefreshLock(authRefresh)
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        // session_revoked, refresh_token_reused, session_expired, or no cookie at all.
        if (wasSignedIn && !isSigningOut) {
          sessionExpire()
        } else {
          sessionEnd()
        }
      } else if (isSignedIn.value) {
        refreshSchedule(REFRESH_RETRY_MS)
      }
      return false
    }
    sessionStart(tokens)
    return true
  }

  function sessionExpire(): void {
    sessionEnd()
    signInNotice.value = SESSION_ENDED_MESSAGE
    for (const listener of sessionExpiredListeners) {
      listener()
    }
  }

  /** Calls `listener` whenever the API ends the session. Returns the function that unsubscribes. */
  function onSessionExpired(listener: () => void): () => void {
    sessionExpiredListeners.add(listener)
    return () => sessionExpiredListeners.delete(listener)
  }

  function signInNoticeDismiss(): void {
    signInNotice.value = null
  }

  /** Checks the password. Either signs in, or says which second-factor challenge to answer. */
  async function signIn(credentials: { login: string; password: string }): Promise<SignInOutcome> {
    const result = await authLogin(credentials)
    if (isMfaChallenge(result)) {
      return { isMfaRequired: true, mfaToken: result.mfa_token, expiresInSeconds: result.expires_in }
    }
    sessionStart(result)
    return { isMfaRequired: false }
  }

  /** Answers the second-factor challenge with an authenticator or recovery code. */
  async function signInWithCode(challenge: { mfaToken: string; code: string }): Promise<void> {
    sessionStart(await authLoginTwoFactor({ mfa_token: challenge.mfaToken, code: challenge.code }))
  }

  /**
   * Step-up before an action that needs a fresh second factor (a withdrawal): proves `code` and
   * swaps in the tokens it returns, whose access token carries `amr` pwd+otp and `mfa_at` = now.
   *
   * The call also rotates the refresh cookie, so it takes the same cross-tab lock as a refresh: a
   * refresh sent at the same moment with the old cookie would count as reuse and end the session.
   * Inside the lock a 401 cannot renew the token (the renewal waits for that lock), so the call
   * skips the client's renewal; a stale token is renewed here, after the lock, and the code sent
   * once more. Rejects with the ApiError (`invalid_mfa_code`, `two_factor_not_enabled`...).
   */
  async function sessionStepUp(code: string): Promise<void> {
    if (refreshInFlight !== null) {
      await refreshInFlight
    }
    const sentWith = accessToken.value
    let tokens: SessionTokens
    try {
      tokens = await withRefreshLock(() => twoFactorVerify(code, { isTokenRenewalSkipped: true }))
    } catch (error) {
      if (!(error instanceof ApiError) || !isAccessTokenRejection(error) || sentWith === null) {
        throw error
      }
      if (!(await sessionRefresh(sentWith))) {
        throw error
      }
      tokens = await withRefreshLock(() => twoFactorVerify(code, { isTokenRenewalSkipped: true }))
    }
    sessionStart(tokens)
  }

  /** Ends the session on the server (best effort) and here (always). */
  async function signOut(): Promise<void> {
    refreshCancel()
    isSigningOut = true
    try {
      await authLogout()
    } catch {
      // Offline, or the session had already ended: it ends here regardless.
    } finally {
      isSigningOut = false
      sessionEnd()
    }
  }

  /** Reads the signed-in user again (after a change another call made, such as 2FA). */
  async function userReload(): Promise<void> {
    const { user: current } = await meGet()
    user.value = current
  }

  function userReplace(next: User): void {
    user.value = next
  }

  function profileApply(profile: Profile): void {
    if (user.value !== null) {
      user.value = { ...user.value, profile }
    }
  }

  function refreshSchedule(delayMs: number): void {
    refreshCancel()
    refreshTimer = setTimeout(() => {
      refreshTimer = null
      void sessionRefresh()
    }, delayMs)
  }

  function refreshCancel(): void {
    if (refreshTimer !== null) {
      clearTimeout(refreshTimer)
      refreshTimer = null
    }
  }

  // Pinia needs every state ref returned (no private state); change it only through the actions.
  return {
    user,
    accessToken,
    accessTokenExpiresAt,
    hasRestored,
    signInNotice,
    isSignedIn,
    isStaff,
    sessionStart,
    sessionEnd,
    sessionRestore,
    sessionRefresh,
    onSessionExpired,
    signInNoticeDismiss,
    signIn,
    signInWithCode,
    sessionStepUp,
    signOut,
    userReload,
    userReplace,
    profileApply,
  }
})

function refreshDelayMs(lifetimeMs: number): number {
  return Math.max(0, lifetimeMs - Math.min(REFRESH_LEAD_MS, lifetimeMs / 2))
}

/**
 * Runs `work` holding a lock shared by every tab of this origin, where the browser has Web Locks.
 * The refresh cookie rotates on each use and a reused one revokes the whole session, so two tabs
 * refreshing at once must not both send the same cookie: the second waits and sends the new one.
 */
function withRefreshLock<T>(work: () => Promise<T>): Promise<T> {
  if (typeof navigator === 'undefined' || !('locks' in navigator)) {
    return work()
  }
  return navigator.locks.request(REFRESH_LOCK_NAME, work)
}
