import { useQueryCache } from '@pinia/colada'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import type { Pinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { errorResponse, installFakeApi, jsonResponse, type FakeApi } from '@/__tests__/fakeApi'
import { ALICE, tokensFor } from '@/__tests__/fixtures'
import { BOB_ID, CONVERSATION_ID, conversationWire, messageWire } from '@/__tests__/messagingFixtures'
import { fieldByLabel } from '@/__tests__/mountPage'
import { signedInPage } from '@/__tests__/signedInPage'
import { setAccessTokenProvider } from '@/api/http'
import { applyLiveEvent } from '@/lib/liveUpdate'

import ConversationView from '../ConversationView.vue'

const BASE = `/api/v1/messaging/conversations/${CONVERSATION_ID}`
const MESSAGES = `GET ${BASE}/messages`
const SEND = `POST ${BASE}/messages`
const READ = `POST ${BASE}/read`

const MINE = messageWire({ id: 'm2', sender_id: ALICE.id, body: 'Yes, it is.', sent_at: '2026-12-07T20:01:00Z' })
const THEIRS = messageWire({ id: 'm3', body: 'Great, see /listings/lst-9 too', sent_at: '2026-12-07T20:02:00Z' })

let api: FakeApi
let wrapper: VueWrapper | undefined
let pinia: Pinia

beforeEach(() => {
  api = installFakeApi({
    'POST /api/v1/user/auth/refresh': () => jsonResponse(200, tokensFor(ALICE, 'access-1')),
    [`GET ${BASE}`]: () => jsonResponse(200, conversationWire()),
    [MESSAGES]: (request) =>
      request.url.includes('before=')
        ? jsonResponse(200, { data: [messageWire({ id: 'm0', body: 'Hello?', sent_at: '2026-12-07T19:00:00Z' })], has_more: false })
        : jsonResponse(200, { data: [messageWire(), MINE, THEIRS], has_more: true }),
    [READ]: () => jsonResponse(200, conversationWire({ unread_count: 0 })),
    'GET /api/v1/messaging/conversations': () => jsonResponse(200, { data: [], has_more: false }),
    'GET /api/v1/messaging/unread-count': () => jsonResponse(200, { unread_count: 0 }),
  })
})

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  setAccessTokenProvider(() => null)
})

async function chat(): Promise<VueWrapper> {
  const mounted = await signedInPage(ConversationView, {
    path: `/messages/${CONVERSATION_ID}`,
    props: { id: CONVERSATION_ID },
  })
  wrapper = mounted.wrapper
  pinia = mounted.pinia
  return mounted.wrapper
}

function thread(view: VueWrapper): string[][] {
  return view.findAll('[role="log"] ol > li').map((item) => [
    item.attributes('data-message-id') ?? '',
    item.attributes('data-mine') ?? '',
    item.get('p.whitespace-pre-wrap').text(),
  ])
}

async function send(view: VueWrapper, text: string): Promise<void> {
  const field = fieldByLabel(view, 'Your message')
  field.value = text
  field.dispatchEvent(new Event('input'))
  await view.get('form[aria-label="Your message"]').trigger('submit')
  await flushPromises()
}

describe('ConversationView', () => {
  it('shows the other party, the listing and the thread oldest first, and marks it read', async () => {
    const view = await chat()

    expect(view.get('h1').text()).toBe('Bob B.')
    expect(view.findAll('h1 + p a').map((link) => [link.text(), link.attributes('href')])).toEqual([
      ['@bob', '/sellers/bob'],
      ['Leica M6 camera', '/listings/lst_1'],
    ])
    expect(api.requestsTo(MESSAGES).map((request) => request.url)).toEqual([`${BASE}/messages?limit=30`])
    expect(thread(view)).toEqual([
      ['msg_1', 'false', 'Is the camera still available?'],
      ['m2', 'true', 'Yes, it is.'],
      ['m3', 'false', 'Great, see /listings/lst-9 too'],
    ])
    expect(view.get('[data-message-id="m3"] a').attributes('href')).toBe('/listings/lst-9')
    expect(api.requestsTo(READ).map((request) => request.body)).toEqual([{ last_read_message_id: 'm3' }])
  })

  it('loads earlier messages above', async () => {
    const view = await chat()

    await view.findAll('button').find((button) => button.text() === 'Load earlier messages')?.trigger('click')
    await flushPromises()

    expect(api.requestsTo(MESSAGES).at(-1)?.url).toBe(`${BASE}/messages?limit=30&before=msg_1`)
    expect(thread(view).map((row) => row[0])).toEqual(['m0', 'msg_1', 'm2', 'm3'])
    expect(view.findAll('button').map((button) => button.text())).not.toContain('Load earlier messages')
  })

  it('sends a message with an Idempotency-Key and shows it; a refusal is said in the server’s words and a retry keeps the key', async () => {
    api.on(SEND, () =>
      errorResponse(400, {
        code: 'external_link',
        message: 'Messages can only link to dBay listings. Remove the link to the other website and send again.',
        param: 'body',
      }),
    )
    const view = await chat()

    await send(view, '  See https://evil.test  ')
    expect(view.get('form [role="alert"]').text()).toBe(
      'Messages can only link to dBay listings. Remove the link to the other website and send again.',
    )
    api.on(SEND, () => jsonResponse(201, messageWire({ id: 'm4', sender_id: ALICE.id, body: 'See https://evil.test', sent_at: '2026-12-07T20:03:00Z' })))
    await send(view, 'See https://evil.test')

    const sent = api.requestsTo(SEND)
    expect(sent.map((request) => request.body)).toEqual([{ body: 'See https://evil.test' }, { body: 'See https://evil.test' }])
    expect(sent[0]?.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/)
    expect(sent[1]?.headers['idempotency-key']).toBe(sent[0]?.headers['idempotency-key'])
    expect(thread(view).at(-1)).toEqual(['m4', 'true', 'See https://evil.test'])
    expect(fieldByLabel(view, 'Your message').value).toBe('')
  })

  it('checks the length before sending: empty and over 2,000 characters are refused here', async () => {
    const view = await chat()

    await send(view, '   ')
    expect(view.get('form [role="alert"]').text()).toBe('Write a message first.')
    await send(view, 'x'.repeat(2001))
    expect(view.get('form [role="alert"]').text()).toBe('Messages can be up to 2,000 characters. Shorten it and send again.')
    expect(view.text()).toContain('2,001 / 2,000 characters')
    expect(api.requestsTo(SEND)).toEqual([])
  })

  it('appends a live message once, marks it read, and shows "Seen" when the other party has read mine', async () => {
    const view = await chat()
    expect(view.find('[data-testid="seen"]').exists()).toBe(false)
    const incoming = messageWire({ id: 'm5', body: 'Still there?', sent_at: '2026-12-07T20:10:00Z' })
    const frame = {
      type: 'event' as const,
      topic: `user:${ALICE.id}`,
      seq: 1,
      event: 'message.created',
      data: { conversation_id: CONVERSATION_ID, message: incoming },
      at: '2026-12-07T20:10:00Z',
    }

    await applyLiveEvent(useQueryCache(pinia), ALICE.id, frame)
    await applyLiveEvent(useQueryCache(pinia), ALICE.id, { ...frame, seq: 2 })
    await flushPromises()

    expect(thread(view).map((row) => row[0])).toEqual(['msg_1', 'm2', 'm3', 'm5'])
    expect(api.requestsTo(READ).map((request) => request.body)).toEqual([
      { last_read_message_id: 'm3' },
      { last_read_message_id: 'm5' },
    ])

    api.on(`GET ${BASE}`, () => jsonResponse(200, conversationWire({ other_last_read_message_id: 'm3' })))
    await applyLiveEvent(useQueryCache(pinia), ALICE.id, {
      ...frame,
      seq: 3,
      event: 'conversation.read',
      data: { conversation_id: CONVERSATION_ID, reader_id: BOB_ID, last_read_message_id: 'm3', read_at: '2026-12-07T20:11:00Z' },
    })
    await flushPromises()

    expect(view.findAll('[data-testid="seen"]').map((seen) => seen.element.closest('li')?.getAttribute('data-message-id'))).toEqual(['m2'])
  })

  it('blocks and unblocks the other party', async () => {
    api.on('POST /api/v1/messaging/blocks', () => jsonResponse(201, {}))
    const view = await chat()

    api.on(`GET ${BASE}`, () => jsonResponse(200, conversationWire({ blocked: true })))
    await view.findAll('button').find((button) => button.text() === 'Block Bob B.')?.trigger('click')
    await flushPromises()

    expect(api.requestsTo('POST /api/v1/messaging/blocks').map((request) => request.body)).toEqual([{ user_id: BOB_ID }])
    expect(view.text()).toContain('You blocked Bob B.: they can’t message you. Unblock them to write again.')
    expect(view.find('form[aria-label="Your message"]').exists()).toBe(false)

    api.on(`DELETE /api/v1/messaging/blocks/${BOB_ID}`, () => new Response(null, { status: 204 }))
    api.on(`GET ${BASE}`, () => jsonResponse(200, conversationWire()))
    await view.findAll('button').find((button) => button.text() === 'Unblock Bob B.')?.trigger('click')
    await flushPromises()

    expect(api.requestsTo(`DELETE /api/v1/messaging/blocks/${BOB_ID}`)).toHaveLength(1)
    expect(view.find('form[aria-label="Your message"]').exists()).toBe(true)
  })

  it('reports their message with a reason (required); my own messages have no Report', async () => {
    api.on('POST /api/v1/messaging/messages/m3/report', () => jsonResponse(201, { id: 'rep_1', status: 'open' }))
    const view = await chat()
    expect(view.get('[data-message-id="m2"]').findAll('button')).toHaveLength(0)

    await view.get('[data-message-id="m3"] button').trigger('click')
    const form = view.get('form[aria-label="Report this message"]')
    await form.trigger('submit')
    expect(form.get('[role="alert"]').text()).toBe('Say what is wrong with this message.')

    await form.get('textarea').setValue('Asks me to pay outside dBay')
    await form.trigger('submit')
    await flushPromises()

    expect(api.requestsTo('POST /api/v1/messaging/messages/m3/report').map((request) => request.body)).toEqual([
      { reason: 'Asks me to pay outside dBay' },
    ])
    expect(view.get('[data-message-id="m3"] [role="status"]').text()).toBe('Reported. Our team will look at it.')
  })

  it('a conversation that is not yours is not found', async () => {
    api.on(`GET ${BASE}`, () => errorResponse(404, { code: 'conversation_not_found' }))
    api.on(MESSAGES, () => errorResponse(404, { code: 'conversation_not_found' }))
    const view = await chat()

    expect(view.get('h1').text()).toBe('Conversation not found')
    expect(vi.isMockFunction(fetch)).toBe(true)
  })
})
