/**
 * The app's one live channel (liveClient.ts), wired to the session and the query cache.
 *
 * installLiveChannel (main.ts) opens the socket while there is something to follow (a signed-in
 * user, or a public topic a page asked for), subscribes the signed-in user's topic
 * (`user:<id>`), sends a new auth frame after every token refresh, reconnects as someone else
 * when the user changes, and hands each event to applyLiveEvent (lib/liveUpdate.ts), which
 * writes it into the cache or reads the affected queries again. Pages ask for public topics with
 * useLiveTopic (the listing page: `listing:<id>`), and read liveStatus to know whether the
 * channel is up (the wallet page polls slowly only while it is not).
 */
import { useQueryCache } from '@pinia/colada'
import type { Pinia } from 'pinia'
import { onScopeDispose, readonly, ref, toValue, watch, type MaybeRefOrGetter } from 'vue'

import { applyLiveEvent, applyLiveReset } from '@/lib/liveUpdate'
import { useSessionStore } from '@/stores/useSessionStore'

import { LiveClient, liveUrlFor, type LiveClientOptions, type LiveStatus } from './liveClient'

const status = ref<LiveStatus>('idle')

/** Whether the live channel is up ('open'); pages fall back to polling otherwise. */
export const liveStatus = readonly(status)

let client: LiveClient | null = null
/** Public topics pages ask for (useLiveTopic): a signed-out visitor needs a socket only for them. */
const publicTopicCount = ref(0)

/** The topic of one user's own events. */
export function userTopic(userId: string): string {
  return `user:${userId}`
}

export function listingTopic(listingId: string): string {
  return `listing:${listingId}`
}

/**
 * Starts the live channel for this app. `overrides` lets tests pass a fake socket and timers.
 * Returns the function that stops it.
 */
export function installLiveChannel(pinia: Pinia, overrides: Partial<LiveClientOptions> = {}): () => void {
  const session = useSessionStore(pinia)
  const queryCache = useQueryCache(pinia)
  let userTopicRelease: (() => void) | null = null

  const live = new LiveClient({
    url: () => liveUrlFor(window.location),
    accessToken: () => session.accessToken,
    tokenRefresh: () => session.sessionRefresh(session.accessToken ?? undefined),
    onSessionRevoked: () => {
      void session.sessionRefresh(session.accessToken ?? undefined)
    },
    onEvent: (frame) => {
      const userId = session.user?.id
      if (frame.topic.startsWith('user:') && (userId === undefined || frame.topic !== userTopic(userId))) {
        return
      }
      void applyLiveEvent(queryCache, userId ?? '', frame)
    },
    onReset: (topic) => {
      void applyLiveReset(queryCache, session.user?.id ?? '', topic)
    },
    onStatus: (next) => {
      status.value = next
    },
    ...overrides,
  })
  client = live

  // A socket only when there is something to follow: the signed-in user's topic, or a public
  // topic a page asked for (a signed-out visitor of the home page opens none).
  function sync(): void {
    const isWanted = session.isSignedIn || publicTopicCount.value > 0
    if (isWanted && !live.isStarted) {
      live.start()
    } else if (!isWanted && live.isStarted) {
      live.stop()
    }
  }

  const stopUserWatch = watch(
    () => (session.isSignedIn ? (session.user?.id ?? null) : null),
    (userId, previous) => {
      userTopicRelease?.()
      userTopicRelease = null
      if (previous !== undefined && live.isStarted) {
        // Another user (or nobody): the socket's identity changes, so close it; sync() below
        // opens a new one if there is still something to follow.
        live.stop()
      }
      if (userId !== null) {
        userTopicRelease = live.subscribe(userTopic(userId))
      }
      sync()
    },
    { immediate: true },
  )
  const stopTopicWatch = watch(publicTopicCount, sync)
  const stopTokenWatch = watch(
    () => session.accessToken,
    (token, previous) => {
      if (token !== null && previous !== null && previous !== undefined) {
        live.reauthenticate()
      }
    },
  )
  return () => {
    stopUserWatch()
    stopTopicWatch()
    stopTokenWatch()
    userTopicRelease?.()
    live.stop()
    if (client === live) {
      client = null
    }
    status.value = 'idle'
  }
}

/**
 * Subscribes to a public topic while the calling component is mounted (null: none). Without an
 * installed channel (unit tests of a page), nothing happens.
 */
export function useLiveTopic(topic: MaybeRefOrGetter<string | null>): void {
  let release: (() => void) | null = null
  watch(
    () => toValue(topic),
    (next) => {
      topicRelease()
      if (next !== null && client !== null) {
        const unsubscribe = client.subscribe(next)
        publicTopicCount.value += 1
        release = () => {
          unsubscribe()
          publicTopicCount.value -= 1
        }
      }
    },
    { immediate: true },
  )
  function topicRelease(): void {
    release?.()
    release = null
  }
  onScopeDispose(topicRelease)
}
