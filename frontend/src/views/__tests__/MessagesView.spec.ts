import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { conversationWire, messageWire } from '@/__tests__/messagingFixtures'
import { signedInPage } from '@/__tests__/signedInPage'
import { setAccessTokenProvider } from '@/api/http'

import MessagesView from '../MessagesView.vue'

const LIST = 'GET /api/v1/messaging/conversations'

let api: FakeApi
let wrapper: VueWrapper | undefined

beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: true })
  vi.setSystemTime(new Date('2026-12-07T21:00:00Z'))
  api = installFakeApi({
    'POST /api/v1/user/auth/refresh': () => jsonResponse(200, tokensFor(ALICE, 'access-1')),
    [LIST]: (request) =>
      request.url.includes('starting_after=')
        ? jsonResponse(200, {
          data: [
            conversationWire({
              id: 'conv_2',
              listing: null,
              unread_count: 0,
              other_party: { id: 'usr_carol', display_name: '', username: 'carol' },
              last_message: messageWire({ id: 'm7', sender_id: ALICE.id, body: '<b>See you</b>', sent_at: '2026-12-05T21:00:00Z' }),
            }),
          ],
          has_more: false,
        })
        : jsonResponse(200, { data: [conversationWire()], has_more: true }),
  })
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  setAccessTokenProvider(() => null)
  vi.useRealTimers()
})

function rows(view: VueWrapper): string[][] {
  return view.findAll('ul[aria-label="Conversations"] li a').map((link) => [
    link.attributes('href') ?? '',
    ...link.findAll(':scope > span:nth-child(2) > span').map((part) => part.text().replace(/\s+/g, ' ')),
    link.find('[data-testid="conversation-unread"]').exists() ? link.get('[data-testid="conversation-unread"]').text() : '',
  ])
}

describe('MessagesView', () => {
  it('lists conversations: other party, listing, last message and unread count; loads more', async () => {
    const { wrapper: view } = await signedInPage(MessagesView, { path: '/messages' })
    wrapper = view

    expect(view.get('h1').text()).toBe('Messages')
    expect(rows(view)).toEqual([
      ['/messages/conv_1', 'Bob B.1 hour ago', 'About: Leica M6 camera', 'Is the camera still available?', '1 unread message'],
    ])

    await view.findAll('button').find((button) => button.text() === 'Load more')?.trigger('click')
    await flushPromises()

    expect(api.requestsTo(LIST).map((request) => request.url)).toEqual([
      '/api/v1/messaging/conversations?limit=20',
      '/api/v1/messaging/conversations?limit=20&starting_after=conv_1',
    ])
    expect(rows(view)[1]).toEqual(['/messages/conv_2', 'carol2 days ago', 'You: <b>See you</b>', ''])
    expect(view.find('b').exists()).toBe(false)
  })

  it('says how to start when there is no conversation', async () => {
    api.on(LIST, () => jsonResponse(200, { data: [], has_more: false }))
    const { wrapper: view } = await signedInPage(MessagesView, { path: '/messages' })
    wrapper = view

    expect(view.text()).toContain('No conversations yet. Use “Contact seller” on a listing to ask about an item.')
  })
})
