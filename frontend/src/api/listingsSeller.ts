/**
 * listing-service, the seller's side: the category tree and the fees (for the sell form), drafts,
 * edits, publishing, ending and cancelling a listing, its photos, and the seller's own listings.
 *
 * Amounts travel as JSON strings of digits and are decoded here, at the boundary, into bigint
 * koinu (every `*_koinu` field, however deep); request bodies carry bigint values, which the HTTP
 * client sends as digit strings. Types come from listing-service's OpenAPI document
 * (src/api/generated, `npm run api:types`).
 */
import { parseKoinu } from '@/lib/money'

import type { components } from './generated/listing-service'
import {
  apiDelete,
  apiGet,
  apiPatch,
  apiPost,
  apiPut,
  apiUpload,
  type Page,
  type PageParams,
} from './http'

export const LISTINGS_SELLER_BASE_PATH = '/api/v1/listings/'

const path = (relative: string): string => `${LISTINGS_SELLER_BASE_PATH}${relative}`

type Schemas = components['schemas']

/** A wire type as the app holds it: every `*_koinu` digit string, at any depth, a bigint. */
export type Decoded<Wire> = Wire extends readonly (infer Item)[]
  ? Decoded<Item>[]
  : Wire extends object
    ? { [Key in keyof Wire]: Key extends `${string}_koinu` ? Exclude<Wire[Key], string> | bigint : Decoded<Wire[Key]> }
    : Wire

/** Decodes every `*_koinu` string of `wire` (objects and arrays, at any depth) to bigint koinu. */
export function koinuDecode<Wire>(wire: Wire): Decoded<Wire> {
  return decodeValue(wire, false) as Decoded<Wire>
}

function decodeValue(value: unknown, isKoinu: boolean): unknown {
  if (isKoinu && typeof value === 'string') {
    return parseKoinu(value)
  }
  if (Array.isArray(value)) {
    return value.map((item: unknown) => decodeValue(item, false))
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, field]) => [key, decodeValue(field, key.endsWith('_koinu'))]),
    )
  }
  return value
}

// Categories and fees

/** A top category and the leaf categories listings go in. */
export type CategoryGroup = Schemas['Category']
export type LeafCategory = Schemas['LeafCategory']

/** listing-service's fee policy: `insertion_fee_koinu` per listing, `final_value_fee_bps` of a sale. */
export type ListingFees = Decoded<Schemas['ListingFees']>

// Listings

export type ListingStatus = Schemas['StatusEnum']
export type ListingFormat = Schemas['FormatEnum']
export type ListingCondition = Schemas['ConditionEnum']
export type MissingForPublish = Schemas['MissingForPublishEnum']
export type ShippingOption = Decoded<Schemas['ShippingOption']>

/** What only the seller sees: the hidden reserve, views, watchers, a takedown's reason. */
export type ListingSellerView = Decoded<Schemas['ListingSellerView']>

/** A listing as its seller reads it (GET one, and the answer of every change). */
export type SellerListingDetail = Decoded<Schemas['ListingDetail']>

export type ListingPhoto = Schemas['Photo']

/** A row of "My listings": the listing and its seller view; `id` is the listing's id (the cursor). */
export type MyListing = Decoded<Schemas['SellerListing']> & { id: string }

/**
 * The fields the sell form writes (POST drafts, PATCH). Amounts are bigint koinu; every field
 * optional (a draft keeps whatever it is given; publishing checks it is complete).
 */
export type ListingInput = Decoded<Schemas['PatchedListingInputRequest']>

export interface MyListingsParams extends PageParams {
  status?: ListingStatus
}

export const PHOTOS_MAX = 12

export async function categoriesGet(): Promise<CategoryGroup[]> {
  const tree = await apiGet<Schemas['CategoryTree']>(path('categories'))
  return tree.data
}

export async function listingFeesGet(): Promise<ListingFees> {
  return koinuDecode(await apiGet<Schemas['ListingFees']>(path('fees')))
}

/** Starts a listing (a draft); one Idempotency-Key per "start selling", reused on retry. */
export async function listingDraftCreate(input: ListingInput, idempotencyKey: string): Promise<SellerListingDetail> {
  return koinuDecode(await apiPost<Schemas['ListingDetail']>(path('drafts'), input, { idempotencyKey }))
}

export async function sellerListingGet(listingId: string): Promise<SellerListingDetail> {
  return koinuDecode(await apiGet<Schemas['ListingDetail']>(path(encodeURIComponent(listingId))))
}

export async function listingUpdate(listingId: string, changes: ListingInput): Promise<SellerListingDetail> {
  return koinuDecode(await apiPatch<Schemas['ListingDetail']>(path(encodeURIComponent(listingId)), changes))
}

/** The draft goes live (`active`), or `scheduled` until its scheduled start. */
export async function listingPublish(listingId: string): Promise<SellerListingDetail> {
  return koinuDecode(await apiPost<Schemas['ListingDetail']>(path(`${encodeURIComponent(listingId)}/publish`), undefined))
}

/** Ends an active listing now (not an auction with bids). */
export async function listingEnd(listingId: string): Promise<SellerListingDetail> {
  return koinuDecode(await apiPost<Schemas['ListingDetail']>(path(`${encodeURIComponent(listingId)}/end`), undefined))
}

/** Cancels a draft or a scheduled listing. */
export async function listingCancel(listingId: string): Promise<SellerListingDetail> {
  return koinuDecode(await apiPost<Schemas['ListingDetail']>(path(`${encodeURIComponent(listingId)}/cancel`), undefined))
}

/** The seller's listings, newest first, one state or all. */
export async function myListingsList(params: MyListingsParams = {}): Promise<Page<MyListing>> {
  const page = await apiGet<Page<Schemas['SellerListing']>>(path('mine'), { query: { ...params } })
  return {
    data: page.data.map((row) => ({ ...koinuDecode(row), id: row.listing_id })),
    has_more: page.has_more,
  }
}

// Photos

/** Adds one photo (one request per file; `idempotencyKey` per file, reused on retry). */
export function photoUpload(
  listingId: string,
  file: Blob,
  options: { idempotencyKey: string; onProgress?: (sentBytes: number, totalBytes: number) => void; signal?: AbortSignal },
): Promise<ListingPhoto> {
  return apiUpload<ListingPhoto>(path(`${encodeURIComponent(listingId)}/photos`), 'file', file, options)
}

/** Puts the listing's photos in this order (every photo once); answers them in the new order. */
export async function photosReorder(listingId: string, photoIds: string[]): Promise<ListingPhoto[]> {
  const list = await apiPut<Schemas['PhotoList']>(path(`${encodeURIComponent(listingId)}/photos/order`), {
    photo_ids: photoIds,
  })
  return list.data
}

/** Deletes a photo; answers the remaining ones. */
export async function photoDelete(listingId: string, photoId: string): Promise<ListingPhoto[]> {
  const list = await apiDelete<Schemas['PhotoList']>(
    path(`${encodeURIComponent(listingId)}/photos/${encodeURIComponent(photoId)}`),
  )
  return list.data
}
