/**
 * notification-service as server state: the unread count (the bell), the notifications list,
 * marking read, the preferences, and the signed-out unsubscribe link. The live channel keeps the
 * count and the list current (lib/liveUpdate.ts: `notification.created`, `notifications.read`).
 */
import { useMutation, useQuery, useQueryCache } from '@pinia/colada'
import { computed, toValue, type MaybeRefOrGetter } from 'vue'

import {
  notificationPreferencesGet,
  notificationPreferencesPut,
  notificationRead,
  notificationsList,
  notificationsReadAll,
  notificationsUnreadCount,
  unsubscribeConfirm,
  unsubscribeGet,
  type AppNotification,
  type NotificationPreferenceChange,
  type UnreadCount,
} from '@/api/notifications'
import { listItemUpsert } from '@/lib/liveUpdate'
import { queryKeys } from '@/lib/queryKeys'
import { useSessionStore } from '@/stores/useSessionStore'

import { usePagedListQuery } from './pagedList'

export const NOTIFICATIONS_PAGE_SIZE = 20

function useOwner() {
  const session = useSessionStore()
  return {
    userId: computed(() => session.user?.id ?? ''),
    isSignedIn: computed(() => session.isSignedIn),
  }
}

export function useNotificationUnreadCount() {
  const { userId, isSignedIn } = useOwner()
  const query = useQuery({
    key: () => queryKeys.notifications.unreadCount(userId.value),
    query: notificationsUnreadCount,
    enabled: isSignedIn,
  })
  return { ...query, count: computed(() => query.data.value?.unread_count ?? 0) }
}

/** Newest first, a page at a time (the bell shows the first few of the same list). */
export function useNotifications() {
  const { userId, isSignedIn } = useOwner()
  return usePagedListQuery({
    key: () => queryKeys.notifications.list(userId.value),
    fetchPage: notificationsList,
    pageSize: NOTIFICATIONS_PAGE_SIZE,
    enabled: isSignedIn,
  })
}

/** Marks one notification read: the list shows it read at once, the count is read again. */
export function useNotificationRead() {
  const { userId } = useOwner()
  const queryCache = useQueryCache()
  return useMutation({
    mutation: (notification: AppNotification) => notificationRead(notification.id),
    onSuccess: async (notification) => {
      listItemUpsert(queryCache, queryKeys.notifications.list(userId.value), notification)
      await queryCache.invalidateQueries({ key: [...queryKeys.notifications.unreadCount(userId.value)] })
    },
  })
}

export function useNotificationsReadAll() {
  const { userId } = useOwner()
  const queryCache = useQueryCache()
  return useMutation({
    mutation: notificationsReadAll,
    onSuccess: async (count) => {
      queryCache.setQueryData<UnreadCount>([...queryKeys.notifications.unreadCount(userId.value)], count)
      await queryCache.invalidateQueries({ key: [...queryKeys.notifications.list(userId.value)] })
    },
  })
}

export function useNotificationPreferences() {
  const { userId, isSignedIn } = useOwner()
  return useQuery({
    key: () => queryKeys.notifications.preferences(userId.value),
    query: notificationPreferencesGet,
    enabled: isSignedIn,
  })
}

export function useNotificationPreferencesSave() {
  const { userId } = useOwner()
  const queryCache = useQueryCache()
  return useMutation({
    mutation: (types: NotificationPreferenceChange[]) => notificationPreferencesPut(types),
    onSuccess: (preferences) => {
      queryCache.setQueryData([...queryKeys.notifications.preferences(userId.value)], preferences)
    },
  })
}

/** What an unsubscribe link turns off (public: no sign-in, never retried on its own). */
export function useUnsubscribeInfo(token: MaybeRefOrGetter<string>) {
  return useQuery({
    key: () => queryKeys.notifications.unsubscribe(toValue(token)),
    query: () => unsubscribeGet(toValue(token)),
    enabled: () => toValue(token) !== '',
    refetchOnWindowFocus: false,
    staleTime: Infinity,
  })
}

export function useUnsubscribeConfirm() {
  return useMutation({ mutation: (token: string) => unsubscribeConfirm(token) })
}
