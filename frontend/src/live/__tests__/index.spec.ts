import { PiniaColada, useQueryCache } from '@pinia/colada'
import { flushPromises } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createApp, effectScope } from 'vue'

import { errorResponse, installFakeApi, type FakeApi } from '@/__tests__/fakeApi'
import { fakeSockets } from '@/__tests__/fakeSocket'
import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { queryKeys } from '@/lib/queryKeys'
import { useSessionStore } from '@/stores/useSessionStore'

import { installLiveChannel, liveStatus, useLiveTopic } from '..'

let pinia: Pinia
let api: FakeApi
let stop: (() => void) | null = null

beforeEach(() => {
  pinia = createPinia()
  createApp({}).use(pinia).use(PiniaColada)
  setActivePinia(pinia)
  api = installFakeApi({
    'POST /api/v1/user/auth/refresh': () => errorResponse(401, { code: 'session_revoked' }),
  })
})

afterEach(() => {
  stop?.()
  stop = null
})

function install() {
  const sockets = fakeSockets()
  stop = installLiveChannel(pinia, { createSocket: sockets.createSocket, setTimer: () => 0, clearTimer: () => undefined })
  return sockets
}

describe('installLiveChannel', () => {
  it('signed in: authenticates with the access token and subscribes the user’s own topic', () => {
    useSessionStore().sessionStart(tokensFor(ALICE, 'access-1'))
    const sockets = install()

    sockets.last().open()

    expect(sockets.last().url).toBe(`ws://${window.location.host}/ws/`)
    expect(sockets.last().sent).toEqual([
      { op: 'auth', token: 'access-1' },
      { op: 'subscribe', topic: 'user:usr_alice', after: null },
    ])
    expect(liveStatus.value).toBe('open')
  })

  it('sends a new auth frame on the same socket after the token is refreshed', async () => {
    const session = useSessionStore()
    session.sessionStart(tokensFor(ALICE, 'access-1'))
    const sockets = install()
    sockets.last().open()

    session.sessionStart(tokensFor(ALICE, 'access-2'))
    await flushPromises()

    expect(sockets.sockets).toHaveLength(1)
    expect(sockets.last().sent.at(-1)).toEqual({ op: 'auth', token: 'access-2' })
  })

  it('on sign-out, drops the user topic and reconnects without a token, keeping public topics', async () => {
    const session = useSessionStore()
    session.sessionStart(tokensFor(ALICE, 'access-1'))
    const sockets = install()
    const page = effectScope()
    page.run(() => useLiveTopic(() => 'listing:lst_1'))
    await flushPromises()
    sockets.last().open()

    session.sessionEnd()
    await flushPromises()

    expect(sockets.sockets[0]?.closedWith).toEqual({ code: 1000, reason: 'bye' })
    expect(sockets.sockets).toHaveLength(2)
    sockets.last().open()
    expect(sockets.last().sent).toEqual([{ op: 'subscribe', topic: 'listing:lst_1', after: null }])

    page.stop()
    await flushPromises()
    expect(sockets.last().sent.at(-1)).toEqual({ op: 'unsubscribe', topic: 'listing:lst_1' })
    // Nothing left to follow for a signed-out visitor: the socket closes.
    expect(sockets.last().closedWith).toEqual({ code: 1000, reason: 'bye' })
  })

  it('signed out, opens no socket until a page asks for a public topic', async () => {
    const sockets = install()
    expect(sockets.sockets).toEqual([])

    const page = effectScope()
    page.run(() => useLiveTopic(() => 'listing:lst_2'))
    await flushPromises()

    expect(sockets.sockets).toHaveLength(1)
    sockets.last().open()
    expect(sockets.last().sent).toEqual([{ op: 'subscribe', topic: 'listing:lst_2', after: null }])
    page.stop()
  })

  it('writes the user’s events into the cache, and ignores another user’s topic', async () => {
    useSessionStore().sessionStart(tokensFor(ALICE, 'access-1'))
    const sockets = install()
    sockets.last().open()
    const queryCache = useQueryCache(pinia)

    sockets.last().receive({
      type: 'event',
      topic: 'user:usr_alice',
      seq: 3,
      event: 'notifications.read',
      data: { unread_count: 2 },
      at: '2026-12-07T21:00:00Z',
    })
    await flushPromises()

    expect(queryCache.getQueryData([...queryKeys.notifications.unreadCount('usr_alice')])).toEqual({ unread_count: 2 })
  })

  it('closed with 4403 (session revoked): tries the refresh, which fails, and the user is signed out', async () => {
    const session = useSessionStore()
    session.sessionStart(tokensFor(ALICE, 'access-1'))
    const sockets = install()
    sockets.last().open()

    sockets.last().serverClose(4403, 'Your session was ended.')
    await flushPromises()

    expect(api.requestsTo('POST /api/v1/user/auth/refresh')).toHaveLength(1)
    expect(session.isSignedIn).toBe(false)
    expect(session.signInNotice).toBe('Your session ended — please sign in again.')
  })
})
