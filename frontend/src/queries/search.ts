/**
 * search-gateway as server state: a search's results (first page with facets, then "load more"
 * along the `next_cursor` into the same cache entry) and the search box's suggestions.
 *
 * The search pages read their query from the URL (lib/searchQuery.ts) and pass it here: the
 * cache key is that query, so the back button shows the earlier results from the cache.
 */
import { useQuery, useQueryCache } from '@pinia/colada'
import { computed, ref, toValue, type MaybeRefOrGetter } from 'vue'

import {
  listingSearch,
  searchSuggest,
  type ListingSearchHit,
  type ListingSearchQuery,
  type SearchFacets,
  type SearchSuggestions,
} from '@/api/search'
import { queryKeys } from '@/lib/queryKeys'

export const SEARCH_PAGE_SIZE = 24

/** A search's results as the cache holds them: every page loaded so far. */
export interface SearchResultPages {
  items: ListingSearchHit[]
  total: number
  facets: SearchFacets | null
  nextCursor: string | null
}

/** The cache key's text for a query: its fields in a fixed order, empty ones left out. */
export function searchKeyText(query: ListingSearchQuery): string {
  const entries = Object.entries(query)
    .filter(([, value]) => value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0))
    .map(([name, value]) => [name, Array.isArray(value) ? [...value].sort().join(',') : String(value)])
    .sort(([first], [second]) => (first ?? '').localeCompare(second ?? ''))
  return new URLSearchParams(entries).toString()
}

export function useListingSearch(
  query: MaybeRefOrGetter<ListingSearchQuery>,
  options: { pageSize?: number; enabled?: MaybeRefOrGetter<boolean> } = {},
) {
  const queryCache = useQueryCache()
  const pageSize = options.pageSize ?? SEARCH_PAGE_SIZE
  const key = () => queryKeys.search.listings(`${searchKeyText(toValue(query))}|${pageSize}`)
  const results = useQuery<SearchResultPages>({
    key,
    enabled: () => toValue(options.enabled ?? true),
    query: async ({ signal }) => {
      const page = await listingSearch({ ...toValue(query), limit: pageSize }, signal)
      return { items: page.data, total: page.total, facets: page.facets, nextCursor: page.has_more ? page.next_cursor : null }
    },
  })

  const isLoadingMore = ref(false)
  const loadMoreError = ref<unknown>(null)

  /** Appends the page after the last loaded one (search_after), to the entry that asked. */
  async function loadMore(): Promise<void> {
    const entryKey = [...key()]
    const loaded = queryCache.getQueryData<SearchResultPages>(entryKey)
    if (loaded?.nextCursor == null || isLoadingMore.value) {
      return
    }
    isLoadingMore.value = true
    loadMoreError.value = null
    try {
      const page = await listingSearch({ ...toValue(query), limit: pageSize, cursor: loaded.nextCursor })
      const shown = new Set(loaded.items.map((item) => item.listing_id))
      queryCache.setQueryData<SearchResultPages>(entryKey, {
        ...loaded,
        items: [...loaded.items, ...page.data.filter((item) => !shown.has(item.listing_id))],
        nextCursor: page.has_more ? page.next_cursor : null,
      })
    } catch (error) {
      loadMoreError.value = error
    } finally {
      isLoadingMore.value = false
    }
  }

  return {
    ...results,
    items: computed(() => results.data.value?.items ?? []),
    total: computed(() => results.data.value?.total ?? 0),
    facets: computed(() => results.data.value?.facets ?? null),
    hasMore: computed(() => (results.data.value?.nextCursor ?? null) !== null),
    isLoadingMore,
    loadMoreError,
    loadMore,
  }
}

/** Suggestions for what is typed (already debounced by the caller); nothing for blank text. */
export function useSearchSuggestions(text: MaybeRefOrGetter<string>) {
  const trimmed = computed(() => toValue(text).trim().slice(0, 200))
  const query = useQuery<SearchSuggestions>({
    key: () => queryKeys.search.suggest(trimmed.value.toLowerCase()),
    query: ({ signal }) => searchSuggest(trimmed.value, signal),
    enabled: () => trimmed.value !== '',
    staleTime: 30_000,
    refetchOnWindowFocus: false,
  })
  return {
    ...query,
    suggestions: computed<SearchSuggestions>(() =>
      trimmed.value === '' ? { titles: [], categories: [] } : (query.data.value ?? { titles: [], categories: [] }),
    ),
  }
}
