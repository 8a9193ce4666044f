import { useQueryCache, type UseQueryOptions, type UseQueryOptionsGlobal } from '@pinia/colada'
import type { Pinia } from 'pinia'
import { nextTick, watch } from 'vue'

import { queryKeys } from '@/lib/queryKeys'
import { useSessionStore } from '@/stores/useSessionStore'

/**
 * Defaults for every query (main.ts and the tests' mountPage install them): data counts as fresh
 * for 5 seconds (pages opened in a row share one request), unused entries go after 5 minutes, and
 * a query is read again when the tab regains focus or the network comes back.
 */
export const QUERY_DEFAULTS: UseQueryOptionsGlobal = {
  staleTime: 5_000,
  gcTime: 300_000,
  refetchOnWindowFocus: true,
  refetchOnReconnect: true,
}

/**
 * Starts a query before its page's component exists (from the route's beforeEnter), so the
 * request runs while the page's code downloads; the page's useQuery with the same options finds
 * it in flight or done. Fresh data (within staleTime) is not asked for again. Failures are left
 * for the page to show.
 */
export function queryPrefetch<Data>(options: UseQueryOptions<Data>): void {
  const queryCache = useQueryCache()
  void queryCache.refresh(queryCache.ensure(options)).catch(() => undefined)
}

/**
 * When the signed-in user changes (sign-out, another sign-in), forgets every cached entry of the
 * previous one (keys under ['user', id], lib/queryKeys.ts), once the pages have moved to the new keys.
 */
export function installSessionScopedCache(pinia: Pinia): () => void {
  const session = useSessionStore(pinia)
  const queryCache = useQueryCache(pinia)
  return watch(
    () => session.user?.id ?? null,
    async (userId, previousUserId) => {
      if (previousUserId === null || previousUserId === undefined || userId === previousUserId) {
        return
      }
      await nextTick()
      for (const entry of queryCache.getEntries({ key: [...queryKeys.user(previousUserId)] })) {
        queryCache.remove(entry)
      }
    },
  )
}
