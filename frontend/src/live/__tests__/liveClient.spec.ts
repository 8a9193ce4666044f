import { describe, expect, it, vi } from 'vitest'

import { fakeSockets } from '@/__tests__/fakeSocket'

import {
  CLOSE_SESSION_REVOKED,
  CLOSE_TOKEN_INVALID,
  LiveClient,
  liveUrlFor,
  reconnectDelayMs,
  type LiveClientOptions,
  type LiveEventFrame,
} from '../liveClient'

function clientWith(overrides: Partial<LiveClientOptions> = {}) {
  const sockets = fakeSockets()
  const events: LiveEventFrame[] = []
  const resets: string[] = []
  const statuses: string[] = []
  const timers: { callback: () => void; ms: number }[] = []
  let token: string | null = 'access-1'
  const options: LiveClientOptions = {
    url: () => 'ws://dbay.test/ws/',
    accessToken: () => token,
    tokenRefresh: vi.fn(() => Promise.resolve(true)),
    onSessionRevoked: vi.fn(),
    onEvent: (frame) => events.push(frame),
    onReset: (topic) => resets.push(topic),
    onStatus: (status) => statuses.push(status),
    createSocket: sockets.createSocket,
    random: () => 0.5,
    setTimer: (callback, ms) => {
      timers.push({ callback, ms })
      return timers.length
    },
    clearTimer: () => undefined,
    ...overrides,
  }
  const client = new LiveClient(options)
  return {
    client,
    options,
    sockets,
    events,
    resets,
    statuses,
    timers,
    setToken: (next: string | null) => {
      token = next
    },
  }
}

function event(topic: string, seq: number, name = 'wallet.updated', data: Record<string, unknown> = {}) {
  return { type: 'event', topic, seq, event: name, data, at: '2026-12-07T21:00:00Z' }
}

describe('liveUrlFor', () => {
  it('uses ws: on http pages and wss: on https pages, same host, path /ws/', () => {
    expect(liveUrlFor({ protocol: 'http:', host: '127.0.0.1:3000' })).toBe('ws://127.0.0.1:3000/ws/')
    expect(liveUrlFor({ protocol: 'https:', host: 'dbay.example' })).toBe('wss://dbay.example/ws/')
  })
})

describe('reconnectDelayMs', () => {
  it('doubles its cap from 1 s to 30 s, with the delay between half the cap and the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 12].map((attempt) => reconnectDelayMs(attempt, () => 0))).toEqual([
      500, 1000, 2000, 4000, 8000, 15000, 15000, 15000,
    ])
    expect([0, 1, 5, 12].map((attempt) => reconnectDelayMs(attempt, () => 1))).toEqual([1000, 2000, 30000, 30000])
  })
})

describe('LiveClient', () => {
  it('authenticates first, then subscribes to every topic asked for', () => {
    const { client, sockets, statuses } = clientWith()
    client.subscribe('user:u1')
    client.subscribe('listing:l1')
    client.start()
    expect(sockets.last().url).toBe('ws://dbay.test/ws/')
    expect(sockets.last().sent).toEqual([])

    sockets.last().open()

    expect(sockets.last().sent).toEqual([
      { op: 'auth', token: 'access-1' },
      { op: 'subscribe', topic: 'user:u1', after: null },
      { op: 'subscribe', topic: 'listing:l1', after: null },
    ])
    expect(statuses).toEqual(['connecting', 'open'])
  })

  it('signed out, sends no auth frame (public topics only)', () => {
    const { client, sockets, setToken } = clientWith()
    setToken(null)
    client.subscribe('listing:l1')
    client.start()
    sockets.last().open()

    expect(sockets.last().sent).toEqual([{ op: 'subscribe', topic: 'listing:l1', after: null }])
  })

  it('hands events of subscribed topics on, once each, and skips replays already seen', () => {
    const { client, sockets, events } = clientWith()
    client.subscribe('user:u1')
    client.start()
    sockets.last().open()
    sockets.last().receive({ type: 'subscribed', topic: 'user:u1', seq: 4 })

    sockets.last().receive(event('user:u1', 5))
    sockets.last().receive(event('user:u1', 5))
    sockets.last().receive(event('user:u1', 4))
    sockets.last().receive(event('user:other', 9))
    sockets.last().receive(event('user:u1', 6, 'notification.created'))
    sockets.last().receive('not json at all')

    expect(events.map((frame) => [frame.topic, frame.seq, frame.event])).toEqual([
      ['user:u1', 5, 'wallet.updated'],
      ['user:u1', 6, 'notification.created'],
    ])
  })

  it('after a lost connection, reconnects with backoff and resumes each topic after its last seq', () => {
    const { client, sockets, timers } = clientWith()
    client.subscribe('user:u1')
    client.subscribe('listing:l1')
    client.start()
    sockets.last().open()
    sockets.last().receive({ type: 'subscribed', topic: 'user:u1', seq: 10 })
    sockets.last().receive({ type: 'subscribed', topic: 'listing:l1', seq: 2 })
    sockets.last().receive(event('user:u1', 11))

    sockets.last().serverClose(1006)
    expect(timers.map((timer) => timer.ms)).toEqual([750])
    expect(sockets.sockets).toHaveLength(1)

    timers[0]?.callback()
    expect(sockets.sockets).toHaveLength(2)
    sockets.last().serverClose(1006)
    expect(timers.map((timer) => timer.ms)).toEqual([750, 1500])
    timers[1]?.callback()
    sockets.last().open()

    expect(sockets.last().sent).toEqual([
      { op: 'auth', token: 'access-1' },
      { op: 'subscribe', topic: 'user:u1', after: 11 },
      { op: 'subscribe', topic: 'listing:l1', after: 2 },
    ])
    // A successful open starts the backoff again from the first step.
    sockets.last().serverClose(1006)
    expect(timers.at(-1)?.ms).toBe(750)
  })

  it('on reset, takes the new seq and asks for the topic to be read again', () => {
    const { client, sockets, resets, events } = clientWith()
    client.subscribe('user:u1')
    client.start()
    sockets.last().open()
    sockets.last().receive({ type: 'reset', topic: 'user:u1', seq: 900 })
    sockets.last().receive(event('user:u1', 900))
    sockets.last().receive(event('user:u1', 901))

    expect(resets).toEqual(['user:u1'])
    expect(events.map((frame) => frame.seq)).toEqual([901])
  })

  it('closed with 4401: renews the token, then connects again with the new one', async () => {
    const { client, sockets, options, setToken, timers } = clientWith()
    vi.mocked(options.tokenRefresh).mockImplementation(() => {
      setToken('access-2')
      return Promise.resolve(true)
    })
    client.start()
    sockets.last().open()
    sockets.last().serverClose(CLOSE_TOKEN_INVALID, 'token_expired')
    await Promise.resolve()
    await Promise.resolve()

    expect(options.tokenRefresh).toHaveBeenCalledTimes(1)
    expect(timers).toEqual([])
    expect(sockets.sockets).toHaveLength(2)
    sockets.last().open()
    expect(sockets.last().sent).toEqual([{ op: 'auth', token: 'access-2' }])
  })

  it('closed with 4403: the session was revoked, so it stops and says so', () => {
    const { client, sockets, options, timers, statuses } = clientWith()
    client.start()
    sockets.last().open()
    sockets.last().serverClose(CLOSE_SESSION_REVOKED, 'session_revoked')

    expect(options.onSessionRevoked).toHaveBeenCalledTimes(1)
    expect(timers).toEqual([])
    expect(sockets.sockets).toHaveLength(1)
    expect(statuses.at(-1)).toBe('closed')
  })

  it('sends a new auth frame after a refresh, once per new token', () => {
    const { client, sockets, setToken } = clientWith()
    client.start()
    sockets.last().open()
    client.reauthenticate()
    setToken('access-2')
    client.reauthenticate()
    client.reauthenticate()

    expect(sockets.last().sent).toEqual([
      { op: 'auth', token: 'access-1' },
      { op: 'auth', token: 'access-2' },
    ])
  })

  it('counts subscribers: a topic is dropped when the last one lets go', () => {
    const { client, sockets } = clientWith()
    client.start()
    sockets.last().open()
    const first = client.subscribe('listing:l1')
    const second = client.subscribe('listing:l1')
    first()
    first()
    expect(client.subscribedTopics()).toEqual(['listing:l1'])
    second()

    expect(client.subscribedTopics()).toEqual([])
    expect(sockets.last().sent).toEqual([
      { op: 'auth', token: 'access-1' },
      { op: 'subscribe', topic: 'listing:l1', after: null },
      { op: 'unsubscribe', topic: 'listing:l1' },
    ])
  })

  it('stop() closes the socket and does not reconnect', () => {
    const { client, sockets, timers, statuses } = clientWith()
    client.start()
    sockets.last().open()
    client.stop()

    expect(sockets.last().closedWith).toEqual({ code: 1000, reason: 'bye' })
    expect(timers).toEqual([])
    expect(statuses).toEqual(['connecting', 'open', 'idle'])
  })
})
