import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { notificationWire } from '@/__tests__/messagingFixtures'
import { signedInPage } from '@/__tests__/signedInPage'
import { setAccessTokenProvider } from '@/api/http'
import { applyLiveEvent } from '@/lib/liveUpdate'
import { useQueryCache } from '@pinia/colada'

import TheAppHeaderNotificationBell from '../TheAppHeaderNotificationBell.vue'

const ITEMS = 'GET /api/v1/notifications/items'
const COUNT = 'GET /api/v1/notifications/unread-count'

let api: FakeApi
let wrapper: VueWrapper | undefined

beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: true })
  vi.setSystemTime(new Date('2026-12-07T21:00:00Z'))
  api = installFakeApi({
    'POST /api/v1/user/auth/refresh': () => jsonResponse(200, tokensFor(ALICE, 'access-1')),
    [COUNT]: () => jsonResponse(200, { unread_count: 2 }),
    [ITEMS]: () =>
      jsonResponse(200, {
        data: [
          notificationWire(),
          notificationWire({ id: 'ntf_0', title: 'New message', body: 'Bob wrote', link: '/messages/c1', read_at: '2026-12-07T19:00:00Z', created_at: '2026-12-07T18:00:00Z' }),
        ],
        has_more: false,
      }),
  })
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  setAccessTokenProvider(() => null)
  vi.useRealTimers()
})

async function bell() {
  const mounted = await signedInPage(TheAppHeaderNotificationBell, { path: '/' })
  wrapper = mounted.wrapper
  return mounted
}

describe('TheAppHeaderNotificationBell', () => {
  it('shows the unread count on the bell, said in its label', async () => {
    const { wrapper: view } = await bell()

    const toggle = view.get('button[aria-controls="app-header-notifications"]')
    expect(toggle.attributes('aria-label')).toBe('Notifications, 2 unread')
    expect(toggle.attributes('aria-expanded')).toBe('false')
    expect(view.get('[data-testid="notification-count"]').text()).toBe('2')
    expect(view.find('#app-header-notifications').exists()).toBe(false)
  })

  it('the count follows the live channel', async () => {
    const { wrapper: view, pinia } = await bell()

    await applyLiveEvent(useQueryCache(pinia), ALICE.id, {
      type: 'event',
      topic: `user:${ALICE.id}`,
      seq: 1,
      event: 'notification.created',
      data: { notification: notificationWire({ id: 'ntf_9' }), unread_count: 3 },
      at: '2026-12-07T21:00:00Z',
    })
    await flushPromises()

    expect(view.get('[data-testid="notification-count"]').text()).toBe('3')
    await applyLiveEvent(useQueryCache(pinia), ALICE.id, {
      type: 'event',
      topic: `user:${ALICE.id}`,
      seq: 2,
      event: 'notifications.read',
      data: { unread_count: 0 },
      at: '2026-12-07T21:00:00Z',
    })
    await flushPromises()
    expect(view.find('[data-testid="notification-count"]').exists()).toBe(false)
    expect(view.get('button[aria-controls="app-header-notifications"]').attributes('aria-label')).toBe('Notifications')
  })

  it('opens a list of the latest, unread marked; a click marks it read and follows its link', async () => {
    api.on('POST /api/v1/notifications/items/ntf_1/read', () =>
      jsonResponse(200, notificationWire({ read_at: '2026-12-07T21:00:00Z' })),
    )
    const { wrapper: view, router } = await bell()
    await view.get('button[aria-controls="app-header-notifications"]').trigger('click')
    await flushPromises()

    const items = view.findAll('#app-header-notifications li button')
    expect(items.map((item) => [...item.findAll('span.block')].map((part) => part.text()))).toEqual([
      ['Unread: Deposit credited', '3 DOGE is now in your available balance.', '1 hour ago'],
      ['New message', 'Bob wrote', '3 hours ago'],
    ])
    expect(items.map((item) => item.attributes('data-unread'))).toEqual(['true', 'false'])
    expect(view.get('#app-header-notifications a').attributes('href')).toBe('/notifications')

    api.on(COUNT, () => jsonResponse(200, { unread_count: 1 }))
    await items[0]?.trigger('click')
    await flushPromises()

    expect(api.requestsTo('POST /api/v1/notifications/items/ntf_1/read')).toHaveLength(1)
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/wallet'))
    expect(view.get('[data-testid="notification-count"]').text()).toBe('1')
  })

  it('Mark all read empties the count', async () => {
    api.on('POST /api/v1/notifications/read-all', () => jsonResponse(200, { unread_count: 0 }))
    const { wrapper: view } = await bell()
    await view.get('button[aria-controls="app-header-notifications"]').trigger('click')
    await flushPromises()

    await view.findAll('button').find((button) => button.text() === 'Mark all read')?.trigger('click')
    await flushPromises()

    expect(api.requestsTo('POST /api/v1/notifications/read-all')).toHaveLength(1)
    expect(view.find('[data-testid="notification-count"]').exists()).toBe(false)
  })

  it('closes on Escape and gives focus back to the bell', async () => {
    const { wrapper: view } = await bell()
    const toggle = view.get('button[aria-controls="app-header-notifications"]')
    await toggle.trigger('click')
    await flushPromises()

    await view.get('#app-header-notifications a').trigger('keydown', { key: 'Escape' })

    expect(toggle.attributes('aria-expanded')).toBe('false')
    expect(document.activeElement).toBe(toggle.element)
  })
})
