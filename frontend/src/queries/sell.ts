/**
 * The seller's side as server state (Pinia Colada): the category tree and the fees for the sell
 * form, the listing being written (polled while a photo's thumbnail is being made), the changes
 * to it, and "My listings" by state. Keys: lib/queryKeys.ts (`sell`).
 */
import { useMutation, useQuery, useQueryCache } from '@pinia/colada'
import { useDocumentVisibility, useTimeoutFn } from '@vueuse/core'
import { computed, toValue, watch, type MaybeRefOrGetter } from 'vue'

import {
  categoriesGet,
  listingCancel,
  listingDraftCreate,
  listingEnd,
  listingFeesGet,
  listingPublish,
  listingUpdate,
  myListingsList,
  photoDelete,
  photosReorder,
  sellerListingGet,
  type ListingInput,
  type ListingPhoto,
  type ListingStatus,
  type SellerListingDetail,
} from '@/api/listingsSeller'
import { queryKeys } from '@/lib/queryKeys'
import { useSessionStore } from '@/stores/useSessionStore'

import { usePagedListQuery } from './pagedList'

/** How often the form asks again while a photo's thumbnail is being made. */
export const PHOTO_POLL_INTERVAL_MS = 1_500

export const MY_LISTINGS_PAGE_SIZE = 20

/** The tabs of "My listings": each shows the listings in these states. */
export const MY_LISTINGS_TABS = {
  active: ['active'],
  scheduled: ['scheduled'],
  drafts: ['draft'],
  ended: ['ended', 'sold'],
  cancelled: ['cancelled', 'withdrawn'],
} as const satisfies Record<string, readonly ListingStatus[]>

export type MyListingsTab = keyof typeof MY_LISTINGS_TABS

function useSeller() {
  const session = useSessionStore()
  return {
    userId: computed(() => session.user?.id ?? ''),
    isSignedIn: computed(() => session.isSignedIn),
  }
}

/** The category tree: changes with a deploy at most, so it is kept for the visit. */
export function useCategories() {
  return useQuery({
    key: queryKeys.sell.categories(),
    query: categoriesGet,
    staleTime: 60 * 60 * 1000,
  })
}

export function useListingFees() {
  return useQuery({
    key: queryKeys.sell.fees(),
    query: listingFeesGet,
    staleTime: 5 * 60 * 1000,
  })
}

/** A listing as its seller sees it; polled while one of its photos is still processing. */
export function useSellerListing(listingId: MaybeRefOrGetter<string>) {
  const { userId, isSignedIn } = useSeller()
  const query = useQuery({
    key: () => queryKeys.sell.listing(userId.value, toValue(listingId)),
    query: () => sellerListingGet(toValue(listingId)),
    enabled: () => isSignedIn.value && toValue(listingId) !== '',
  })
  const visibility = useDocumentVisibility()
  const hasProcessingPhoto = computed(
    () => query.data.value?.photos.some((photo) => photo.state === 'processing') ?? false,
  )
  const timer = useTimeoutFn(
    () => {
      void query.refetch(true).finally(schedule)
    },
    PHOTO_POLL_INTERVAL_MS,
    { immediate: false },
  )
  function schedule(): void {
    if (hasProcessingPhoto.value && visibility.value === 'visible' && !timer.isPending.value) {
      timer.start()
    }
  }
  watch([hasProcessingPhoto, visibility], schedule, { immediate: true })
  return { ...query, hasProcessingPhoto }
}

/** Writes a listing's new state into its entry and drops the "My listings" tabs. */
function useListingChanged() {
  const { userId } = useSeller()
  const queryCache = useQueryCache()
  return async (listing: SellerListingDetail): Promise<void> => {
    queryCache.setQueryData(queryKeys.sell.listing(userId.value, listing.listing_id), listing)
    await queryCache.invalidateQueries({ key: [...queryKeys.sell.mineAll(userId.value)] })
  }
}

/** Starts a listing; one Idempotency-Key per start, reused on retry. */
export function useDraftCreate() {
  const listingChanged = useListingChanged()
  return useMutation({
    mutation: (attempt: { input: ListingInput; idempotencyKey: string }) =>
      listingDraftCreate(attempt.input, attempt.idempotencyKey),
    onSuccess: listingChanged,
  })
}

export function useListingUpdate() {
  const listingChanged = useListingChanged()
  return useMutation({
    mutation: (change: { listingId: string; input: ListingInput }) => listingUpdate(change.listingId, change.input),
    onSuccess: listingChanged,
  })
}

export function useListingPublish() {
  const listingChanged = useListingChanged()
  return useMutation({ mutation: listingPublish, onSuccess: listingChanged })
}

export function useListingEnd() {
  const listingChanged = useListingChanged()
  return useMutation({ mutation: listingEnd, onSuccess: listingChanged })
}

export function useListingCancel() {
  const listingChanged = useListingChanged()
  return useMutation({ mutation: listingCancel, onSuccess: listingChanged })
}

/**
 * Puts a new list of photos (after an upload, a reorder or a delete) into the cached listing, so
 * the form shows it at once; the listing is then read again (its thumbnail may have moved).
 */
export function usePhotosChanged() {
  const { userId } = useSeller()
  const queryCache = useQueryCache()
  return async (listingId: string, photos: ListingPhoto[] | ((current: ListingPhoto[]) => ListingPhoto[])) => {
    const key = queryKeys.sell.listing(userId.value, listingId)
    const listing = queryCache.getQueryData<SellerListingDetail>(key)
    if (listing !== undefined) {
      const next = typeof photos === 'function' ? photos(listing.photos as ListingPhoto[]) : photos
      queryCache.setQueryData<SellerListingDetail>(key, { ...listing, photos: next, photo_count: next.length })
    }
    await queryCache.invalidateQueries({ key: [...key] })
  }
}

export function usePhotosReorder() {
  const photosChanged = usePhotosChanged()
  return useMutation({
    mutation: (change: { listingId: string; photoIds: string[] }) => photosReorder(change.listingId, change.photoIds),
    onSuccess: (photos, change) => photosChanged(change.listingId, photos),
  })
}

export function usePhotoDelete() {
  const photosChanged = usePhotosChanged()
  return useMutation({
    mutation: (change: { listingId: string; photoId: string }) => photoDelete(change.listingId, change.photoId),
    onSuccess: (photos, change) => photosChanged(change.listingId, photos),
  })
}

/**
 * One tab of "My listings". A tab of one state asks for that state; a tab of two (ended and sold)
 * reads every listing after the last one shown and keeps those two states (the cursor is the
 * last row shown, which is in the unfiltered list too).
 */
export function useMyListings(tab: MaybeRefOrGetter<MyListingsTab>) {
  const { userId, isSignedIn } = useSeller()
  return usePagedListQuery({
    key: () => queryKeys.sell.mine(userId.value, toValue(tab)),
    fetchPage: async (params) => {
      const statuses: readonly ListingStatus[] = MY_LISTINGS_TABS[toValue(tab)]
      if (statuses.length === 1) {
        return myListingsList({ ...params, status: statuses[0] })
      }
      const page = await myListingsList({ ...params, limit: 100 })
      return { data: page.data.filter((row) => statuses.includes(row.status)), has_more: page.has_more }
    },
    pageSize: MY_LISTINGS_PAGE_SIZE,
    enabled: isSignedIn,
  })
}
