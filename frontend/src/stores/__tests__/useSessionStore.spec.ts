import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { SESSION_HINT_KEY, sessionHintSet } from '@/lib/sessionHint'
import {
  deferred,
  errorResponse,
  installFakeApi,
  jsonResponse,
  noContent,
  type FakeApi,
} from '@/__tests__/fakeApi'
import { apiGet, ApiError, setAccessTokenProvider, setUnauthorizedHandler } from '@/api/http'

import {
  REFRESH_RETRY_MS,
  SESSION_ENDED_MESSAGE,
  useSessionStore,
} from '../useSessionStore'

const REFRESH = 'POST /api/v1/user/auth/refresh'

let api: FakeApi

/** Wires the HTTP client to the store exactly as main.ts does. */
function sessionStoreWired() {
  const session = useSessionStore()
  setAccessTokenProvider(() => session.accessToken)
  setUnauthorizedHandler((rejected) => session.sessionRefresh(rejected))
  return session
}

beforeEach(() => {
  setActivePinia(createPinia())
  api = installFakeApi()
})

afterEach(() => {
  setAccessTokenProvider(() => null)
  setUnauthorizedHandler(null)
  vi.useRealTimers()
})

describe('signed out and signed in', () => {
  it('starts signed out and not yet restored', () => {
    const session = useSessionStore()

    expect(session.user).toBeNull()
    expect(session.accessToken).toBeNull()
    expect(session.isSignedIn).toBe(false)
    expect(session.hasRestored).toBe(false)
    expect(session.signInNotice).toBeNull()
  })

  it('is signed in after sessionStart, with the user, the token and its expiry', () => {
    vi.useFakeTimers({ now: new Date('2025-06-01T12:00:00Z') })
    const session = useSessionStore()

    session.sessionStart(tokensFor(ALICE, 'access-1', 900))

    expect(session.user).toEqual(ALICE)
    expect(session.accessToken).toBe('access-1')
    expect(session.accessTokenExpiresAt).toBe(Date.parse('2025-06-01T12:15:00Z'))
    expect(session.isSignedIn).toBe(true)
    expect(session.hasRestored).toBe(true)
  })

  it('forgets the user and token on sessionEnd', () => {
    const session = useSessionStore()
    session.sessionStart(tokensFor(ALICE, 'access-1'))

    session.sessionEnd()

    expect(session.user).toBeNull()
    expect(session.accessToken).toBeNull()
    expect(session.accessTokenExpiresAt).toBeNull()
    expect(session.isSignedIn).toBe(false)
  })

  it('is staff only while a user with the staff role is signed in', () => {
    const session = useSessionStore()
    expect(session.isStaff).toBe(false)

    session.sessionStart(tokensFor(ALICE, 'access-1'))
    expect(session.isStaff).toBe(false)

    session.sessionStart(tokensFor({ ...ALICE, roles: ['buyer', 'seller', 'staff'] }, 'access-2'))
    expect(session.isStaff).toBe(true)

    session.sessionEnd()
    expect(session.isStaff).toBe(false)
  })

  it('exposes only its public API', () => {
    const session = useSessionStore()

    const publicKeys = Object.keys(session).filter(
      (key) => !key.startsWith('$') && !key.startsWith('_'),
    )

    expect(publicKeys.sort()).toEqual([
      'accessToken',
      'accessTokenExpiresAt',
      'hasRestored',
      'isSignedIn',
      'isStaff',
      'onSessionExpired',
      'profileApply',
      'sessionEnd',
      'sessionRefresh',
      'sessionRestore',
      'sessionStart',
      'sessionStepUp',
      'signIn',
      'signInNotice',
      'signInNoticeDismiss',
      'signInWithCode',
      'signOut',
      'user',
      'userReload',
      'userReplace',
    ])
  })
})

describe('restoring the session on start', () => {
  it('signs back in with the refresh cookie, without an access token on the request', async () => {
    sessionHintSet(true)
    api.on(REFRESH, () => jsonResponse(200, tokensFor(ALICE, 'access-1')))
    const session = sessionStoreWired()

    await expect(session.sessionRestore()).resolves.toBe(true)

    expect(session.isSignedIn).toBe(true)
    expect(session.user).toEqual(ALICE)
    expect(session.accessToken).toBe('access-1')
    expect(session.hasRestored).toBe(true)
    expect(api.requests).toEqual([
      {
        method: 'POST',
        url: '/api/v1/user/auth/refresh',
        body: {},
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        credentials: 'same-origin',
      },
    ])
  })

  it('stays signed out, with no message, when there is no session to restore', async () => {
    sessionHintSet(true)
    api.on(REFRESH, () => errorResponse(401, { code: 'not_authenticated' }))
    const session = sessionStoreWired()
    const expired = vi.fn()
    session.onSessionExpired(expired)

    await expect(session.sessionRestore()).resolves.toBe(false)

    expect(session.isSignedIn).toBe(false)
    expect(session.hasRestored).toBe(true)
    expect(session.signInNotice).toBeNull()
    expect(expired).not.toHaveBeenCalled()
    expect(localStorage.getItem(SESSION_HINT_KEY)).toBeNull()
  })

  it('does not ask for a refresh when nobody has signed in from this browser', async () => {
    const session = sessionStoreWired()

    await expect(session.sessionRestore()).resolves.toBe(false)

    expect(api.requests).toEqual([])
    expect(session.isSignedIn).toBe(false)
    expect(session.hasRestored).toBe(true)
  })

  it('marks this browser as signed in on sign-in and clears the mark on sign-out', async () => {
    api.on('POST /api/v1/user/auth/logout', () => new Response(null, { status: 204 }))
    const session = sessionStoreWired()

    session.sessionStart(tokensFor(ALICE, 'access-1'))
    expect(localStorage.getItem(SESSION_HINT_KEY)).toBe('1')

    await session.signOut()
    expect(localStorage.getItem(SESSION_HINT_KEY)).toBeNull()
  })

  it('asks only once, however many callers wait for it', async () => {
    sessionHintSet(true)
    api.on(REFRESH, () => jsonResponse(200, tokensFor(ALICE, 'access-1')))
    const session = sessionStoreWired()

    const results = await Promise.all([
      session.sessionRestore(),
      session.sessionRestore(),
      session.sessionRestore(),
    ])
    await session.sessionRestore()

    expect(results).toEqual([true, true, true])
    expect(api.requestsTo(REFRESH)).toHaveLength(1)
  })

  it('counts as restored, signed out, when the API cannot be reached', async () => {
    api.fetchMock.mockRejectedValue(new TypeError('fetch failed'))
    const session = sessionStoreWired()

    await expect(session.sessionRestore()).resolves.toBe(false)

    expect(session.isSignedIn).toBe(false)
    expect(session.hasRestored).toBe(true)
    expect(session.signInNotice).toBeNull()
  })
})

describe('refreshing on a 401', () => {
  /** me and me/sessions accept only access-2; access-1 has expired. */
  function protectedRoutes(): void {
    for (const route of ['GET /api/v1/user/me', 'GET /api/v1/user/me/sessions']) {
      api.on(route, (request) =>
        request.headers.authorization === 'Bearer access-2'
          ? jsonResponse(200, { route })
          : errorResponse(401, { code: 'invalid_token', message: 'Token has expired.' }),
      )
    }
  }

  it('shares one refresh between concurrent 401s and retries each call with the new token', async () => {
    protectedRoutes()
    const refreshAnswer = deferred<Response>()
    api.on(REFRESH, () => refreshAnswer.promise)
    const session = sessionStoreWired()
    session.sessionStart(tokensFor(ALICE, 'access-1'))

    const calls = Promise.all([
      apiGet('/api/v1/user/me'),
      apiGet('/api/v1/user/me/sessions'),
      apiGet('/api/v1/user/me'),
    ])
    await vi.waitFor(() => {
      expect(api.requestsTo(REFRESH)).toHaveLength(1)
      expect(api.requests).toHaveLength(4)
    })
    refreshAnswer.resolve(jsonResponse(200, tokensFor(ALICE, 'access-2')))

    await expect(calls).resolves.toEqual([
      { route: 'GET /api/v1/user/me' },
      { route: 'GET /api/v1/user/me/sessions' },
      { route: 'GET /api/v1/user/me' },
    ])
    expect(api.requestsTo(REFRESH)).toHaveLength(1)
    expect(
      api.requests.map((request) => `${request.method} ${request.url} ${request.headers.authorization ?? '-'}`),
    ).toEqual([
      'GET /api/v1/user/me Bearer access-1',
      'GET /api/v1/user/me/sessions Bearer access-1',
      'GET /api/v1/user/me Bearer access-1',
      'POST /api/v1/user/auth/refresh -',
      'GET /api/v1/user/me Bearer access-2',
      'GET /api/v1/user/me/sessions Bearer access-2',
      'GET /api/v1/user/me Bearer access-2',
    ])
    expect(session.accessToken).toBe('access-2')
  })

  it('does not refresh again for a 401 to a token that was already replaced', async () => {
    protectedRoutes()
    api.on(REFRESH, () => jsonResponse(200, tokensFor(ALICE, 'access-2')))
    const session = sessionStoreWired()
    session.sessionStart(tokensFor(ALICE, 'access-2'))

    await expect(session.sessionRefresh('access-1')).resolves.toBe(true)

    expect(api.requestsTo(REFRESH)).toHaveLength(0)
  })

  it.each(['session_revoked', 'refresh_token_reused', 'session_expired'])(
    'on %s: clears the session, sets the message and tells the listeners; the call fails',
    async (code) => {
      protectedRoutes()
      api.on(REFRESH, () => errorResponse(401, { code }))
      const session = sessionStoreWired()
      session.sessionStart(tokensFor(ALICE, 'access-1'))
      const expired = vi.fn()
      session.onSessionExpired(expired)

      const error: unknown = await apiGet('/api/v1/user/me').catch((caught: unknown) => caught)

      expect(error).toBeInstanceOf(ApiError)
      expect(error).toMatchObject({ status: 401, code: 'invalid_token' })
      expect(session.isSignedIn).toBe(false)
      expect(session.user).toBeNull()
      expect(session.accessToken).toBeNull()
      expect(session.signInNotice).toBe(SESSION_ENDED_MESSAGE)
      expect(SESSION_ENDED_MESSAGE).toBe('Your session ended — please sign in again.')
      expect(expired).toHaveBeenCalledTimes(1)
      // Not retried: the session is gone.
      expect(api.requestsTo('GET /api/v1/user/me')).toHaveLength(1)
    },
  )

  it('keeps the session when the refresh fails for another reason, and tries again later', async () => {
    vi.useFakeTimers()
    protectedRoutes()
    api.on(REFRESH, () => errorResponse(503, { code: 'service_unavailable' }))
    const session = sessionStoreWired()
    session.sessionStart(tokensFor(ALICE, 'access-1'))

    await expect(session.sessionRefresh('access-1')).resolves.toBe(false)

    expect(session.accessToken).toBe('access-1')
    expect(session.signInNotice).toBeNull()
    api.on(REFRESH, () => jsonResponse(200, tokensFor(ALICE, 'access-2')))
    await vi.advanceTimersByTimeAsync(REFRESH_RETRY_MS)
    expect(api.requestsTo(REFRESH)).toHaveLength(2)
    expect(session.accessToken).toBe('access-2')
  })

  it('stops telling a listener once it unsubscribes', async () => {
    api.on(REFRESH, () => errorResponse(401, { code: 'session_revoked' }))
    const session = sessionStoreWired()
    session.sessionStart(tokensFor(ALICE, 'access-1'))
    const expired = vi.fn()
    const unsubscribe = session.onSessionExpired(expired)

    unsubscribe()
    await session.sessionRefresh()

    expect(expired).not.toHaveBeenCalled()
    expect(session.signInNotice).toBe(SESSION_ENDED_MESSAGE)
  })

  it('runs the refresh under the cross-tab Web Lock where the browser has one', async () => {
    const lockNames: string[] = []
    Object.defineProperty(navigator, 'locks', {
      configurable: true,
      value: {
        request: (name: string, work: () => Promise<unknown>) => {
          lockNames.push(name)
          return work()
        },
      },
    })
    try {
      api.on(REFRESH, () => jsonResponse(200, tokensFor(ALICE, 'access-2')))
      const session = sessionStoreWired()

      await session.sessionRefresh()

      expect(lockNames).toEqual(['dbay-session-refresh'])
      expect(session.accessToken).toBe('access-2')
    } finally {
      Reflect.deleteProperty(navigator, 'locks')
    }
  })
})

describe('refreshing before the access token expires', () => {
  it('refreshes a minute before expiry, then again for the new token', async () => {
    vi.useFakeTimers()
    let issued = 1
    api.on(REFRESH, () => {
      issued += 1
      return jsonResponse(200, tokensFor(ALICE, `access-${issued}`, 900))
    })
    const session = sessionStoreWired()
    session.sessionStart(tokensFor(ALICE, 'access-1', 900))

    await vi.advanceTimersByTimeAsync(839_000)
    expect(api.requestsTo(REFRESH)).toHaveLength(0)

    await vi.advanceTimersByTimeAsync(1_000)
    expect(api.requestsTo(REFRESH)).toHaveLength(1)
    expect(session.accessToken).toBe('access-2')

    await vi.advanceTimersByTimeAsync(840_000)
    expect(api.requestsTo(REFRESH)).toHaveLength(2)
    expect(session.accessToken).toBe('access-3')
  })

  it('refreshes halfway through a token shorter than two minutes', async () => {
    vi.useFakeTimers()
    api.on(REFRESH, () => jsonResponse(200, tokensFor(ALICE, 'access-2', 60)))
    const session = sessionStoreWired()
    session.sessionStart(tokensFor(ALICE, 'access-1', 60))

    await vi.advanceTimersByTimeAsync(29_999)
    expect(api.requestsTo(REFRESH)).toHaveLength(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(api.requestsTo(REFRESH)).toHaveLength(1)
  })

  it('ends the session with the message when the timed refresh is refused', async () => {
    vi.useFakeTimers()
    api.on(REFRESH, () => errorResponse(401, { code: 'session_revoked' }))
    const session = sessionStoreWired()
    session.sessionStart(tokensFor(ALICE, 'access-1', 900))
    const expired = vi.fn()
    session.onSessionExpired(expired)

    await vi.advanceTimersByTimeAsync(840_000)

    expect(session.isSignedIn).toBe(false)
    expect(session.signInNotice).toBe(SESSION_ENDED_MESSAGE)
    expect(expired).toHaveBeenCalledTimes(1)
  })

  it('stops refreshing after sign-out', async () => {
    vi.useFakeTimers()
    api.on('POST /api/v1/user/auth/logout', noContent)
    api.on(REFRESH, () => jsonResponse(200, tokensFor(ALICE, 'access-2')))
    const session = sessionStoreWired()
    session.sessionStart(tokensFor(ALICE, 'access-1', 900))

    await session.signOut()
    await vi.advanceTimersByTimeAsync(3_600_000)

    expect(api.requestsTo(REFRESH)).toHaveLength(0)
  })
})

describe('signing in and out', () => {
  it('signs in with a password when no second factor is needed', async () => {
    api.on('POST /api/v1/user/auth/login', () => jsonResponse(200, tokensFor(ALICE, 'access-1')))
    const session = sessionStoreWired()
    session.sessionStart(tokensFor(ALICE, 'old'))
    session.sessionEnd()

    await expect(session.signIn({ login: 'alice', password: 'pw' })).resolves.toEqual({
      isMfaRequired: false,
    })

    expect(session.accessToken).toBe('access-1')
    expect(api.requestsTo('POST /api/v1/user/auth/login')[0]?.body).toEqual({
      login: 'alice',
      password: 'pw',
    })
  })

  it('returns the challenge when the API wants a second factor, and stays signed out', async () => {
    api.on('POST /api/v1/user/auth/login', () =>
      jsonResponse(200, { mfa_required: true, mfa_token: 'mfa-1', expires_in: 300 }),
    )
    const session = sessionStoreWired()

    await expect(session.signIn({ login: 'alice', password: 'pw' })).resolves.toEqual({
      isMfaRequired: true,
      mfaToken: 'mfa-1',
      expiresInSeconds: 300,
    })

    expect(session.isSignedIn).toBe(false)
  })

  it('signs in with the challenge and a code, and clears the sign-in notice', async () => {
    api.on(REFRESH, () => errorResponse(401, { code: 'session_revoked' }))
    api.on('POST /api/v1/user/auth/login/2fa', () => jsonResponse(200, tokensFor(ALICE, 'access-9')))
    const session = sessionStoreWired()
    session.sessionStart(tokensFor(ALICE, 'access-1'))
    await session.sessionRefresh()
    expect(session.signInNotice).toBe(SESSION_ENDED_MESSAGE)

    await session.signInWithCode({ mfaToken: 'mfa-1', code: '123456' })

    expect(api.requestsTo('POST /api/v1/user/auth/login/2fa')[0]?.body).toEqual({
      mfa_token: 'mfa-1',
      code: '123456',
    })
    expect(session.accessToken).toBe('access-9')
    expect(session.signInNotice).toBeNull()
  })

  it('signs out on the server with the access token, then here', async () => {
    api.on('POST /api/v1/user/auth/logout', noContent)
    const session = sessionStoreWired()
    session.sessionStart(tokensFor(ALICE, 'access-1'))

    await session.signOut()

    expect(api.requests.map((request) => [request.url, request.headers.authorization])).toEqual([
      ['/api/v1/user/auth/logout', 'Bearer access-1'],
    ])
    expect(session.isSignedIn).toBe(false)
    expect(session.signInNotice).toBeNull()
  })

  it('signs out here even when the server cannot be reached, with no session-ended message', async () => {
    api.on('POST /api/v1/user/auth/logout', () => errorResponse(401, { code: 'invalid_token' }))
    api.on(REFRESH, () => errorResponse(401, { code: 'session_revoked' }))
    const session = sessionStoreWired()
    session.sessionStart(tokensFor(ALICE, 'access-1'))
    const expired = vi.fn()
    session.onSessionExpired(expired)

    await session.signOut()

    expect(session.isSignedIn).toBe(false)
    expect(session.signInNotice).toBeNull()
    expect(expired).not.toHaveBeenCalled()
  })
})

describe('step-up: proving the second factor again', () => {
  const VERIFY = 'POST /api/v1/user/me/2fa/verify'

  it('sends the code with the current token and swaps in the fresh tokens', async () => {
    const ALICE_WITH_2FA = { ...ALICE, two_factor_enabled: true }
    api.on(VERIFY, () => jsonResponse(200, tokensFor(ALICE_WITH_2FA, 'access-mfa', 600)))
    const session = sessionStoreWired()
    session.sessionStart(tokensFor(ALICE_WITH_2FA, 'access-1'))
    const before = Date.now()

    await session.sessionStepUp('123456')

    expect(api.requests.map((request) => [request.url, request.headers.authorization, request.body])).toEqual([
      ['/api/v1/user/me/2fa/verify', 'Bearer access-1', { code: '123456' }],
    ])
    expect(session.accessToken).toBe('access-mfa')
    expect(session.accessTokenExpiresAt).toBeGreaterThanOrEqual(before + 600_000)
    expect(session.user).toEqual(ALICE_WITH_2FA)
    expect(session.isSignedIn).toBe(true)
  })

  it('rejects a wrong code with its ApiError and keeps the token it had', async () => {
    api.on(VERIFY, () => errorResponse(400, { code: 'invalid_mfa_code', param: 'code' }))
    api.on(REFRESH, () => jsonResponse(200, tokensFor(ALICE, 'access-2')))
    const session = sessionStoreWired()
    session.sessionStart(tokensFor(ALICE, 'access-1'))

    const error: unknown = await session.sessionStepUp('000000').catch((caught: unknown) => caught)

    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ status: 400, code: 'invalid_mfa_code', param: 'code' })
    expect(session.accessToken).toBe('access-1')
    expect(api.requestsTo(REFRESH)).toHaveLength(0)
  })

  it('renews a stale token after the lock is released, then sends the code once more', async () => {
    // A lock like the browser's: one holder at a time, not re-entrant, so a renewal requested
    // while the step-up holds it would wait forever.
    const lockNames: string[] = []
    let lockTail: Promise<unknown> = Promise.resolve()
    Object.defineProperty(navigator, 'locks', {
      configurable: true,
      value: {
        request: (name: string, work: () => Promise<unknown>) => {
          lockNames.push(name)
          const held = lockTail.then(work)
          lockTail = held.catch(() => undefined)
          return held
        },
      },
    })
    try {
      api.on(VERIFY, (request) =>
        request.headers.authorization === 'Bearer access-2'
          ? jsonResponse(200, tokensFor(ALICE, 'access-mfa'))
          : errorResponse(401, { code: 'invalid_token', message: 'Token has expired.' }),
      )
      api.on(REFRESH, () => jsonResponse(200, tokensFor(ALICE, 'access-2')))
      const session = sessionStoreWired()
      session.sessionStart(tokensFor(ALICE, 'access-1'))

      await session.sessionStepUp('123456')

      expect(
        api.requests.map((request) => `${request.method} ${request.url} ${request.headers.authorization ?? '-'}`),
      ).toEqual([
        'POST /api/v1/user/me/2fa/verify Bearer access-1',
        'POST /api/v1/user/auth/refresh -',
        'POST /api/v1/user/me/2fa/verify Bearer access-2',
      ])
      // Verify, refresh and verify again each took the lock on their own: none waited for itself.
      expect(lockNames).toEqual(['dbay-session-refresh', 'dbay-session-refresh', 'dbay-session-refresh'])
      expect(session.accessToken).toBe('access-mfa')
    } finally {
      Reflect.deleteProperty(navigator, 'locks')
    }
  })

  it('fails with the 401 and ends the session when the token cannot be renewed', async () => {
    api.on(VERIFY, () => errorResponse(401, { code: 'invalid_token' }))
    api.on(REFRESH, () => errorResponse(401, { code: 'session_revoked' }))
    const session = sessionStoreWired()
    session.sessionStart(tokensFor(ALICE, 'access-1'))

    const error: unknown = await session.sessionStepUp('123456').catch((caught: unknown) => caught)

    expect(error).toMatchObject({ status: 401, code: 'invalid_token' })
    expect(api.requestsTo(VERIFY)).toHaveLength(1)
    expect(session.isSignedIn).toBe(false)
    expect(session.signInNotice).toBe(SESSION_ENDED_MESSAGE)
  })
})

describe('the current user', () => {
  it('reloads the user from GET me', async () => {
    api.on('GET /api/v1/user/me', () =>
      jsonResponse(200, { user: { ...ALICE, two_factor_enabled: true } }),
    )
    const session = sessionStoreWired()
    session.sessionStart(tokensFor(ALICE, 'access-1'))

    await session.userReload()

    expect(session.user?.two_factor_enabled).toBe(true)
  })

  it('applies a saved profile to the user', () => {
    const session = useSessionStore()
    session.sessionStart(tokensFor(ALICE, 'access-1'))

    session.profileApply({ display_name: 'Al', avatar_url: '', location: '', bio: '' })

    expect(session.user).toEqual({
      ...ALICE,
      profile: { display_name: 'Al', avatar_url: '', location: '', bio: '' },
    })
  })
})
