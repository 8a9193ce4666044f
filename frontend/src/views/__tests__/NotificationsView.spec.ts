import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { notificationWire } from '@/__tests__/messagingFixtures'
import { signedInPage } from '@/__tests__/signedInPage'
import { setAccessTokenProvider } from '@/api/http'

import NotificationsView from '../NotificationsView.vue'

const ITEMS = 'GET /api/v1/notifications/items'

let api: FakeApi
let wrapper: VueWrapper | undefined

beforeEach(() => {
  api = installFakeApi({
    'POST /api/v1/user/auth/refresh': () => jsonResponse(200, tokensFor(ALICE, 'access-1')),
    'GET /api/v1/notifications/unread-count': () => jsonResponse(200, { unread_count: 1 }),
    [ITEMS]: (request) =>
      request.url.includes('starting_after=')
        ? jsonResponse(200, { data: [notificationWire({ id: 'ntf_old', title: 'Old one', link: null, read_at: '2026-12-01T00:00:00Z' })], has_more: false })
        : jsonResponse(200, { data: [notificationWire()], has_more: true }),
  })
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  setAccessTokenProvider(() => null)
})

async function notificationsPage(): Promise<VueWrapper> {
  const mounted = await signedInPage(NotificationsView, { path: '/notifications' })
  wrapper = mounted.wrapper
  return mounted.wrapper
}

function rows(view: VueWrapper): string[][] {
  return view.findAll('ul[aria-label="Notifications"] li').map((row) => [
    row.attributes('data-unread') ?? '',
    row.get('p').text(),
  ])
}

describe('NotificationsView', () => {
  it('lists notifications newest first, unread marked, and loads more along the cursor', async () => {
    const view = await notificationsPage()

    expect(view.get('h1').text()).toBe('Notifications')
    expect(api.requestsTo(ITEMS).map((request) => request.url)).toEqual(['/api/v1/notifications/items?limit=20'])
    expect(rows(view)).toEqual([['true', 'Unread: Deposit credited']])

    await view.findAll('button').find((button) => button.text() === 'Load more')?.trigger('click')
    await flushPromises()

    expect(api.requestsTo(ITEMS).at(-1)?.url).toBe('/api/v1/notifications/items?limit=20&starting_after=ntf_1')
    expect(rows(view)).toEqual([
      ['true', 'Unread: Deposit credited'],
      ['false', 'Old one'],
    ])
    expect(view.findAll('button').map((button) => button.text())).not.toContain('Load more')
  })

  it('marks one read, and all read', async () => {
    api.on('POST /api/v1/notifications/items/ntf_1/read', () =>
      jsonResponse(200, notificationWire({ read_at: '2026-12-07T21:00:00Z' })),
    )
    const view = await notificationsPage()

    api.on('GET /api/v1/notifications/unread-count', () => jsonResponse(200, { unread_count: 0 }))
    await view.findAll('button').find((button) => button.text() === 'Mark read')?.trigger('click')
    await flushPromises()

    expect(rows(view)).toEqual([['false', 'Deposit credited']])
    expect(view.findAll('button').map((button) => button.text())).not.toContain('Mark all read')
  })

  it('says so when there is nothing yet', async () => {
    api.on(ITEMS, () => jsonResponse(200, { data: [], has_more: false }))
    api.on('GET /api/v1/notifications/unread-count', () => jsonResponse(200, { unread_count: 0 }))
    const view = await notificationsPage()

    expect(view.find('ul[aria-label="Notifications"]').exists()).toBe(false)
    expect(view.text()).toContain('No notifications yet. Deposits, messages and your listings’ news will show here.')
  })
})
