import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createMemoryHistory, type Router } from 'vue-router'

import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { setAccessTokenProvider, setUnauthorizedHandler } from '@/api/http'
import { sessionHintSet } from '@/lib/sessionHint'
import { SESSION_ENDED_MESSAGE, useSessionStore } from '@/stores/useSessionStore'

import { createAppRouter, installSessionExpiredRedirect, safeNextPath } from '..'

const REFRESH = 'POST /api/v1/user/auth/refresh'

let api: FakeApi
let router: Router

beforeEach(() => {
  vi.spyOn(window, 'scrollTo').mockImplementation(() => undefined)
  setActivePinia(createPinia())
  api = installFakeApi()
  router = createAppRouter(createMemoryHistory())
})

afterEach(() => {
  setAccessTokenProvider(() => null)
  setUnauthorizedHandler(null)
})

describe('route guard', () => {
  it('sends a signed-out visitor of /account to sign-in, remembering where they were going', async () => {
    api.on(REFRESH, () => errorResponse(401, { code: 'not_authenticated' }))

    await router.push('/account?tab=security')

    expect(router.currentRoute.value.fullPath).toBe('/sign-in?next=/account?tab=security')
    expect(router.currentRoute.value.query).toEqual({ next: '/account?tab=security' })
  })

  it('waits for the start-up restore and lets a returning user into /account', async () => {
    sessionHintSet(true)
    api.on(REFRESH, () => jsonResponse(200, tokensFor(ALICE, 'access-1')))

    await router.push('/account')

    expect(router.currentRoute.value.fullPath).toBe('/account')
    expect(api.requestsTo(REFRESH)).toHaveLength(1)
  })

  it('lets a signed-in user into /account without asking the API again', async () => {
    sessionHintSet(true)
    api.on(REFRESH, () => jsonResponse(200, tokensFor(ALICE, 'access-1')))
    const session = useSessionStore()
    await session.sessionRestore()

    await router.push('/account')
    await router.push('/')
    await router.push('/account')

    expect(router.currentRoute.value.fullPath).toBe('/account')
    expect(api.requestsTo(REFRESH)).toHaveLength(1)
  })

  it('sends a signed-in user away from sign-in and register, to ?next= or home', async () => {
    useSessionStore().sessionStart(tokensFor(ALICE, 'access-1'))

    await router.push('/sign-in?next=/wallet')
    expect(router.currentRoute.value.fullPath).toBe('/wallet')

    await router.push('/register')
    expect(router.currentRoute.value.fullPath).toBe('/')

    await router.push('/sign-in?next=https://evil.example/')
    expect(router.currentRoute.value.fullPath).toBe('/')
  })

  it('sends a signed-out visitor of a staff page to sign-in, and back there after', async () => {
    api.on(REFRESH, () => errorResponse(401, { code: 'not_authenticated' }))

    await router.push('/staff/audit-log')

    expect(router.currentRoute.value.fullPath).toBe('/sign-in?next=/staff/audit-log')
  })

  it('shows a member without the staff role the first staff page (which refuses), not the others', async () => {
    useSessionStore().sessionStart(tokensFor(ALICE, 'access-1'))

    await router.push('/staff/audit-log')
    expect(router.currentRoute.value.fullPath).toBe('/staff')
    expect(router.currentRoute.value.name).toBe('staff-withdrawals')

    await router.push('/staff')
    expect(router.currentRoute.value.fullPath).toBe('/staff')
  })

  it('lets staff into every staff page, each with its title', async () => {
    useSessionStore().sessionStart(tokensFor({ ...ALICE, roles: ['buyer', 'seller', 'staff'] }, 'access-1'))

    const seen: [string, string][] = []
    for (const path of ['/staff', '/staff/frozen-wallets', '/staff/suspense', '/staff/reconciliation', '/staff/audit-log']) {
      await router.push(path)
      seen.push([router.currentRoute.value.fullPath, document.title])
    }

    expect(seen).toEqual([
      ['/staff', 'Withdrawals to review · Staff · dBay'],
      ['/staff/frozen-wallets', 'Frozen wallets · Staff · dBay'],
      ['/staff/suspense', 'Suspense account · Staff · dBay'],
      ['/staff/reconciliation', 'Reconciliation · Staff · dBay'],
      ['/staff/audit-log', 'Audit log · Staff · dBay'],
    ])
  })

  it('leaves public pages alone, without touching the session', async () => {
    await router.push('/sellers/alice')

    expect(router.currentRoute.value.name).toBe('seller')
    expect(router.currentRoute.value.params).toEqual({ username: 'alice' })
    // Only the seller page's own data, prefetched alongside its code; no refresh, no token.
    expect(api.requests.map((request) => `${request.method} ${request.url} ${request.headers.authorization}`)).toEqual([
      'GET /api/v1/user/sellers/alice undefined',
    ])
  })
})

describe('safeNextPath', () => {
  it.each([
    ['/account', '/account'],
    ['/search?q=shiba', '/search?q=shiba'],
    ['//evil.example/', null],
    ['https://evil.example/', null],
    ['/\\evil.example', null],
    ['account', null],
    ['', null],
    [undefined, null],
    [['/a', '/b'], null],
  ])('%j → %j', (next, expected) => {
    expect(safeNextPath(next)).toBe(expected)
  })
})

describe('when the API ends the session', () => {
  it('goes to sign-in with the page to come back to, and the message', async () => {
    api.on(REFRESH, () => errorResponse(401, { code: 'session_revoked' }))
    const session = useSessionStore()
    session.sessionStart(tokensFor(ALICE, 'access-1'))
    installSessionExpiredRedirect(router, session)
    await router.push('/account')

    await session.sessionRefresh()

    await vi.waitFor(() => {
      expect(router.currentRoute.value.fullPath).toBe('/sign-in?next=/account')
    })
    expect(session.signInNotice).toBe(SESSION_ENDED_MESSAGE)
  })

  it('stays put when already on sign-in', async () => {
    api.on(REFRESH, () => errorResponse(401, { code: 'refresh_token_reused' }))
    const session = useSessionStore()
    installSessionExpiredRedirect(router, session)
    await router.push('/sign-in')
    session.sessionStart(tokensFor(ALICE, 'access-1'))

    await session.sessionRefresh()
    await new Promise((resolve) => setTimeout(resolve, 10))

    expect(session.signInNotice).toBe(SESSION_ENDED_MESSAGE)
    expect(router.currentRoute.value.fullPath).toBe('/sign-in')
  })
})
