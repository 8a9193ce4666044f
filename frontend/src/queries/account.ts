/**
 * The signed-in user's account data and public profiles as server state (Pinia Colada).
 * Who is signed in (and the tokens) stays in useSessionStore; this is what the API says about them.
 */
import { defineQueryOptions, useMutation, useQuery, useQueryCache } from '@pinia/colada'
import { computed, toValue, type MaybeRefOrGetter } from 'vue'

import { sellerGet, sessionRevoke, sessionsList, type ActiveSession } from '@/api/user'
import { queryKeys } from '@/lib/queryKeys'
import { useSessionStore } from '@/stores/useSessionStore'

import { usePagedListQuery, type PagedList } from './pagedList'

export const SESSIONS_PAGE_SIZE = 20

/** The signed-in devices (refresh-token families), newest first. */
export function useActiveSessions() {
  const session = useSessionStore()
  return usePagedListQuery({
    key: () => queryKeys.sessions(session.user?.id ?? ''),
    fetchPage: sessionsList,
    pageSize: SESSIONS_PAGE_SIZE,
    enabled: () => session.isSignedIn,
  })
}

/** Signs one device out; it leaves the cached list at once. */
export function useSessionRevoke() {
  const session = useSessionStore()
  const queryCache = useQueryCache()
  return useMutation({
    mutation: (revoked: ActiveSession) => sessionRevoke(revoked.id),
    onSuccess: (_result, revoked) => {
      queryCache.setQueryData<PagedList<ActiveSession>>(
        [...queryKeys.sessions(session.user?.id ?? '')],
        (list) => ({
          items: (list?.items ?? []).filter((kept) => kept.id !== revoked.id),
          hasMore: list?.hasMore ?? false,
        }),
      )
    },
  })
}

/** A seller's public profile; anyone may read it. The route prefetches it (router/index.ts). */
export const sellerProfileQuery = defineQueryOptions((username: string) => ({
  key: queryKeys.seller(username),
  query: () => sellerGet(username),
}))

export function useSellerProfile(username: MaybeRefOrGetter<string>) {
  const query = useQuery(() => sellerProfileQuery(toValue(username)))
  return { ...query, seller: computed(() => query.data.value ?? null) }
}
