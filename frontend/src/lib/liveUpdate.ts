/**
 * Writes a pushed change into the server-state cache, so the pages that show it update without
 * asking the API again (applyLiveUpdate), and turns each live channel event (src/live/) into
 * those writes or into reading the affected queries again (applyLiveEvent).
 *
 * - A whole resource (a balance) replaces the cached one.
 * - A list item (a deposit, a withdrawal) replaces the cached item with the same id, or goes on
 *   top of the list if it is new. A list that was never loaded is left alone (the page reads it
 *   fresh when it opens).
 * Add an event kind here when a page needs one; keep the key in lib/queryKeys.ts.
 */
import type { QueryCache } from '@pinia/colada'

import type { Conversation, Message } from '@/api/messaging'
import type { AppNotification, UnreadCount } from '@/api/notifications'
import type { Deposit, WalletBalance, Withdrawal } from '@/api/wallet'
import type { LiveEventFrame } from '@/live/liveClient'
import type { PagedList } from '@/queries/pagedList'

import { queryKeys } from './queryKeys'

export type LiveUpdate =
  | { kind: 'wallet.balance'; balance: WalletBalance }
  | { kind: 'wallet.deposit'; deposit: Deposit }
  | { kind: 'wallet.withdrawal'; withdrawal: Withdrawal }

export function applyLiveUpdate(queryCache: QueryCache, userId: string, update: LiveUpdate): void {
  switch (update.kind) {
    case 'wallet.balance':
      queryCache.setQueryData(queryKeys.wallet.balance(userId), update.balance)
      return
    case 'wallet.deposit':
      listItemUpsert(queryCache, queryKeys.wallet.deposits(userId), update.deposit)
      return
    case 'wallet.withdrawal':
      listItemUpsert(queryCache, queryKeys.wallet.withdrawals(userId), update.withdrawal)
      return
  }
}

/** Replaces the item with the same id in a cached PagedList, or puts it on top; no list, no change. */
export function listItemUpsert<Item extends { id: string }>(
  queryCache: QueryCache,
  key: readonly string[],
  item: Item,
): void {
  const list = queryCache.getQueryData<PagedList<Item>>([...key])
  if (list === undefined) {
    return
  }
  const index = list.items.findIndex((known) => known.id === item.id)
  const items = index === -1 ? [item, ...list.items] : list.items.map((known, at) => (at === index ? item : known))
  queryCache.setQueryData<PagedList<Item>>([...key], { ...list, items })
}

/** A thread as the cache holds it: messages oldest first, and whether older ones exist. */
export interface Thread {
  items: Message[]
  hasMore: boolean
}

/** Adds messages to a thread in time order; a message already there (same id) is replaced. */
export function threadMerge(thread: Thread, messages: readonly Message[]): Thread {
  const byId = new Map(thread.items.map((message) => [message.id, message]))
  for (const message of messages) {
    byId.set(message.id, message)
  }
  const items = [...byId.values()].sort((first, second) =>
    first.sent_at === second.sent_at ? 0 : first.sent_at < second.sent_at ? -1 : 1,
  )
  return { ...thread, items }
}

/** Appends a message to a cached thread (once, whatever the number of deliveries); no thread, no change. */
export function threadAppend(queryCache: QueryCache, key: readonly string[], message: Message): void {
  const thread = queryCache.getQueryData<Thread>([...key])
  if (thread !== undefined) {
    queryCache.setQueryData<Thread>([...key], threadMerge(thread, [message]))
  }
}

function invalidate(queryCache: QueryCache, key: readonly string[]): Promise<unknown> {
  return queryCache.invalidateQueries({ key: [...key] })
}

function text(data: Record<string, unknown>, name: string): string | null {
  const value = data[name]
  return typeof value === 'string' ? value : null
}

/**
 * One event of the live channel into the cache. Resolves when the queries it reads again have
 * answered (tests wait for it; the channel does not).
 */
export async function applyLiveEvent(queryCache: QueryCache, userId: string, frame: LiveEventFrame): Promise<void> {
  const data = frame.data
  switch (frame.event) {
    case 'wallet.updated': {
      if (userId === '') {
        return
      }
      // Lists first, then the balance (a deposit shown as credited has its credit in it), then history.
      await Promise.allSettled([
        invalidate(queryCache, queryKeys.wallet.deposits(userId)),
        invalidate(queryCache, queryKeys.wallet.withdrawals(userId)),
      ])
      await Promise.allSettled([invalidate(queryCache, queryKeys.wallet.balance(userId))])
      await Promise.allSettled([invalidate(queryCache, queryKeys.wallet.transfersAll(userId))])
      return
    }
    case 'notification.created': {
      const notification = data.notification as AppNotification | undefined
      if (typeof data.unread_count === 'number') {
        queryCache.setQueryData<UnreadCount>([...queryKeys.notifications.unreadCount(userId)], {
          unread_count: data.unread_count,
        })
      }
      if (notification !== undefined && typeof notification.id === 'string') {
        listItemUpsert(queryCache, queryKeys.notifications.list(userId), notification)
      }
      return
    }
    case 'notifications.read': {
      if (typeof data.unread_count === 'number') {
        queryCache.setQueryData<UnreadCount>([...queryKeys.notifications.unreadCount(userId)], {
          unread_count: data.unread_count,
        })
      }
      await invalidate(queryCache, queryKeys.notifications.list(userId))
      return
    }
    case 'message.created': {
      const conversationId = text(data, 'conversation_id')
      const message = data.message as Message | undefined
      if (conversationId === null || message === undefined || typeof message.id !== 'string') {
        return
      }
      threadAppend(queryCache, queryKeys.messaging.messages(userId, conversationId), message)
      await Promise.allSettled([
        invalidate(queryCache, queryKeys.messaging.conversations(userId)),
        invalidate(queryCache, queryKeys.messaging.conversation(userId, conversationId)),
        invalidate(queryCache, queryKeys.messaging.unreadCount(userId)),
      ])
      return
    }
    case 'conversation.read': {
      const conversationId = text(data, 'conversation_id')
      const lastRead = text(data, 'last_read_message_id')
      if (conversationId === null || lastRead === null || text(data, 'reader_id') === userId) {
        return
      }
      const seen = (conversation: Conversation): Conversation => ({ ...conversation, other_last_read_message_id: lastRead })
      const key = [...queryKeys.messaging.conversation(userId, conversationId)]
      const conversation = queryCache.getQueryData<Conversation>(key)
      if (conversation !== undefined) {
        queryCache.setQueryData<Conversation>(key, seen(conversation))
      }
      const listKey = [...queryKeys.messaging.conversations(userId)]
      const list = queryCache.getQueryData<PagedList<Conversation>>(listKey)
      if (list !== undefined) {
        queryCache.setQueryData<PagedList<Conversation>>(listKey, {
          ...list,
          items: list.items.map((item) => (item.id === conversationId ? seen(item) : item)),
        })
      }
      return
    }
    case 'listing.updated': {
      const listingId = text(data, 'listing_id')
      if (listingId !== null) {
        await invalidate(queryCache, queryKeys.listings.detail(listingId))
      }
      return
    }
  }
}

/** The channel could not replay a topic's missed events: read again what that topic feeds. */
export async function applyLiveReset(queryCache: QueryCache, userId: string, topic: string): Promise<void> {
  if (topic.startsWith('user:')) {
    if (userId !== '' && topic === `user:${userId}`) {
      await invalidate(queryCache, queryKeys.user(userId))
    }
    return
  }
  if (topic.startsWith('listing:')) {
    await invalidate(queryCache, queryKeys.listings.detail(topic.slice('listing:'.length)))
  }
}
