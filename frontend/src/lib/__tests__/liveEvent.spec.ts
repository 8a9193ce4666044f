import { PiniaColada, useQueryCache } from '@pinia/colada'
import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp } from 'vue'

import { conversationWire, messageWire, notificationWire } from '@/__tests__/messagingFixtures'
import type { Conversation } from '@/api/messaging'
import type { LiveEventFrame } from '@/live/liveClient'
import type { PagedList } from '@/queries/pagedList'

import { applyLiveEvent, applyLiveReset, type Thread } from '../liveUpdate'
import { queryKeys } from '../queryKeys'

const USER = 'usr_alice'

let queryCache: ReturnType<typeof useQueryCache>
let invalidated: string[]

function frame(event: string, data: Record<string, unknown>, topic = `user:${USER}`): LiveEventFrame {
  return { type: 'event', topic, seq: 1, event, data, at: '2026-12-07T21:00:00Z' }
}

beforeEach(() => {
  const pinia = createPinia()
  createApp({}).use(pinia).use(PiniaColada)
  setActivePinia(pinia)
  queryCache = useQueryCache()
  invalidated = []
  vi.spyOn(queryCache, 'invalidateQueries').mockImplementation((filters) => {
    invalidated.push(((filters?.key ?? []) as string[]).join('/'))
    return Promise.resolve()
  })
})

describe('applyLiveEvent', () => {
  it('wallet.updated: reads deposits and withdrawals, then the balance, then the history', async () => {
    await applyLiveEvent(queryCache, USER, frame('wallet.updated', { cause: 'deposit.detected', deposit_id: 'd1' }))

    expect(invalidated).toEqual([
      `user/${USER}/wallet/deposits`,
      `user/${USER}/wallet/withdrawals`,
      `user/${USER}/wallet/balance`,
      `user/${USER}/wallet/transfers`,
    ])
  })

  it('notification.created: sets the bell count and puts the notification on top of a loaded list', async () => {
    const listKey = [...queryKeys.notifications.list(USER)]
    queryCache.setQueryData(listKey, { items: [notificationWire({ id: 'old' })], hasMore: false })

    await applyLiveEvent(queryCache, USER, frame('notification.created', { notification: notificationWire(), unread_count: 4 }))

    expect(queryCache.getQueryData([...queryKeys.notifications.unreadCount(USER)])).toEqual({ unread_count: 4 })
    expect(queryCache.getQueryData<PagedList<{ id: string }>>(listKey)?.items.map((item) => item.id)).toEqual(['ntf_1', 'old'])
  })

  it('notifications.read: sets the count and reads the list again', async () => {
    await applyLiveEvent(queryCache, USER, frame('notifications.read', { unread_count: 0 }))

    expect(queryCache.getQueryData([...queryKeys.notifications.unreadCount(USER)])).toEqual({ unread_count: 0 })
    expect(invalidated).toEqual([`user/${USER}/notifications/list`])
  })

  it('message.created: appends to the open thread once, however often it arrives, and reads the inbox and counts again', async () => {
    const threadKey = [...queryKeys.messaging.messages(USER, 'conv_1')]
    queryCache.setQueryData<Thread>(threadKey, {
      items: [messageWire({ id: 'm1', sent_at: '2026-12-07T20:00:00Z' })],
      hasMore: true,
    })
    const incoming = messageWire({ id: 'm2', body: 'Yes', sent_at: '2026-12-07T20:05:00Z' })

    await applyLiveEvent(queryCache, USER, frame('message.created', { conversation_id: 'conv_1', message: incoming }))
    await applyLiveEvent(queryCache, USER, frame('message.created', { conversation_id: 'conv_1', message: incoming }))

    const thread = queryCache.getQueryData<Thread>(threadKey)
    expect(thread?.items.map((message) => message.id)).toEqual(['m1', 'm2'])
    expect(thread?.hasMore).toBe(true)
    expect(invalidated.slice(0, 3)).toEqual([
      `user/${USER}/messaging/conversations`,
      `user/${USER}/messaging/conversation/conv_1`,
      `user/${USER}/messaging/unread-count`,
    ])
  })

  it('conversation.read by the other party: the conversation and its inbox row get the "Seen" message', async () => {
    const key = [...queryKeys.messaging.conversation(USER, 'conv_1')]
    const listKey = [...queryKeys.messaging.conversations(USER)]
    queryCache.setQueryData(key, conversationWire())
    queryCache.setQueryData(listKey, { items: [conversationWire(), conversationWire({ id: 'conv_2' })], hasMore: false })
    const read = { conversation_id: 'conv_1', reader_id: 'usr_bob', last_read_message_id: 'm9', read_at: '2026-12-07T21:00:00Z' }

    await applyLiveEvent(queryCache, USER, frame('conversation.read', read))

    expect(queryCache.getQueryData<Conversation>(key)?.other_last_read_message_id).toBe('m9')
    expect(
      queryCache.getQueryData<PagedList<Conversation>>(listKey)?.items.map((item) => item.other_last_read_message_id),
    ).toEqual(['m9', null])
  })

  it('conversation.read by me (another tab) changes no receipt', async () => {
    const key = [...queryKeys.messaging.conversation(USER, 'conv_1')]
    queryCache.setQueryData(key, conversationWire())

    await applyLiveEvent(
      queryCache,
      USER,
      frame('conversation.read', { conversation_id: 'conv_1', reader_id: USER, last_read_message_id: 'm9', read_at: 'x' }),
    )

    expect(queryCache.getQueryData<Conversation>(key)?.other_last_read_message_id).toBeNull()
  })

  it('listing.updated: reads that listing again', async () => {
    await applyLiveEvent(
      queryCache,
      '',
      frame('listing.updated', { listing_id: 'lst_1', status: 'ended', version: 3 }, 'listing:lst_1'),
    )

    expect(invalidated).toEqual(['listings/detail/lst_1'])
  })

  it('ignores events it does not know and malformed data', async () => {
    await applyLiveEvent(queryCache, USER, frame('bid.placed', { amount_koinu: '1' }))
    await applyLiveEvent(queryCache, USER, frame('message.created', { conversation_id: 'conv_1' }))

    expect(invalidated).toEqual([])
  })
})

describe('applyLiveReset', () => {
  it('reads everything of the user again for their topic, and the listing for a listing topic', async () => {
    await applyLiveReset(queryCache, USER, `user:${USER}`)
    await applyLiveReset(queryCache, USER, 'user:someone-else')
    await applyLiveReset(queryCache, USER, 'listing:lst_7')

    expect(invalidated).toEqual([`user/${USER}`, 'listings/detail/lst_7'])
  })
})
