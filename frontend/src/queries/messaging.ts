/**
 * messaging-service as server state: the inbox, one conversation, its thread (oldest first,
 * older pages loaded on demand), sending, marking read, blocking and reporting. The live channel
 * appends incoming messages and "Seen" receipts (lib/liveUpdate.ts: `message.created`,
 * `conversation.read`).
 */
import { useMutation, useQuery, useQueryCache } from '@pinia/colada'
import { computed, toValue, type MaybeRefOrGetter } from 'vue'

import {
  conversationGet,
  conversationRead,
  conversationStart,
  conversationsList,
  messageReport,
  messageSend,
  messagesList,
  messagingUnreadCount,
  userBlock,
  userUnblock,
  type Conversation,
  type ConversationStart,
  type Message,
} from '@/api/messaging'
import { threadAppend, threadMerge, type Thread } from '@/lib/liveUpdate'
import { queryKeys } from '@/lib/queryKeys'
import { useSessionStore } from '@/stores/useSessionStore'

import { usePagedListQuery } from './pagedList'

export const CONVERSATIONS_PAGE_SIZE = 20
export const MESSAGES_PAGE_SIZE = 30

function useOwner() {
  const session = useSessionStore()
  return {
    userId: computed(() => session.user?.id ?? ''),
    isSignedIn: computed(() => session.isSignedIn),
  }
}

export function useMessagingUnreadCount() {
  const { userId, isSignedIn } = useOwner()
  const query = useQuery({
    key: () => queryKeys.messaging.unreadCount(userId.value),
    query: messagingUnreadCount,
    enabled: isSignedIn,
  })
  return { ...query, count: computed(() => query.data.value?.unread_count ?? 0) }
}

/** The inbox, most recently active first. */
export function useConversations() {
  const { userId, isSignedIn } = useOwner()
  return usePagedListQuery({
    key: () => queryKeys.messaging.conversations(userId.value),
    fetchPage: conversationsList,
    pageSize: CONVERSATIONS_PAGE_SIZE,
    enabled: isSignedIn,
  })
}

export function useConversation(conversationId: MaybeRefOrGetter<string>) {
  const { userId, isSignedIn } = useOwner()
  const query = useQuery({
    key: () => queryKeys.messaging.conversation(userId.value, toValue(conversationId)),
    query: () => conversationGet(toValue(conversationId)),
    enabled: isSignedIn,
  })
  return { ...query, conversation: computed<Conversation | null>(() => query.data.value ?? null) }
}

/**
 * A thread, oldest first. The query reads the newest page and merges it into what is loaded
 * (older pages stay); loadEarlier() adds the page before the oldest message shown.
 */
export function useThread(conversationId: MaybeRefOrGetter<string>) {
  const { userId, isSignedIn } = useOwner()
  const queryCache = useQueryCache()
  const key = () => [...queryKeys.messaging.messages(userId.value, toValue(conversationId))]

  const query = useQuery<Thread>({
    key,
    enabled: isSignedIn,
    query: async () => {
      const latest = await messagesList(toValue(conversationId), { limit: MESSAGES_PAGE_SIZE })
      const loaded = queryCache.getQueryData<Thread>(key())
      return loaded === undefined
        ? { items: [...latest.data], hasMore: latest.has_more }
        : threadMerge(loaded, latest.data)
    },
  })

  async function loadEarlier(): Promise<void> {
    const entryKey = key()
    const oldest = queryCache.getQueryData<Thread>(entryKey)?.items[0]
    const page = await messagesList(toValue(conversationId), { limit: MESSAGES_PAGE_SIZE, before: oldest?.id })
    queryCache.setQueryData<Thread>(entryKey, (current) => ({
      ...threadMerge(current ?? { items: [], hasMore: false }, page.data),
      hasMore: page.has_more,
    }))
  }

  return {
    ...query,
    messages: computed<Message[]>(() => query.data.value?.items ?? []),
    hasEarlier: computed(() => query.data.value?.hasMore ?? false),
    loadEarlier,
  }
}

function useInvalidate() {
  const queryCache = useQueryCache()
  return (key: readonly string[]) => queryCache.invalidateQueries({ key: [...key] })
}

/** Sends one message (one Idempotency-Key per typed message, reused on retry). */
export function useMessageSend(conversationId: MaybeRefOrGetter<string>) {
  const { userId } = useOwner()
  const queryCache = useQueryCache()
  const invalidate = useInvalidate()
  return useMutation({
    mutation: (attempt: { body: string; idempotencyKey: string }) =>
      messageSend(toValue(conversationId), attempt.body, attempt.idempotencyKey),
    onSuccess: async (message) => {
      threadAppend(queryCache, queryKeys.messaging.messages(userId.value, toValue(conversationId)), message)
      await invalidate(queryKeys.messaging.conversations(userId.value))
    },
  })
}

/** Tells the service the thread is read up to a message; the counts are read again. */
export function useConversationMarkRead(conversationId: MaybeRefOrGetter<string>) {
  const { userId } = useOwner()
  const queryCache = useQueryCache()
  const invalidate = useInvalidate()
  return useMutation({
    mutation: (lastReadMessageId: string) => conversationRead(toValue(conversationId), lastReadMessageId),
    onSuccess: async (conversation) => {
      queryCache.setQueryData([...queryKeys.messaging.conversation(userId.value, conversation.id)], conversation)
      await Promise.allSettled([
        invalidate(queryKeys.messaging.conversations(userId.value)),
        invalidate(queryKeys.messaging.unreadCount(userId.value)),
      ])
    },
  })
}

/** "Contact seller": a new conversation (or the existing one about that listing) with a first message. */
export function useConversationStart() {
  const { userId } = useOwner()
  const queryCache = useQueryCache()
  const invalidate = useInvalidate()
  return useMutation({
    mutation: (attempt: { start: ConversationStart; idempotencyKey: string }) =>
      conversationStart(attempt.start, attempt.idempotencyKey),
    onSuccess: async (conversation) => {
      queryCache.setQueryData([...queryKeys.messaging.conversation(userId.value, conversation.id)], conversation)
      await invalidate(queryKeys.messaging.conversations(userId.value))
    },
  })
}

/** Blocks or unblocks the other party of a conversation. */
export function useBlockToggle(conversationId: MaybeRefOrGetter<string>) {
  const { userId } = useOwner()
  const invalidate = useInvalidate()
  return useMutation({
    mutation: (change: { userId: string; isBlocked: boolean }) =>
      change.isBlocked ? userBlock(change.userId) : userUnblock(change.userId),
    onSuccess: async () => {
      await Promise.allSettled([
        invalidate(queryKeys.messaging.conversation(userId.value, toValue(conversationId))),
        invalidate(queryKeys.messaging.conversations(userId.value)),
      ])
    },
  })
}

export function useMessageReport() {
  return useMutation({
    mutation: (report: { messageId: string; reason: string }) => messageReport(report.messageId, report.reason),
  })
}
