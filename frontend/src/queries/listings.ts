/**
 * listing-service as server state (Pinia Colada), buyer side: the category tree, one listing,
 * the watchlist and watching a listing (optimistic, rolled back if the API refuses).
 */
import { useMutation, useQuery, useQueryCache } from '@pinia/colada'
import { computed, toValue, type MaybeRefOrGetter } from 'vue'

import {
  categoriesList,
  listingGet,
  listingUnwatch,
  listingWatch,
  watchlistList,
  type Category,
  type ListingDetail,
  type ListingSnapshot,
  type WatchlistItem,
} from '@/api/listings'
import { queryKeys } from '@/lib/queryKeys'
import { useSessionStore } from '@/stores/useSessionStore'

import { usePagedListQuery, type PagedList } from './pagedList'

/** The category tree changes with a deploy, not during a visit: read it once an hour at most. */
export const CATEGORIES_STALE_MS = 3_600_000
export const WATCHLIST_PAGE_SIZE = 50

export function useCategories() {
  const query = useQuery({
    key: queryKeys.listings.categories(),
    query: categoriesList,
    staleTime: CATEGORIES_STALE_MS,
    gcTime: CATEGORIES_STALE_MS,
    refetchOnWindowFocus: false,
  })
  return { ...query, categories: computed<Category[]>(() => query.data.value ?? []) }
}

/** A category (top or leaf) and the top category it is under (itself for a top one). */
export function categoryFind(
  categories: readonly Category[],
  categoryId: string,
): { category: Pick<Category, 'id' | 'name'>; top: Category } | null {
  for (const top of categories) {
    if (top.id === categoryId) {
      return { category: top, top }
    }
    const leaf = top.children.find((child) => child.id === categoryId)
    if (leaf !== undefined) {
      return { category: leaf, top }
    }
  }
  return null
}

export function useListing(listingId: MaybeRefOrGetter<string>) {
  const query = useQuery({
    key: () => queryKeys.listings.detail(toValue(listingId)),
    query: () => listingGet(toValue(listingId)),
  })
  return { ...query, listing: computed<ListingDetail | null>(() => query.data.value ?? null) }
}

/** The signed-in user's watchlist, most recently watched first. */
export function useWatchlist() {
  const session = useSessionStore()
  const watchlist = usePagedListQuery({
    key: () => queryKeys.watchlist(session.user?.id ?? ''),
    fetchPage: watchlistList,
    pageSize: WATCHLIST_PAGE_SIZE,
    enabled: () => session.isSignedIn,
  })
  const watchedIds = computed(() => new Set(watchlist.items.value.map((item) => item.id)))
  return { ...watchlist, watchedIds }
}

export interface WatchChange {
  listing: ListingSnapshot
  isWatched: boolean
}

/**
 * Watches or stops watching a listing. The watchlist entry changes at once; if the API refuses,
 * it goes back to what it was and the error is the mutation's to show.
 */
export function useWatchToggle() {
  const session = useSessionStore()
  const queryCache = useQueryCache()
  const key = () => [...queryKeys.watchlist(session.user?.id ?? '')]
  return useMutation({
    mutation: ({ listing, isWatched }: WatchChange) =>
      isWatched ? listingWatch(listing.listing_id) : listingUnwatch(listing.listing_id),
    onMutate: ({ listing, isWatched }: WatchChange) => {
      const previous = queryCache.getQueryData<PagedList<WatchlistItem>>(key())
      const others = (previous?.items ?? []).filter((item) => item.id !== listing.listing_id)
      const item: WatchlistItem = { id: listing.listing_id, watched_at: new Date().toISOString(), listing }
      queryCache.setQueryData<PagedList<WatchlistItem>>(key(), {
        items: isWatched ? [item, ...others] : others,
        hasMore: previous?.hasMore ?? false,
      })
      return { previous }
    },
    onError: (_error, _change, context) => {
      if (context?.previous !== undefined) {
        queryCache.setQueryData<PagedList<WatchlistItem>>(key(), context.previous)
      } else {
        void queryCache.invalidateQueries({ key: key() })
      }
    },
  })
}
