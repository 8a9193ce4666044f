import { useQuery, useQueryCache, type EntryKey } from '@pinia/colada'
import { computed, toValue, type MaybeRefOrGetter } from 'vue'

import type { Page, PageParams } from '@/api/http'

/** A cursor-paged list as the cache holds it: the pages loaded so far, newest first. */
export interface PagedList<Item> {
  items: Item[]
  hasMore: boolean
}

/**
 * A cursor-paged list in the server-state cache. The query reads the first page; a refetch
 * (polling, focus, invalidation after a mutation) merges it in front of the pages loaded after it
 * (firstPageMerge), and loadMore() appends the next page to the same entry. Live updates write
 * into the entry with lib/liveUpdate.ts.
 */
export function usePagedListQuery<Item extends { id: string }>(options: {
  key: MaybeRefOrGetter<EntryKey>
  fetchPage: (params: PageParams) => Promise<Page<Item>>
  pageSize: number
  enabled?: MaybeRefOrGetter<boolean>
}) {
  const queryCache = useQueryCache()

  const query = useQuery<PagedList<Item>>({
    key: options.key,
    enabled: options.enabled,
    query: async () => {
      const key = toValue(options.key)
      const firstPage = await options.fetchPage({ limit: options.pageSize })
      const loaded = queryCache.getQueryData<PagedList<Item>>(key)
      return loaded === undefined ? pagedListFrom(firstPage) : firstPageMerge(loaded, firstPage)
    },
  })

  /** Appends the page after the last loaded item (to the entry that asked, even if the key moved on). */
  async function loadMore(): Promise<void> {
    const key = toValue(options.key)
    const loaded = queryCache.getQueryData<PagedList<Item>>(key)
    const next = await options.fetchPage({ limit: options.pageSize, starting_after: loaded?.items.at(-1)?.id })
    queryCache.setQueryData<PagedList<Item>>(key, (current) => appendPage(current ?? { items: [], hasMore: false }, next))
  }

  return {
    ...query,
    items: computed(() => query.data.value?.items ?? []),
    hasMore: computed(() => query.data.value?.hasMore ?? false),
    loadMore,
  }
}

export function pagedListFrom<Item>(page: Page<Item>): PagedList<Item> {
  return { items: [...page.data], hasMore: page.has_more }
}

/** The next page after the loaded ones (an item already shown is not shown twice). */
export function appendPage<Item extends { id: string }>(loaded: PagedList<Item>, next: Page<Item>): PagedList<Item> {
  const loadedIds = new Set(loaded.items.map((item) => item.id))
  return {
    items: [...loaded.items, ...next.data.filter((item) => !loadedIds.has(item.id))],
    hasMore: next.has_more,
  }
}

/**
 * A fresh first page in front of the pages loaded after it: newer items appear on top, items of
 * the first page are updated in place, and the items of later pages stay where they were.
 */
export function firstPageMerge<Item extends { id: string }>(loaded: PagedList<Item>, firstPage: Page<Item>): PagedList<Item> {
  const freshIds = new Set(firstPage.data.map((item) => item.id))
  const lastFresh = firstPage.data.at(-1)
  const lastFreshIndex = lastFresh === undefined ? -1 : loaded.items.findIndex((item) => item.id === lastFresh.id)
  if (!firstPage.has_more || lastFreshIndex === -1) {
    // Everything there is fits in this page, or the loaded pages no longer line up with it.
    return pagedListFrom(firstPage)
  }
  const later = loaded.items.slice(lastFreshIndex + 1).filter((item) => !freshIds.has(item.id))
  return { items: [...firstPage.data, ...later], hasMore: later.length > 0 ? loaded.hasMore : firstPage.has_more }
}
