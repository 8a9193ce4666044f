/**
 * listing-service: listings, the category tree, photos and watches (buyer side).
 *
 * Amounts travel as digit strings (`"price_koinu": "150000000"`) and are decoded here, at the
 * boundary, into bigint koinu with parseKoinu. The seller's calls (drafts, publishing, photos)
 * live in ./listingsSeller.ts.
 */
import { parseKoinu } from '@/lib/money'

import type { components } from './generated/listing-service'
import { apiDelete, apiGet, apiPut, type Page, type PageParams } from './http'

export const LISTINGS_BASE_PATH = '/api/v1/listings/'

const path = (relative: string): string => `${LISTINGS_BASE_PATH}${relative}`

type Schemas = components['schemas']

/** A wire type as the app holds it: every `*_koinu` digit string (or null) decoded to bigint. */
type Decoded<Wire> = {
  [Key in keyof Wire]: Key extends `${string}_koinu` ? (null extends Wire[Key] ? bigint | null : bigint) : Wire[Key]
}

export type ListingFormat = Schemas['FormatEnum']
export type ListingStatus = Schemas['StatusEnum']
export type ListingCondition = Schemas['ConditionEnum']

/** A top category with its leaf categories (listings go in leaves). */
export type Category = Schemas['Category']
export type LeafCategory = Schemas['LeafCategory']

export type ShippingOption = Decoded<Schemas['ShippingOption']>
export type ItemSpecific = Schemas['ItemSpecific']
export type ListingPhoto = Schemas['ListingDetailPhoto']

/** A listing's public state (the `listing.*` events' snapshot). */
export interface ListingSnapshot
  extends Omit<Decoded<Schemas['ListingSnapshot']>, 'shipping_options'> {
  shipping_options: ShippingOption[]
}

/** GET {id}: the snapshot with the photos (`seller_view` is the seller's own, else null). */
export interface ListingDetail extends Omit<Decoded<Schemas['ListingDetail']>, 'shipping_options' | 'seller_view'> {
  shipping_options: ShippingOption[]
  /** Filled for the seller only; the buyer pages do not read it. */
  seller_view: Schemas['ListingDetail']['seller_view']
}

export interface WatchlistItem {
  /** The listing's id (the cursor of this list). */
  id: string
  watched_at: string
  listing: ListingSnapshot
}

function koinuOrNull(value: string | null): bigint | null {
  return value === null ? null : parseKoinu(value)
}

function shippingOptionFrom(wire: Schemas['ShippingOption']): ShippingOption {
  return { service: wire.service, ships_to: wire.ships_to, price_koinu: parseKoinu(wire.price_koinu) }
}

export function listingSnapshotFrom(wire: Schemas['ListingSnapshot']): ListingSnapshot {
  return {
    ...wire,
    price_koinu: koinuOrNull(wire.price_koinu),
    // `?? null`: a listing-service from before auctions does not send it yet (a rolling deploy).
    current_price_koinu: koinuOrNull(wire.current_price_koinu ?? null),
    buy_it_now_koinu: koinuOrNull(wire.buy_it_now_koinu),
    lowest_shipping_koinu: koinuOrNull(wire.lowest_shipping_koinu),
    shipping_options: wire.shipping_options.map(shippingOptionFrom),
  }
}

export function listingDetailFrom(wire: Schemas['ListingDetail']): ListingDetail {
  return {
    ...wire,
    price_koinu: koinuOrNull(wire.price_koinu),
    current_price_koinu: koinuOrNull(wire.current_price_koinu ?? null),
    buy_it_now_koinu: koinuOrNull(wire.buy_it_now_koinu),
    lowest_shipping_koinu: koinuOrNull(wire.lowest_shipping_koinu),
    shipping_options: wire.shipping_options.map(shippingOptionFrom),
  }
}

/** GET categories: the tree (public, changes rarely). */
export async function categoriesList(): Promise<Category[]> {
  const wire = await apiGet<Schemas['CategoryTree']>(path('categories'), { isAnonymous: true })
  return wire.data
}

/** GET {id}: anyone sees scheduled, active, ended and sold listings (404 `listing_not_found` else). */
export async function listingGet(listingId: string): Promise<ListingDetail> {
  return listingDetailFrom(await apiGet<Schemas['ListingDetail']>(path(encodeURIComponent(listingId))))
}

/** GET watchlist: the signed-in user's watched listings, most recently watched first. */
export async function watchlistList(params: PageParams = {}): Promise<Page<WatchlistItem>> {
  const page = await apiGet<Page<Schemas['WatchlistItem']>>(path('watchlist'), { query: { ...params } })
  return {
    data: page.data.map((item) => ({
      id: item.id,
      watched_at: item.watched_at,
      listing: listingSnapshotFrom(item.listing),
    })),
    has_more: page.has_more,
  }
}

/** PUT {id}/watch (idempotent): 403 `own_listing`, 409 `listing_not_watchable` once it has ended. */
export async function listingWatch(listingId: string): Promise<void> {
  await apiPut<Schemas['Watching']>(path(`${encodeURIComponent(listingId)}/watch`), undefined)
}

/** DELETE {id}/watch (idempotent). */
export async function listingUnwatch(listingId: string): Promise<void> {
  await apiDelete<undefined>(path(`${encodeURIComponent(listingId)}/watch`))
}
